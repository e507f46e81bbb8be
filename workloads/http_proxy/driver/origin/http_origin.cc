// http_origin: the upstream server behind every proxy in the http_proxy workload (contract in ../SPEC.md,
// "The origin").
//
// Design: the origin must never be the bottleneck and its answers must be checkable by the load
// generator without shared state, so every response is a pure function of the request target:
// `GET /r/<index>?size=<bytes>[&chunked=1]` is answered 200 with `X-Claimbench-Index: <index>` and a body of
// <bytes> bytes that is a slice of one static pattern ('a'..'z' repeating) starting at <index> % 26. The
// body is never built per request: it is a view into the pattern, written with the head in one gather
// write. Latency profiles delay responses on a timer (never blocking a thread): fixed, a Pareto long tail
// drawn deterministically from the index, and a one-off stall at a known time (the load generator's
// accuracy test).
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "claimbench/impl/marks.h"
#include "http_parser.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using claimbench::http_proxy::BodyFraming;
using claimbench::http_proxy::ChunkedFramer;
using claimbench::http_proxy::ParseError;
using claimbench::http_proxy::ParseLimits;
using claimbench::http_proxy::ParseStatus;
using claimbench::http_proxy::RequestHead;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;  // the largest ?size= served
constexpr size_t kChunkBytes = 16 * 1024;  // chunk size when ?chunked=1

struct OriginOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int threads = 1;
  // Latency profile.
  int64_t fixed_delay_us = 0;
  double pareto_alpha = 0;      // > 0: every response waits fixed + Pareto(min_us, alpha), capped
  int64_t pareto_min_us = 0;
  int64_t pareto_max_us = 0;
  int64_t stall_at_ms = -1;     // >= 0: requests arriving in [at, at + stall) are answered at at + stall
  int64_t stall_ms = 0;
};

// The body pattern: long enough for any offset 0..25 plus the largest body.
const std::string& Pattern() {
  static const std::string pattern = [] {
    std::string p(kMaxBodyBytes + 26, ' ');
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
    return p;
  }();
  return pattern;
}

// SplitMix64 of the index: a uniform draw per request that every run reproduces.
double UniformFromIndex(uint64_t index) {
  uint64_t z = index + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;  // (0, 1)
}

// Parses "/r/<index>?size=<n>[&chunked=1]". False for anything else (answered 404).
bool ParseTarget(std::string_view target, uint64_t& index, size_t& size, bool& chunked) {
  if (target.substr(0, 3) != "/r/") return false;
  target.remove_prefix(3);
  size_t question = target.find('?');
  std::string_view digits = target.substr(0, question);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  size = 0;
  chunked = false;
  if (question == std::string_view::npos) return true;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, 5) == "size=") {
      std::string_view value = pair.substr(5);
      auto [e, err] = std::from_chars(value.data(), value.data() + value.size(), size);
      if (err != std::errc() || e != value.data() + value.size() || size > kMaxBodyBytes) return false;
    } else if (pair == "chunked=1") {
      chunked = true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const OriginOptions& options, Clock::time_point started)
      : socket_(std::move(socket)), options_(options), started_(started), timer_(socket_.get_executor()) {
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
  }

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    ParseLimits limits;
    while (true) {
      RequestHead request;
      ParseError error;
      ParseStatus status;
      while ((status = claimbench::http_proxy::ParseRequestHead(in_, limits, request, error)) == ParseStatus::kIncomplete) {
        if (!co_await Read()) co_return;
      }
      if (status == ParseStatus::kError) {
        std::string body = std::string(error.reason) + "\n";
        co_await Write("HTTP/1.1 " + std::to_string(error.status) + " Bad Request\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
        co_return;
      }
      const Clock::time_point arrived = Clock::now();
      uint64_t index = 0;
      size_t size = 0;
      bool chunked = false;
      const bool found = ParseTarget(request.target, index, size, chunked);
      const bool close = request.connection_close;
      const bool head_only = request.method == "HEAD";
      const BodyFraming framing = request.framing;
      const uint64_t length = request.content_length;
      in_.erase(0, request.head_bytes);
      if (!co_await DiscardBody(framing, length)) co_return;

      if (Clock::duration delay = Delay(index, arrived); delay.count() > 0) {
        timer_.expires_at(arrived + delay);
        co_await timer_.async_wait(kAwait);
      }
      std::string head;
      std::string_view body;
      if (!found) {
        head = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n";
      } else {
        body = std::string_view(Pattern()).substr(index % 26, size);
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Claimbench-Index: " +
               std::to_string(index) + "\r\n";
        head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + std::to_string(size) + "\r\n";
      }
      if (close) head += "Connection: close\r\n";
      head += "\r\n";
      if (head_only) body = {};
      bool ok = chunked && !head_only ? co_await WriteChunked(head, body) : co_await WriteGather(head, body);
      if (!ok || close) co_return;
    }
  }

 private:
  Clock::duration Delay(uint64_t index, Clock::time_point arrived) const {
    int64_t delay_us = options_.fixed_delay_us;
    if (options_.pareto_alpha > 0) {
      double draw = static_cast<double>(options_.pareto_min_us) * std::pow(UniformFromIndex(index), -1.0 / options_.pareto_alpha);
      delay_us += static_cast<int64_t>(std::min(draw, static_cast<double>(options_.pareto_max_us)));
    }
    Clock::duration delay = std::chrono::microseconds(delay_us);
    if (options_.stall_at_ms >= 0) {
      Clock::time_point stall_start = started_ + std::chrono::milliseconds(options_.stall_at_ms);
      Clock::time_point stall_end = stall_start + std::chrono::milliseconds(options_.stall_ms);
      if (arrived >= stall_start && arrived < stall_end) delay = std::max(delay, stall_end - arrived);
    }
    return delay;
  }

  asio::awaitable<bool> Read() {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk_), kAwait);
    if (ec) co_return false;
    in_.append(chunk_.data(), n);
    co_return true;
  }

  asio::awaitable<bool> DiscardBody(BodyFraming framing, uint64_t length) {
    if (framing == BodyFraming::kContentLength) {
      while (length > 0) {
        if (in_.empty() && !co_await Read()) co_return false;
        size_t take = static_cast<size_t>(std::min<uint64_t>(length, in_.size()));
        in_.erase(0, take);
        length -= take;
      }
    } else if (framing == BodyFraming::kChunked) {
      ChunkedFramer framer;
      while (true) {
        if (in_.empty() && !co_await Read()) co_return false;
        size_t consumed = 0;
        ChunkedFramer::Status status = framer.Consume(in_, consumed);
        in_.erase(0, consumed);
        if (status == ChunkedFramer::Status::kError) co_return false;
        if (status == ChunkedFramer::Status::kDone) break;
      }
    }
    co_return true;
  }

  asio::awaitable<bool> Write(std::string bytes) {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), kAwait);
    co_return !ec;
  }

  asio::awaitable<bool> WriteGather(const std::string& head, std::string_view body) {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body.data(), body.size())};
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kAwait);
    co_return !ec;
  }

  asio::awaitable<bool> WriteChunked(std::string head, std::string_view body) {
    std::string framed = std::move(head);
    for (size_t offset = 0; offset < body.size(); offset += kChunkBytes) {
      std::string_view chunk = body.substr(offset, kChunkBytes);
      char size_line[32];
      int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
      framed.append(size_line, static_cast<size_t>(n)).append(chunk).append("\r\n");
    }
    framed += "0\r\n\r\n";
    co_return co_await Write(std::move(framed));
  }

  tcp::socket socket_;
  const OriginOptions& options_;
  Clock::time_point started_;
  asio::steady_timer timer_;
  std::string in_;
  std::array<char, 64 * 1024> chunk_{};
};

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const OriginOptions& options, Clock::time_point started) {
  while (true) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    auto executor = socket.get_executor();
    auto connection = std::make_shared<Connection>(std::move(socket), options, started);
    asio::co_spawn(executor, connection->Run(), asio::detached);
  }
}

int UsageError(const std::string& what) {
  std::fprintf(stderr,
               "http_origin: %s\nusage: http_origin serve --listen HOST:PORT [--threads N] [--delay-us US]\n"
               "       [--pareto MIN_US:ALPHA:MAX_US] [--stall-at-ms MS --stall-ms MS]\n",
               what.c_str());
  return 2;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "serve") return UsageError("the only command is 'serve'");
  OriginOptions options;
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) return UsageError(std::string(flag) + " needs a value");
    std::string_view value = argv[++i];
    if (flag == "--listen") {
      size_t colon = value.rfind(':');
      if (colon == std::string_view::npos || !ParseNumber(value.substr(colon + 1), options.port)) {
        return UsageError("--listen wants HOST:PORT");
      }
      options.host = std::string(value.substr(0, colon));
    } else if (flag == "--threads") {
      if (!ParseNumber(value, options.threads) || options.threads < 1) return UsageError("--threads wants N >= 1");
    } else if (flag == "--delay-us") {
      if (!ParseNumber(value, options.fixed_delay_us) || options.fixed_delay_us < 0) return UsageError("--delay-us wants US >= 0");
    } else if (flag == "--pareto") {
      size_t a = value.find(':'), b = value.rfind(':');
      if (a == b || !ParseNumber(value.substr(0, a), options.pareto_min_us) ||
          !ParseNumber(value.substr(b + 1), options.pareto_max_us)) {
        return UsageError("--pareto wants MIN_US:ALPHA:MAX_US, e.g. 100:1.5:200000");
      }
      options.pareto_alpha = std::strtod(std::string(value.substr(a + 1, b - a - 1)).c_str(), nullptr);
      if (options.pareto_alpha <= 0) return UsageError("--pareto's ALPHA must be > 0");
    } else if (flag == "--stall-at-ms") {
      if (!ParseNumber(value, options.stall_at_ms)) return UsageError("--stall-at-ms wants MS");
    } else if (flag == "--stall-ms") {
      if (!ParseNumber(value, options.stall_ms)) return UsageError("--stall-ms wants MS");
    } else {
      return UsageError("unknown option '" + std::string(flag) + "'");
    }
  }
  Pattern();  // build it before saying ready
  asio::io_context io(options.threads);
  error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(options.host, ec), options.port);
  if (ec) return UsageError("--listen wants a numeric address");
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "http_origin: cannot listen on %s:%u: %s\n", options.host.c_str(), options.port, ec.message().c_str());
    return 1;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  asio::co_spawn(io, Accept(acceptor, options, Clock::now()), asio::detached);
  claimbench::impl::Mark("ready");
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : threads) thread.join();
  return 0;
}
