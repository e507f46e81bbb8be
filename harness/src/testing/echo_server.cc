#include "testing/echo_server.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>
#include <unordered_map>

namespace claimbench::testing {
namespace {

constexpr int kListenBacklog = 1024;
constexpr size_t kUnterminatedGarbageBytes = 256;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Client {
  UniqueFd fd;
  std::string in;   // bytes after the last complete line
  std::string out;  // responses not yet written
  bool want_write = false;
};

void Watch(int epoll_fd, int fd, uint32_t events, int op) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_fd, op, fd, &event) != 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  }
}

// Writes what it can; false if the connection is broken.
bool Flush(int epoll_fd, Client& client) {
  while (!client.out.empty()) {
    const ssize_t n = ::send(client.fd.get(), client.out.data(), client.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      client.out.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      return false;
    }
  }
  const bool want_write = !client.out.empty();
  if (want_write != client.want_write) {
    client.want_write = want_write;
    Watch(epoll_fd, client.fd.get(), EPOLLIN | (want_write ? EPOLLOUT : 0u), EPOLL_CTL_MOD);
  }
  return true;
}

}  // namespace

EchoServer::EchoServer(Options options)
    : options_(options), listener_(ListenTcp("127.0.0.1", 0, kListenBacklog)), start_ns_(NowNs()) {
  port_ = LocalPort(listener_.get());
  epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  stop_event_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_.valid() || !stop_event_.valid()) {
    throw std::system_error(errno, std::generic_category(), "echo server");
  }
  Watch(epoll_.get(), listener_.get(), EPOLLIN, EPOLL_CTL_ADD);
  Watch(epoll_.get(), stop_event_.get(), EPOLLIN, EPOLL_CTL_ADD);
  thread_ = std::thread([this] { Serve(); });
}

EchoServer::~EchoServer() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_event_.get(), &one, sizeof one);
  thread_.join();
}

void EchoServer::Serve() {
  std::unordered_map<int, Client> clients;
  const bool stalls = options_.stall_after_ns >= 0 && options_.stall_for_ns > 0;
  const int64_t stall_begin_ns = start_ns_ + options_.stall_after_ns;
  const int64_t stall_end_ns = stall_begin_ns + options_.stall_for_ns;
  bool stall_released = !stalls;
  auto in_stall = [&](int64_t now_ns) { return stalls && now_ns >= stall_begin_ns && now_ns < stall_end_ns; };
  const int64_t drop_begin_ns = start_ns_ + options_.drop_after_ns;
  int64_t drops_left = options_.drop_after_ns >= 0 ? options_.drop_count : 0;
  char buffer[16 * 1024];
  epoll_event events[64];

  for (;;) {
    const int64_t now_ns = NowNs();
    const bool stalled = in_stall(now_ns);
    if (!stall_released && now_ns >= stall_end_ns) {
      stall_released = true;
      for (auto it = clients.begin(); it != clients.end();) {
        it = Flush(epoll_.get(), it->second) ? std::next(it) : clients.erase(it);
      }
    }
    // Wake at the stall's start and end so held responses go out on time (to the millisecond).
    int timeout_ms = -1;
    if (!stall_released) {
      const int64_t next_ns = now_ns < stall_begin_ns ? stall_begin_ns : stall_end_ns;
      timeout_ms = static_cast<int>((next_ns - now_ns + 999'999) / 1'000'000);
    }
    const int count = ::epoll_wait(epoll_.get(), events, 64, timeout_ms);
    if (count < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "epoll_wait");
    for (int e = 0; e < count; ++e) {
      const int fd = events[e].data.fd;
      if (fd == stop_event_.get()) return;
      if (fd == listener_.get()) {
        for (;;) {  // bounded by the accept backlog
          UniqueFd accepted(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
          if (!accepted.valid()) break;
          const int client_fd = accepted.get();
          Watch(epoll_.get(), client_fd, EPOLLIN, EPOLL_CTL_ADD);
          clients[client_fd].fd = std::move(accepted);
        }
        continue;
      }
      auto it = clients.find(fd);
      if (it == clients.end()) continue;
      Client& client = it->second;
      if (events[e].events & EPOLLOUT) {
        if (!stalled && !Flush(epoll_.get(), client)) {
          clients.erase(it);
          continue;
        }
      }
      if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        clients.erase(it);
        continue;
      }
      client.in.append(buffer, static_cast<size_t>(n));
      bool close = false;
      const int64_t received_ns = NowNs();
      for (size_t newline; !close && (newline = client.in.find('\n')) != std::string::npos;) {
        lines_received_.fetch_add(1, std::memory_order_relaxed);
        if (drops_left > 0 && received_ns >= drop_begin_ns) {
          --drops_left;
          lines_dropped_.fetch_add(1, std::memory_order_relaxed);
          client.in.erase(0, newline + 1);
          continue;
        }
        switch (options_.behavior) {
          case Behavior::kEcho: client.out.append(client.in, 0, newline + 1); break;
          case Behavior::kGarbageLine: client.out += "garbage\n"; break;
          case Behavior::kUnterminatedGarbage: client.out.append(kUnterminatedGarbageBytes, 'x'); break;
          case Behavior::kCloseOnRequest: close = true; break;
        }
        client.in.erase(0, newline + 1);
      }
      if (close) {
        clients.erase(it);
        continue;
      }
      if (!in_stall(NowNs()) && !Flush(epoll_.get(), client)) clients.erase(it);
    }
  }
}

}  // namespace claimbench::testing
