// The few non-blocking TCP calls the load generator, its test origins and the workloads' drivers
// use. Thin wrappers over the system calls; failures are returned as errno values, never thrown,
// because the callers count them as run events.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <utility>

#include "claimbench/unique_fd.h"

namespace claimbench {

// Resolves a numeric IPv4 address or a host name to an IPv4 socket address.
// Throws SetupError naming host:port if it cannot be resolved.
sockaddr_in ResolveIpv4(const std::string& host, uint16_t port);

std::string FormatAddress(const sockaddr_in& address);  // "127.0.0.1:8080"

// Starts a non-blocking TCP connect with TCP_NODELAY set (requests are small and latency-bound, so
// Nagle's algorithm would only add delay). On return, `error` is 0 when connected, EINPROGRESS while the
// connect continues (the socket turns writable when done; read its result with PendingSocketError), or
// the errno of an immediate failure (then `fd` is closed).
struct ConnectAttempt {
  UniqueFd fd;
  int error = 0;
};
ConnectAttempt StartConnect(const sockaddr_in& address);

// SO_ERROR of a socket: 0, or the errno of a failed non-blocking connect or of the last socket error.
int PendingSocketError(int fd);

// A listening IPv4 TCP socket bound to `host`:`port` (0 = ephemeral), non-blocking.
// Throws SetupError on failure.
UniqueFd ListenTcp(const std::string& host, uint16_t port, int backlog);
uint16_t LocalPort(int fd);  // the bound port, host byte order; 0 on failure

}  // namespace claimbench
