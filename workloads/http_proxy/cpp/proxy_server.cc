#include "proxy_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace claimbench::http_proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// Completion token: errors come back as values, so nothing throws on the hot path.
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// Reads wait in a small per-connection buffer, so an idle connection holds little memory; whatever else is
// ready is then drained synchronously into a per-thread buffer (safe: nothing else runs on this thread
// between the two calls).
constexpr size_t kWaitBufferBytes = 256;
constexpr size_t kDrainBufferBytes = 64 * 1024;
// While a request is being forwarded, reads use a buffer this large, so that a typical response arrives
// in one read; it is given back when the request is done.
constexpr size_t kForwardBufferBytes = 16 * 1024;
// Client bytes a connection keeps buffered between requests; the upstream-side buffers are given back
// after every response (a malloc and a free per request, against kilobytes per idle connection).
constexpr size_t kKeptBufferBytes = 1024;

std::string_view StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

// A complete error response that says why, and closes.
std::string ErrorResponse(int status, std::string_view why) {
  std::string body(why);
  body += '\n';
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(StatusText(status)) +
                         "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n";
  return response + body;
}

// Every Connection field's options, joined: hop-by-hop removal must honour all of them.
std::string ConnectionOptions(const MessageHead& head) {
  std::string options;
  for (const Field& field : head.fields) {
    if (EqualsIgnoreCase(field.name, "connection")) options.append(field.value).append(",");
  }
  return options;
}

// Idle upstream connections per host, shared by every thread.
class UpstreamPool {
 public:
  UpstreamPool(std::vector<tcp::endpoint> endpoints, size_t max_idle)
      : endpoints_(std::move(endpoints)), idle_(endpoints_.size()), max_idle_(max_idle) {}

  size_t NextHost() { return next_.fetch_add(1, std::memory_order_relaxed) % endpoints_.size(); }
  const tcp::endpoint& Endpoint(size_t host) const { return endpoints_[host]; }

  std::optional<tcp::socket> Take(size_t host) {
    std::lock_guard lock(mutex_);
    if (idle_[host].empty()) return std::nullopt;
    tcp::socket socket = std::move(idle_[host].back());
    idle_[host].pop_back();
    return socket;
  }

  void Give(size_t host, tcp::socket socket) {
    std::lock_guard lock(mutex_);
    if (idle_[host].size() < max_idle_) idle_[host].push_back(std::move(socket));
  }

 private:
  std::vector<tcp::endpoint> endpoints_;
  std::mutex mutex_;
  std::vector<std::vector<tcp::socket>> idle_;
  size_t max_idle_;
  std::atomic<size_t> next_{0};
};

// What a deadline guards, so that the session knows what to answer when it passes.
enum class Phase { kNone, kIdle, kHeader, kBody, kConnect, kUpstream, kLinger };

// One client connection and its requests, in order. Lives in a shared_ptr held by its two coroutines.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, const ProxyOptions& options, UpstreamPool& pool)
      : client_(std::move(client)), options_(options), pool_(pool), watchdog_(client_.get_executor()) {
    error_code ec;
    client_.set_option(tcp::no_delay(true), ec);
    client_.non_blocking(true, ec);
    granularity_ = std::min({options_.header_timeout, options_.idle_timeout, options_.body_timeout,
                             options_.upstream_connect_timeout, options_.upstream_read_timeout,
                             std::chrono::milliseconds(1000)});
    auto remote = client_.remote_endpoint(ec);
    if (!ec) client_address_ = remote.address().to_string();
  }

  // Starts serving; the session keeps itself alive (its handlers hold it) until the connection closes.
  void Start() {
    ArmWatchdog();
    WaitForRequest();
  }

 private:
  // Between requests a connection has no coroutine at all, only this read into the small wait buffer, so
  // an idle keep-alive connection costs the session object and one pending operation. Its first bytes
  // start a coroutine that serves requests until the connection is idle again.
  void WaitForRequest() {
    expired_ = Phase::kNone;
    TrimBuffers();
    SetDeadline(Phase::kIdle, options_.idle_timeout);
    client_.async_read_some(asio::buffer(wait_buffer_), [self = shared_from_this()](const error_code& ec, size_t n) {
      if (ec) {
        self->Close();  // idle timeout or the client left: close quietly
        return;
      }
      self->in_.append(self->wait_buffer_.data(), n);
      asio::co_spawn(self->client_.get_executor(), self->ServeUntilIdle(), asio::detached);
    });
  }

  asio::awaitable<void> ServeUntilIdle() {
    auto self = shared_from_this();  // alive until Serve() returns, whatever the watchdog does
    if (co_await Serve()) {
      WaitForRequest();
    } else {
      Close();
    }
  }

  void Close() {
    closed_ = true;
    watchdog_.cancel();
    error_code ec;
    client_.close(ec);
    if (upstream_) upstream_->close(ec);
  }

  // The watchdog wakes at the current deadline or after `granularity_` (the shortest timeout), whichever
  // is first; when the deadline has passed, it cancels the sockets so the pending operation fails with
  // operation_aborted and the session sees expired_ set. Because a new deadline is never earlier than the
  // next wake-up, moving it never re-arms the timer: no timer operation per request. A plain handler
  // rather than a second coroutine keeps an idle connection small.
  void ArmWatchdog() {
    watchdog_.expires_at(std::min(deadline_, Clock::now() + granularity_));
    watchdog_.async_wait([self = shared_from_this()](const error_code&) { self->OnWatchdog(); });
  }

  void OnWatchdog() {
    if (closed_) return;
    if (deadline_ <= Clock::now()) {
      expired_ = phase_;
      deadline_ = Clock::time_point::max();
      error_code ec;
      client_.cancel(ec);
      if (upstream_) upstream_->cancel(ec);
    }
    ArmWatchdog();
  }

  void SetDeadline(Phase phase, std::chrono::milliseconds after) {
    phase_ = phase;
    deadline_ = Clock::now() + after;
  }

  // Appends what `socket` has to `into`: waits for the first bytes, then takes what else is ready.
  // Returns the error (eof when the peer closed).
  asio::awaitable<error_code> ReadInto(tcp::socket& socket, std::string& into) {
    asio::mutable_buffer buffer = forward_buffer_ ? asio::buffer(forward_buffer_.get(), kForwardBufferBytes)
                                                  : asio::buffer(wait_buffer_);
    auto [ec, n] = co_await socket.async_read_some(buffer, kAwait);
    if (ec) co_return ec;
    into.append(static_cast<const char*>(buffer.data()), n);
    if (n < buffer.size()) co_return error_code();
    thread_local std::array<char, kDrainBufferBytes> drain;
    while (true) {
      error_code drain_ec;
      size_t more = socket.read_some(asio::buffer(drain), drain_ec);
      into.append(drain.data(), more);
      if (drain_ec || more < drain.size()) break;  // would_block, or eof that the next read reports
    }
    co_return error_code();
  }

  // Reads more client bytes into in_. False on EOF, error or timeout.
  asio::awaitable<bool> ReadClient() { co_return !co_await ReadInto(client_, in_); }

  // Gives back buffer memory a large message left behind, so that idle connections stay small.
  void TrimBuffers() {
    if (in_.empty() && in_.capacity() > kKeptBufferBytes) std::string().swap(in_);
    std::string().swap(up_in_);
    std::string().swap(out_);
    forward_buffer_.reset();
  }

  asio::awaitable<bool> WriteClient(std::string_view bytes) {
    auto [ec, n] = co_await asio::async_write(client_, asio::buffer(bytes.data(), bytes.size()), kAwait);
    co_return !ec;
  }

  // Sends an error response, then closes gracefully: stop sending, and drain what the client still sends
  // for a moment, so that the kernel does not reset the connection and destroy the response in flight.
  asio::awaitable<void> RespondAndClose(int status, std::string_view why) {
    SetDeadline(Phase::kLinger, std::chrono::milliseconds(1000));
    if (!co_await WriteClient(ErrorResponse(status, why))) co_return;
    error_code ec;
    client_.shutdown(tcp::socket::shutdown_send, ec);
    while (true) {
      in_.clear();
      if (co_await ReadInto(client_, in_)) break;
    }
  }

  // Serves requests, pipelined ones included, until none is buffered. True when the connection is then
  // idle and stays open; false when it must close.
  asio::awaitable<bool> Serve() {
    while (true) {
      // A request head: header_timeout for the whole head from its first byte (which WaitForRequest read).
      expired_ = Phase::kNone;
      TrimBuffers();
      if (in_.empty()) co_return true;
      SetDeadline(Phase::kHeader, options_.header_timeout);
      RequestHead request;
      ParseError error;
      ParseStatus status;
      while ((status = ParseRequestHead(in_, options_.limits, request, error)) == ParseStatus::kIncomplete) {
        if (!co_await ReadClient()) {
          if (expired_ == Phase::kHeader) co_await RespondAndClose(408, "the request head took too long (RFC 9110 section 15.5.9)");
          co_return false;
        }
      }
      if (status == ParseStatus::kError) {
        co_await RespondAndClose(error.status, std::string(error.reason) + " (" + std::string(error.rfc_section) + ")");
        co_return false;
      }
      bool keep_going = co_await Forward(request);
      if (!keep_going) co_return false;
    }
  }

  // The request head as the upstream gets it: HTTP/1.1, hop-by-hop fields removed, the framing field
  // restated, X-Forwarded-For appended.
  std::string UpstreamHead(const RequestHead& request) const {
    std::string head;
    head.reserve(request.head_bytes + 64);
    head.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    const std::string connection = ConnectionOptions(request);
    std::string forwarded_for;
    for (const Field& field : request.fields) {
      if (EqualsIgnoreCase(field.name, "x-forwarded-for")) {
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for.append(field.value);
        continue;
      }
      if (IsHopByHop(field.name, connection)) continue;
      head.append(field.name).append(": ").append(field.value).append("\r\n");
    }
    if (request.framing == BodyFraming::kChunked) {
      for (const Field& field : request.fields) {
        if (EqualsIgnoreCase(field.name, "transfer-encoding")) {
          head.append("Transfer-Encoding: ").append(field.value).append("\r\n");
        }
      }
    }
    if (request.Find("host").empty() && request.version_minor == 0) {
      // HTTP/1.0 needs no Host; the HTTP/1.1 request we send does (RFC 9112 section 3.2).
      const HostPort& upstream = options_.upstreams[current_host_];
      head.append("Host: ").append(upstream.host).append(":").append(std::to_string(upstream.port)).append("\r\n");
    }
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += client_address_;
    head.append("X-Forwarded-For: ").append(forwarded_for).append("\r\n\r\n");
    return head;
  }

  // The response head as the client gets it. `dechunk` drops the chunked coding (HTTP/1.0 clients).
  static std::string ClientHead(const ResponseHead& response, bool close, bool dechunk, int client_minor) {
    std::string head;
    head.reserve(response.head_bytes + 32);
    head.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ").append(response.reason).append("\r\n");
    const std::string connection = ConnectionOptions(response);
    for (const Field& field : response.fields) {
      if (IsHopByHop(field.name, connection)) continue;
      head.append(field.name).append(": ").append(field.value).append("\r\n");
    }
    if (response.framing == BodyFraming::kChunked && !dechunk) {
      for (const Field& field : response.fields) {
        if (EqualsIgnoreCase(field.name, "transfer-encoding")) {
          head.append("Transfer-Encoding: ").append(field.value).append("\r\n");
        }
      }
    }
    if (close) {
      head.append("Connection: close\r\n");
    } else if (client_minor == 0) {
      head.append("Connection: keep-alive\r\n");
    }
    head.append("\r\n");
    return head;
  }

  // Gets an upstream connection: a pooled one if there is one, else a new one. On failure answers the
  // client (502 refused, 504 timed out) and returns false.
  asio::awaitable<bool> Connect(size_t host, bool& reused) {
    if (std::optional<tcp::socket> pooled = pool_.Take(host)) {
      upstream_.emplace(std::move(*pooled));
      reused = true;
      co_return true;
    }
    reused = false;
    upstream_.emplace(client_.get_executor());
    SetDeadline(Phase::kConnect, options_.upstream_connect_timeout);
    auto [ec] = co_await upstream_->async_connect(pool_.Endpoint(host), kAwait);
    if (ec) {
      bool timed_out = expired_ == Phase::kConnect;
      upstream_.reset();
      co_await RespondAndClose(timed_out ? 504 : 502, timed_out ? "the upstream did not accept the connection in time"
                                                                : "the upstream refused the connection");
      co_return false;
    }
    error_code option_ec;
    upstream_->set_option(tcp::no_delay(true), option_ec);
    upstream_->non_blocking(true, option_ec);
    co_return true;
  }

  void DropUpstream() {
    if (!upstream_) return;
    error_code ec;
    upstream_->close(ec);
    upstream_.reset();
  }

  // Forwards one request and its response. True when the client connection stays open for the next one.
  asio::awaitable<bool> Forward(const RequestHead& request) {
    const size_t host = pool_.NextHost();
    current_host_ = host;
    if (!forward_buffer_) forward_buffer_ = std::make_unique_for_overwrite<char[]>(kForwardBufferBytes);
    const bool client_close = request.connection_close;
    const bool has_body = request.framing != BodyFraming::kNone &&
                          !(request.framing == BodyFraming::kContentLength && request.content_length == 0);
    std::string head = UpstreamHead(request);
    const std::string method(request.method);  // request's views die when in_ is consumed below
    const int client_minor = request.version_minor;
    const BodyFraming request_framing = request.framing;
    const uint64_t request_length = request.content_length;
    in_.erase(0, request.head_bytes);

    // A pooled connection the upstream closed meanwhile fails at once; a bodiless request is then
    // retried once on a fresh connection (nothing of it can have been processed).
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      if (!co_await Connect(host, reused)) co_return false;
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      auto [write_ec, written] = co_await asio::async_write(*upstream_, asio::buffer(head), kAwait);
      if (write_ec) {
        DropUpstream();
        if (reused && !has_body && attempt == 0) continue;
        co_await RespondAndClose(502, "the upstream connection failed while sending the request");
        co_return false;
      }
      if (has_body) {
        int body_result = co_await ForwardRequestBody(request_framing, request_length);
        if (body_result != 0) {
          DropUpstream();
          if (body_result == 400) co_await RespondAndClose(400, body_error_);
          if (body_result == 502) co_await RespondAndClose(502, "the upstream connection failed while sending the body");
          co_return false;
        }
      }
      int result = co_await ForwardResponse(method, client_minor, client_close, reused && !has_body && attempt == 0);
      if (result == kRetry) {
        DropUpstream();
        continue;
      }
      co_return result == kKeepAlive;
    }
  }

  // Streams the request body to the upstream. 0 when done; 400 (framing error: body_error_ says why),
  // 502 (upstream write failed) or -1 (client gone or too slow) otherwise.
  asio::awaitable<int> ForwardRequestBody(BodyFraming framing, uint64_t length) {
    if (framing == BodyFraming::kContentLength) {
      uint64_t remaining = length;
      while (remaining > 0) {
        if (in_.empty()) {
          SetDeadline(Phase::kBody, options_.body_timeout);
          if (!co_await ReadClient()) co_return -1;
        }
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, in_.size()));
        SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
        auto [ec, n] = co_await asio::async_write(*upstream_, asio::buffer(in_.data(), take), kAwait);
        if (ec) co_return 502;
        in_.erase(0, take);
        remaining -= take;
      }
      co_return 0;
    }
    ChunkedFramer framer;
    while (true) {
      if (in_.empty()) {
        SetDeadline(Phase::kBody, options_.body_timeout);
        if (!co_await ReadClient()) co_return -1;
      }
      size_t consumed = 0;
      ChunkedFramer::Status status = framer.Consume(in_, consumed);
      if (status == ChunkedFramer::Status::kError) {
        body_error_ = std::string(framer.error().reason) + " (" + std::string(framer.error().rfc_section) + ")";
        co_return 400;
      }
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      auto [ec, n] = co_await asio::async_write(*upstream_, asio::buffer(in_.data(), consumed), kAwait);
      if (ec) co_return 502;
      in_.erase(0, consumed);
      if (status == ChunkedFramer::Status::kDone) co_return 0;
    }
  }

  static constexpr int kKeepAlive = 1, kClose = 0, kRetry = 2;

  // Reads the upstream's response head and streams the response to the client.
  asio::awaitable<int> ForwardResponse(const std::string& method, int client_minor, bool client_close, bool may_retry) {
    up_in_.clear();
    ResponseHead response;
    ParseError error;
    while (true) {
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      ParseStatus status;
      while ((status = ParseResponseHead(up_in_, method, options_.limits, response, error)) == ParseStatus::kIncomplete) {
        if (error_code ec = co_await ReadInto(*upstream_, up_in_)) {
          if (may_retry && up_in_.empty() && expired_ != Phase::kUpstream) co_return kRetry;
          bool timed_out = expired_ == Phase::kUpstream;
          DropUpstream();
          co_await RespondAndClose(timed_out ? 504 : 502, timed_out ? "the upstream did not answer in time"
                                                                    : "the upstream closed the connection without a response");
          co_return kClose;
        }
      }
      if (status == ParseStatus::kError) {
        DropUpstream();
        co_await RespondAndClose(502, "the upstream's response is malformed: " + std::string(error.reason) + " (" +
                                          std::string(error.rfc_section) + ")");
        co_return kClose;
      }
      if (response.status >= 200 || response.status == 101) break;
      // An interim 1xx response: forward it and read the final one.
      std::string interim = ClientHead(response, false, false, 1);
      up_in_.erase(0, response.head_bytes);
      if (client_minor == 1 && !co_await WriteClient(interim)) co_return kClose;
    }
    if (response.status == 101) {  // no upgrades through this proxy: hop-by-hop Upgrade was removed
      DropUpstream();
      co_await RespondAndClose(502, "the upstream switched protocols, which this proxy does not forward");
      co_return kClose;
    }
    const bool dechunk = client_minor == 0 && response.framing == BodyFraming::kChunked;
    const bool close = client_close || response.framing == BodyFraming::kUntilClose || dechunk;
    const bool upstream_reusable = !response.connection_close && response.framing != BodyFraming::kUntilClose;
    const BodyFraming framing = response.framing;
    const uint64_t length = response.content_length;
    out_ = ClientHead(response, close, dechunk, client_minor);
    up_in_.erase(0, response.head_bytes);

    bool ok = co_await StreamResponseBody(framing, length, dechunk);
    if (!ok) {
      DropUpstream();
      co_return kClose;
    }
    if (upstream_reusable && up_in_.empty()) {
      pool_.Give(current_host_, std::move(*upstream_));
      upstream_.reset();
    } else {
      DropUpstream();
    }
    if (close) {
      error_code ec;
      client_.shutdown(tcp::socket::shutdown_send, ec);
      co_return kClose;
    }
    co_return kKeepAlive;
  }

  // Streams the response body from up_in_ and the upstream to the client; out_ holds the head, sent with
  // the first bytes of the body. False when either side failed (the client then gets no more bytes).
  asio::awaitable<bool> StreamResponseBody(BodyFraming framing, uint64_t length, bool dechunk) {
    ChunkedFramer framer;
    uint64_t remaining = framing == BodyFraming::kContentLength ? length : 0;
    bool done = framing == BodyFraming::kNone || (framing == BodyFraming::kContentLength && length == 0);
    while (true) {
      // Move what is buffered (up to the end of the message) into out_.
      if (!done && !up_in_.empty()) {
        if (framing == BodyFraming::kContentLength) {
          size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, up_in_.size()));
          out_.append(up_in_, 0, take);
          up_in_.erase(0, take);
          remaining -= take;
          done = remaining == 0;
        } else if (framing == BodyFraming::kChunked) {
          size_t consumed = 0;
          size_t before = out_.size();
          ChunkedFramer::Status status = framer.Consume(up_in_, consumed, dechunk ? &out_ : nullptr);
          if (status == ChunkedFramer::Status::kError) co_return false;  // the client sees a truncated body
          if (!dechunk) out_.append(up_in_, 0, consumed);
          (void)before;
          up_in_.erase(0, consumed);
          done = status == ChunkedFramer::Status::kDone;
        } else {  // kUntilClose
          out_.append(up_in_);
          up_in_.clear();
        }
      }
      if (!out_.empty()) {
        if (!co_await WriteClient(out_)) co_return false;
        out_.clear();
      }
      if (done) co_return true;
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      if (error_code ec = co_await ReadInto(*upstream_, up_in_)) {
        co_return framing == BodyFraming::kUntilClose && ec == asio::error::eof;
      }
    }
  }

  tcp::socket client_;
  const ProxyOptions& options_;
  UpstreamPool& pool_;
  asio::steady_timer watchdog_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Phase phase_ = Phase::kNone;
  Phase expired_ = Phase::kNone;
  bool closed_ = false;
  std::optional<tcp::socket> upstream_;
  size_t current_host_ = 0;
  std::string client_address_;
  std::string in_;      // client bytes not yet forwarded
  std::string up_in_;   // upstream bytes not yet forwarded
  std::string out_;     // bytes for the client
  std::string body_error_;
  std::chrono::milliseconds granularity_{1000};
  std::array<char, kWaitBufferBytes> wait_buffer_{};
  std::unique_ptr<char[]> forward_buffer_;  // only while a request is forwarded
};

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const ProxyOptions& options, UpstreamPool& pool) {
  while (acceptor.is_open()) {
    // With one thread nothing runs concurrently, so a strand per connection would only cost.
    asio::any_io_executor executor = options.threads > 1 ? asio::any_io_executor(asio::make_strand(acceptor.get_executor()))
                                                         : acceptor.get_executor();
    auto [ec, socket] = co_await acceptor.async_accept(executor, kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: wait a little instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(kAwait);
      continue;
    }
    asio::any_io_executor session_executor = socket.get_executor();
    auto session = std::make_shared<Session>(std::move(socket), options, pool);
    asio::dispatch(session_executor, [session] { session->Start(); });  // on its strand, if it has one
  }
}

std::vector<tcp::endpoint> Resolve(asio::io_context& io, const HostPort& where) {
  tcp::resolver resolver(io);
  error_code ec;
  auto results = resolver.resolve(where.host, std::to_string(where.port), tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve '" + where.host + "': " + ec.message() + "; give a numeric address");
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

}  // namespace

bool ParseHostPort(std::string_view text, HostPort& out) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535 || port.empty()) return false;
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(value);
  return true;
}

void RunProxy(const ProxyOptions& options, const std::function<void()>& on_listening) {
  asio::io_context io(options.threads);
  std::vector<tcp::endpoint> upstreams;
  for (const HostPort& upstream : options.upstreams) upstreams.push_back(Resolve(io, upstream).front());
  UpstreamPool pool(std::move(upstreams), options.max_idle_upstream_connections);

  tcp::endpoint listen_at = Resolve(io, options.listen).front();
  tcp::acceptor acceptor(io);
  error_code ec;
  acceptor.open(listen_at.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(listen_at, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + options.listen.host + ":" + std::to_string(options.listen.port) +
                             ": " + ec.message() + "; choose another port");
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code&, int) { io.stop(); });
  asio::co_spawn(io, Accept(acceptor, options, pool), asio::detached);
  on_listening();

  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace claimbench::http_proxy
