#include "testing/http_responder.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>

#include "claimbench/tcp_socket.h"

namespace claimbench::testing {
namespace {

constexpr int kPollMs = 5;

// Waits up to kPollMs for `fd` to be readable; false on timeout.
bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, kPollMs) > 0;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

uint64_t NumberAfter(std::string_view text, std::string_view key) {
  const size_t at = text.find(key);
  uint64_t value = 0;
  if (at != std::string_view::npos) {
    std::from_chars(text.data() + at + key.size(), text.data() + text.size(), value);
  }
  return value;
}

std::string ResponseFor(std::string_view request_line) {
  const uint64_t index = NumberAfter(request_line, "/r/");
  const uint64_t size = NumberAfter(request_line, "size=");
  std::string body(size, ' ');
  for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (index + i) % 26);
  if (request_line.find("chunked=1") == std::string_view::npos) {
    return fmt::format("HTTP/1.1 200 OK\r\nX-Claimbench-Index: {}\r\nContent-Length: {}\r\n\r\n{}", index,
                       size, body);
  }
  std::string response =
      fmt::format("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Claimbench-Index: {}\r\n\r\n", index);
  for (size_t at = 0; at < body.size(); at += 10) {
    const std::string_view chunk = std::string_view(body).substr(at, 10);
    response += fmt::format("{:x}\r\n{}\r\n", chunk.size(), chunk);
  }
  return response + "0\r\n\r\n";
}

}  // namespace

HttpResponder::HttpResponder(Options options) : options_(options) {
  listener_ = ListenTcp("127.0.0.1", 0, 64);
  port_ = LocalPort(listener_.get());
  accept_thread_ = std::thread([this] { Accept(); });
}

HttpResponder::~HttpResponder() {
  stop_ = true;
  accept_thread_.join();
  std::lock_guard lock(mutex_);
  for (std::thread& thread : connection_threads_) thread.join();
}

void HttpResponder::Accept() {
  while (!stop_) {
    if (!Readable(listener_.get())) continue;
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) continue;
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // each piece its own segment
    std::lock_guard lock(mutex_);
    connection_threads_.emplace_back(
        [this, connection = std::move(fd)]() mutable { Serve(std::move(connection)); });
  }
}

void HttpResponder::Serve(UniqueFd fd) {
  std::string in;
  char buffer[4096];
  size_t piece = 0;
  while (!stop_) {
    if (!Readable(fd.get())) continue;
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return;
    in.append(buffer, static_cast<size_t>(n));
    for (size_t end; (end = in.find("\r\n\r\n")) != std::string::npos; in.erase(0, end + 4)) {
      const std::string_view request_line = std::string_view(in).substr(0, in.find("\r\n"));
      const int64_t index = static_cast<int64_t>(NumberAfter(request_line, "/r/"));
      std::string response = ResponseFor(request_line);
      if (index == options_.corrupt_index) {
        // The last body byte: before "\r\n0\r\n\r\n" when chunked, else the last byte.
        const bool chunked = request_line.find("chunked=1") != std::string_view::npos;
        char& byte = response[response.size() - (chunked ? 8 : 1)];
        byte = static_cast<char>(byte ^ 0x01);
      }
      if (index == options_.duplicate_index) response += response;
      if (options_.max_piece_bytes == 0) {
        if (!SendAll(fd.get(), response)) return;
        continue;
      }
      for (std::string_view rest = response; !rest.empty();) {
        piece = piece % options_.max_piece_bytes + 1;
        const size_t take = std::min(piece, rest.size());
        if (!SendAll(fd.get(), rest.substr(0, take))) return;
        rest.remove_prefix(take);
        ::usleep(static_cast<useconds_t>(options_.piece_pause_us));
      }
    }
  }
}

}  // namespace claimbench::testing
