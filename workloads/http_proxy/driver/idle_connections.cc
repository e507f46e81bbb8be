#include "idle_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace claimbench::http_proxy_workload {

IdleConnections::~IdleConnections() {
  for (int fd : fds_) ::close(fd);
}

std::string IdleConnections::Open(uint16_t port, int count, const loadgen::HttpRequestShape& shape) {
  auto make_protocol = loadgen::MakeHttpProtocolFactory(shape);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  std::string request, received;
  char buffer[16 * 1024];
  for (int i = 0; i < count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fmt::format("connection {}: cannot create a socket: {}", i, std::strerror(errno));
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::string error = fmt::format("connection {}: connect: {}", i, std::strerror(errno));
      ::close(fd);
      return error;
    }
    fds_.push_back(fd);
    auto protocol = make_protocol();
    const uint64_t index = static_cast<uint64_t>(i);
    request.clear();
    protocol->WriteRequest(index, request);
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      return fmt::format("connection {}: send: {}", i, std::strerror(errno));
    }
    received.clear();
    while (true) {
      loadgen::ParseOutcome outcome = protocol->ParseResponse(received, index);
      if (outcome.status == loadgen::ParseOutcome::Status::kComplete) {
        if (!outcome.valid) return fmt::format("connection {}: {}", i, outcome.error);
        break;
      }
      if (outcome.status == loadgen::ParseOutcome::Status::kMalformed) {
        return fmt::format("connection {}: {}", i, outcome.error);
      }
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        return fmt::format("connection {}: {}", i, n == 0 ? "closed before the response ended" : std::strerror(errno));
      }
      received.append(buffer, static_cast<size_t>(n));
    }
  }
  return "";
}

}  // namespace claimbench::http_proxy_workload
