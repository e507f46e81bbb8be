#include "proxy_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>

#include <boost/asio.hpp>

namespace claimbench::http_proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
// Sockets bound to the thread's io_context type rather than the polymorphic any_io_executor: smaller
// sockets and pending operations, which is most of what an idle connection costs.
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

// Completion token: errors come back as values, so nothing throws on the hot path.
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// Reads use a buffer this large (part of a busy connection's buffers), so that a typical response
// arrives in one read; when it fills, whatever else is ready is drained synchronously into a per-thread
// buffer (safe: nothing else runs on this thread between the two calls).
constexpr size_t kForwardBufferBytes = 16 * 1024;
constexpr size_t kDrainBufferBytes = 64 * 1024;
// A busy connection's buffers go back to the thread's spares after a request unless one grew beyond this
// (a large message): then they are freed.
constexpr size_t kMaxKeptBufferBytes = 64 * 1024;

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

bool IsContinueExpectation(const Field& field) {
  return EqualsIgnoreCase(field.name, "expect") && EqualsIgnoreCase(field.value, "100-continue");
}

// Every Connection field's options, joined: hop-by-hop removal must honour all of them.
std::string ConnectionOptions(const MessageHead& head) {
  std::string options;
  for (const Field& field : head.fields) {
    if (EqualsIgnoreCase(field.name, "connection")) options.append(field.value).append(",");
  }
  return options;
}

// Idle upstream connections per host, one pool per thread: a thread's sessions use only its own pool,
// so taking or returning a connection takes no lock.
class UpstreamPool {
 public:
  UpstreamPool(std::vector<tcp::endpoint> endpoints, size_t max_idle)
      : endpoints_(std::move(endpoints)), idle_(endpoints_.size()), max_idle_(max_idle) {}

  size_t NextHost() { return next_++ % endpoints_.size(); }
  const tcp::endpoint& Endpoint(size_t host) const { return endpoints_[host]; }

  std::optional<Socket> Take(size_t host) {
    if (idle_[host].empty()) return std::nullopt;
    Socket socket = std::move(idle_[host].back());
    idle_[host].pop_back();
    return socket;
  }

  void Give(size_t host, Socket socket) {
    if (idle_[host].size() < max_idle_) idle_[host].push_back(std::move(socket));
  }

 private:
  std::vector<tcp::endpoint> endpoints_;
  std::vector<std::vector<Socket>> idle_;
  size_t max_idle_;
  size_t next_ = 0;
};

// What a deadline guards, so that the session knows what to answer when it passes.
enum class Phase { kNone, kIdle, kHeader, kBody, kConnect, kUpstream, kLinger };

// What a connection needs only while it serves a request: buffers and the upstream connection. Taken
// from the thread's spares when the first bytes of a request arrive and given back when the connection is
// idle again, so an idle connection holds none of it and a busy one allocates nothing per request.
struct Busy {
  std::string in;      // client bytes not yet forwarded
  std::string up_in;   // upstream bytes not yet forwarded
  std::string out;     // bytes for the client
  std::string body_error;
  std::string upstream_head;  // the request head as forwarded
  std::optional<Socket> upstream;
  std::unique_ptr<char[]> read_buffer = std::make_unique_for_overwrite<char[]>(kForwardBufferBytes);
};

class Session;

// Everything one thread's connections share. Each thread runs its own io_context (no locks inside Asio:
// BOOST_ASIO_CONCURRENCY_HINT_UNSAFE) with its own acceptor (SO_REUSEPORT when there are several), so a
// connection lives on one thread from accept to close and nothing is handed between threads.
struct ThreadContext {
  ThreadContext(std::vector<tcp::endpoint> upstreams, const ProxyOptions& options)
      : io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), pool(std::move(upstreams), options.max_idle_upstream_connections),
        sweeper(io) {}

  std::unique_ptr<Busy> TakeBusy() {
    ++taken_since_sweep;
    if (spare.empty()) return std::make_unique<Busy>();
    std::unique_ptr<Busy> busy = std::move(spare.back());
    spare.pop_back();
    return busy;
  }

  void GiveBusy(std::unique_ptr<Busy> busy) {
    if (spare.size() >= kMaxSpareBusy || busy->in.capacity() > kMaxKeptBufferBytes ||
        busy->up_in.capacity() > kMaxKeptBufferBytes || busy->out.capacity() > kMaxKeptBufferBytes) {
      return;  // freed: large or surplus buffers are not kept
    }
    busy->upstream.reset();
    busy->in.clear();
    busy->up_in.clear();
    busy->out.clear();
    spare.push_back(std::move(busy));
  }

  static constexpr size_t kMaxSpareBusy = 64;
  // Declared first, so destroyed last: destroying `io` destroys the handlers that hold the sessions, and a
  // session's destructor takes itself off this list.
  Session* sessions = nullptr;  // intrusive list of this thread's live sessions
  asio::io_context io;
  UpstreamPool pool;
  asio::steady_timer sweeper;  // wakes every sweep period to enforce the sessions' deadlines
  std::vector<std::unique_ptr<Busy>> spare;
  size_t taken_since_sweep = 0;
};

// Set by the signal handler; every thread's sweeper stops its io_context when it sees it.
std::atomic<bool> g_stopping{false};

// One client connection and its requests, in order. Lives in a shared_ptr held by its pending handler or
// coroutine; the thread's session list holds a plain pointer that the destructor removes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket client, const ProxyOptions& options, ThreadContext& context)
      : client_(std::move(client)), options_(options), context_(context) {
    error_code ec;
    client_.set_option(tcp::no_delay(true), ec);
    client_.non_blocking(true, ec);
    auto remote = client_.remote_endpoint(ec);
    if (!ec) client_address_ = remote.address().to_string();
    next_ = context_.sessions;
    if (next_) next_->prev_ = this;
    context_.sessions = this;
  }

  ~Session() {
    if (prev_) prev_->next_ = next_;
    else context_.sessions = next_;
    if (next_) next_->prev_ = prev_;
  }

  Session* next() const { return next_; }

  // Starts serving; the session keeps itself alive (its handlers hold it) until the connection closes.
  void Start() { WaitForRequest(); }

  // Called by the thread's sweeper: when the deadline has passed, cancels the sockets so the pending
  // operation fails with operation_aborted and the session sees expired_ set.
  void Sweep(Clock::time_point now) {
    if (closed_ || deadline_ > now) return;
    expired_ = phase_;
    deadline_ = Clock::time_point::max();
    error_code ec;
    client_.cancel(ec);
    if (busy_ && busy_->upstream) busy_->upstream->cancel(ec);
  }

 private:
  // Between requests a connection has no coroutine and no buffer, only a wait for readability, so an
  // idle keep-alive connection costs the session object and one pending wait. Its first bytes start a
  // coroutine that serves requests until the connection is idle again.
  void WaitForRequest() {
    switch (ReadAvailable()) {
      case Read::kBytes: asio::co_spawn(client_.get_executor(), ServeUntilIdle(), asio::detached); break;
      case Read::kNothing: WaitIdle(); break;
      case Read::kClosed: Close(); break;
    }
  }

  // Asio's readiness wait does not look at the socket before it waits, and epoll reports only new bytes,
  // so bytes that arrived before the wait is registered are read here first (race-free: this thread's
  // reactor cannot run between this read and the registration of the wait).
  enum class Read { kBytes, kNothing, kClosed };
  Read ReadAvailable() {
    expired_ = Phase::kNone;
    SetDeadline(Phase::kIdle, options_.idle_timeout);
    if (!busy_) busy_ = context_.TakeBusy();
    error_code ec;
    size_t n = client_.read_some(asio::buffer(busy_->read_buffer.get(), kForwardBufferBytes), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return Read::kNothing;
    if (ec) return Read::kClosed;  // the client left
    busy_->in.append(busy_->read_buffer.get(), n);
    return Read::kBytes;
  }

  void WaitIdle() {
    context_.GiveBusy(std::move(busy_));
    client_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
      if (ec) {
        self->Close();  // idle timeout: close quietly
        return;
      }
      self->WaitForRequest();  // reads what woke it (or waits again after a spurious wake-up)
    });
  }

  // Serves requests while the client keeps sending them; returns when the connection is idle (then
  // waiting for readability) or closed.
  asio::awaitable<void> ServeUntilIdle() {
    auto self = shared_from_this();  // alive until this returns, whatever the sweeper does
    while (co_await Serve()) {
      switch (ReadAvailable()) {
        case Read::kBytes: continue;  // the next request is already here: serve it in this coroutine
        case Read::kNothing: WaitIdle(); co_return;
        case Read::kClosed: Close(); co_return;
      }
    }
    Close();
  }

  void Close() {
    closed_ = true;
    error_code ec;
    client_.close(ec);
    if (busy_) {
      if (busy_->upstream) busy_->upstream->close(ec);
      busy_->upstream.reset();
      context_.GiveBusy(std::move(busy_));
    }
  }

  void SetDeadline(Phase phase, std::chrono::milliseconds after) {
    phase_ = phase;
    deadline_ = Clock::now() + after;
  }

  // Appends what `socket` has to `into`: waits for the first bytes, then takes what else is ready.
  // Returns the error (eof when the peer closed).
  asio::awaitable<error_code> ReadInto(Socket& socket, std::string& into) {
    asio::mutable_buffer buffer = asio::buffer(busy_->read_buffer.get(), kForwardBufferBytes);
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

  // Reads more client bytes into busy_->in. False on EOF, error or timeout.
  asio::awaitable<bool> ReadClient() { co_return !co_await ReadInto(client_, busy_->in); }

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
      busy_->in.clear();
      if (co_await ReadInto(client_, busy_->in)) break;
    }
  }

  // Serves requests, pipelined ones included, until none is buffered. True when the connection is then
  // idle and stays open; false when it must close.
  asio::awaitable<bool> Serve() {
    while (true) {
      // A request head: header_timeout for the whole head from its first byte (which WaitForRequest read).
      expired_ = Phase::kNone;
      if (busy_->in.empty()) co_return true;
      SetDeadline(Phase::kHeader, options_.header_timeout);
      // The thread's scratch head (its field vector is reused, so parsing allocates nothing). Another
      // session on this thread may overwrite it while this one waits for bytes, but the loop parses again
      // after every wait, and Forward() copies what it needs before it first waits.
      thread_local RequestHead request;
      ParseError error;
      ParseStatus status;
      while ((status = ParseRequestHead(busy_->in, options_.limits, request, error)) == ParseStatus::kIncomplete) {
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
  // Written into `head` (cleared first), so that its capacity is reused.
  void UpstreamHead(const RequestHead& request, std::string& head) const {
    head.clear();
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
      if (IsContinueExpectation(field)) continue;  // answered by the proxy itself (see Forward)
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
  }

  // The response head as the client gets it. `dechunk` drops the chunked coding (HTTP/1.0 clients).
  // Appended to `head`.
  static void ClientHead(const ResponseHead& response, bool close, bool dechunk, int client_minor, std::string& head) {
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
  }

  // Gets an upstream connection: a pooled one if there is one, else a new one. On failure answers the
  // client (502 refused, 504 timed out) and returns false.
  asio::awaitable<bool> Connect(size_t host, bool& reused) {
    if (std::optional<Socket> pooled = context_.pool.Take(host)) {
      busy_->upstream.emplace(std::move(*pooled));
      reused = true;
      co_return true;
    }
    reused = false;
    busy_->upstream.emplace(client_.get_executor());
    SetDeadline(Phase::kConnect, options_.upstream_connect_timeout);
    auto [ec] = co_await busy_->upstream->async_connect(context_.pool.Endpoint(host), kAwait);
    if (ec) {
      bool timed_out = expired_ == Phase::kConnect;
      busy_->upstream.reset();
      co_await RespondAndClose(timed_out ? 504 : 502, timed_out ? "the upstream did not accept the connection in time"
                                                                : "the upstream refused the connection");
      co_return false;
    }
    error_code option_ec;
    busy_->upstream->set_option(tcp::no_delay(true), option_ec);
    busy_->upstream->non_blocking(true, option_ec);
    co_return true;
  }

  void DropUpstream() {
    if (!busy_->upstream) return;
    error_code ec;
    busy_->upstream->close(ec);
    busy_->upstream.reset();
  }

  // Forwards one request and its response. True when the client connection stays open for the next one.
  asio::awaitable<bool> Forward(const RequestHead& request) {
    const size_t host = context_.pool.NextHost();
    current_host_ = host;
    const bool client_close = request.connection_close;
    // Expect: 100-continue (RFC 9110 section 10.1.1): the proxy answers 100 itself when it starts reading
    // the body, and does not forward the expectation (an upstream's own 100 would be a second one).
    bool send_continue = request.version_minor == 1 &&
                         std::any_of(request.fields.begin(), request.fields.end(), IsContinueExpectation);
    const bool has_body = request.framing != BodyFraming::kNone &&
                          !(request.framing == BodyFraming::kContentLength && request.content_length == 0);
    std::string& head = busy_->upstream_head;
    UpstreamHead(request, head);
    const std::string method(request.method);  // request's views die when busy_->in is consumed below
    const int client_minor = request.version_minor;
    const BodyFraming request_framing = request.framing;
    const uint64_t request_length = request.content_length;
    busy_->in.erase(0, request.head_bytes);

    // A pooled connection the upstream closed meanwhile fails at once; a bodiless request is then
    // retried once on a fresh connection (nothing of it can have been processed).
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      if (!co_await Connect(host, reused)) co_return false;
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      auto [write_ec, written] = co_await asio::async_write(*busy_->upstream, asio::buffer(head), kAwait);
      if (write_ec) {
        DropUpstream();
        if (reused && !has_body && attempt == 0) continue;
        co_await RespondAndClose(502, "the upstream connection failed while sending the request");
        co_return false;
      }
      if (has_body) {
        if (send_continue && busy_->in.empty()) {  // not if the client sent the body without waiting
          send_continue = false;
          SetDeadline(Phase::kBody, options_.body_timeout);
          if (!co_await WriteClient("HTTP/1.1 100 Continue\r\n\r\n")) {
            DropUpstream();
            co_return false;
          }
        }
        int body_result = co_await ForwardRequestBody(request_framing, request_length);
        if (body_result != 0) {
          DropUpstream();
          if (body_result == 400) co_await RespondAndClose(400, busy_->body_error);
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

  // Streams the request body to the upstream. 0 when done; 400 (framing error: busy_->body_error says why),
  // 502 (upstream write failed) or -1 (client gone or too slow) otherwise.
  asio::awaitable<int> ForwardRequestBody(BodyFraming framing, uint64_t length) {
    if (framing == BodyFraming::kContentLength) {
      uint64_t remaining = length;
      while (remaining > 0) {
        if (busy_->in.empty()) {
          SetDeadline(Phase::kBody, options_.body_timeout);
          if (!co_await ReadClient()) co_return -1;
        }
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, busy_->in.size()));
        SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
        auto [ec, n] = co_await asio::async_write(*busy_->upstream, asio::buffer(busy_->in.data(), take), kAwait);
        if (ec) co_return 502;
        busy_->in.erase(0, take);
        remaining -= take;
      }
      co_return 0;
    }
    ChunkedFramer framer;
    while (true) {
      if (busy_->in.empty()) {
        SetDeadline(Phase::kBody, options_.body_timeout);
        if (!co_await ReadClient()) co_return -1;
      }
      size_t consumed = 0;
      ChunkedFramer::Status status = framer.Consume(busy_->in, consumed);
      if (status == ChunkedFramer::Status::kError) {
        busy_->body_error = std::string(framer.error().reason) + " (" + std::string(framer.error().rfc_section) + ")";
        co_return 400;
      }
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      auto [ec, n] = co_await asio::async_write(*busy_->upstream, asio::buffer(busy_->in.data(), consumed), kAwait);
      if (ec) co_return 502;
      busy_->in.erase(0, consumed);
      if (status == ChunkedFramer::Status::kDone) co_return 0;
    }
  }

  static constexpr int kKeepAlive = 1, kClose = 0, kRetry = 2;

  // Reads the upstream's response head and streams the response to the client.
  asio::awaitable<int> ForwardResponse(const std::string& method, int client_minor, bool client_close, bool may_retry) {
    busy_->up_in.clear();
    thread_local ResponseHead response;  // as in Serve(): re-parsed after every wait, copied before the next
    ParseError error;
    while (true) {
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      ParseStatus status;
      while ((status = ParseResponseHead(busy_->up_in, method, options_.limits, response, error)) == ParseStatus::kIncomplete) {
        if (error_code ec = co_await ReadInto(*busy_->upstream, busy_->up_in)) {
          if (may_retry && busy_->up_in.empty() && expired_ != Phase::kUpstream) co_return kRetry;
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
      std::string interim;
      ClientHead(response, false, false, 1, interim);
      busy_->up_in.erase(0, response.head_bytes);
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
    busy_->out.clear();
    ClientHead(response, close, dechunk, client_minor, busy_->out);
    busy_->up_in.erase(0, response.head_bytes);

    bool ok = co_await StreamResponseBody(framing, length, dechunk);
    if (!ok) {
      DropUpstream();
      co_return kClose;
    }
    if (upstream_reusable && busy_->up_in.empty()) {
      context_.pool.Give(current_host_, std::move(*busy_->upstream));
      busy_->upstream.reset();
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

  // Streams the response body from busy_->up_in and the upstream to the client; busy_->out holds the head, sent with
  // the first bytes of the body. False when either side failed (the client then gets no more bytes).
  asio::awaitable<bool> StreamResponseBody(BodyFraming framing, uint64_t length, bool dechunk) {
    ChunkedFramer framer;
    uint64_t remaining = framing == BodyFraming::kContentLength ? length : 0;
    bool done = framing == BodyFraming::kNone || (framing == BodyFraming::kContentLength && length == 0);
    while (true) {
      // Move what is buffered (up to the end of the message) into busy_->out.
      if (!done && !busy_->up_in.empty()) {
        if (framing == BodyFraming::kContentLength) {
          size_t take = static_cast<size_t>(std::min<uint64_t>(remaining, busy_->up_in.size()));
          busy_->out.append(busy_->up_in, 0, take);
          busy_->up_in.erase(0, take);
          remaining -= take;
          done = remaining == 0;
        } else if (framing == BodyFraming::kChunked) {
          size_t consumed = 0;
          size_t before = busy_->out.size();
          ChunkedFramer::Status status = framer.Consume(busy_->up_in, consumed, dechunk ? &busy_->out : nullptr);
          if (status == ChunkedFramer::Status::kError) co_return false;  // the client sees a truncated body
          if (!dechunk) busy_->out.append(busy_->up_in, 0, consumed);
          (void)before;
          busy_->up_in.erase(0, consumed);
          done = status == ChunkedFramer::Status::kDone;
        } else {  // kUntilClose
          busy_->out.append(busy_->up_in);
          busy_->up_in.clear();
        }
      }
      if (!busy_->out.empty()) {
        if (!co_await WriteClient(busy_->out)) co_return false;
        busy_->out.clear();
      }
      if (done) co_return true;
      SetDeadline(Phase::kUpstream, options_.upstream_read_timeout);
      if (error_code ec = co_await ReadInto(*busy_->upstream, busy_->up_in)) {
        co_return framing == BodyFraming::kUntilClose && ec == asio::error::eof;
      }
    }
  }

  Socket client_;
  const ProxyOptions& options_;
  ThreadContext& context_;
  Session* prev_ = nullptr;  // the thread's session list
  Session* next_ = nullptr;
  Clock::time_point deadline_ = Clock::time_point::max();
  Phase phase_ = Phase::kNone;
  Phase expired_ = Phase::kNone;
  bool closed_ = false;
  size_t current_host_ = 0;
  std::string client_address_;
  std::unique_ptr<Busy> busy_;  // only while a request is served
};

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const ProxyOptions& options, ThreadContext& context) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(context.io, kAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: wait a little instead of spinning.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(kAwait);
      continue;
    }
    std::make_shared<Session>(std::move(socket), options, context)->Start();
  }
}

// The thread's one timer: every `period` it enforces the deadlines of all its sessions (so no session
// holds a timer of its own, and moving a deadline costs one clock read), gives back spare buffers when
// no request came since the last sweep, and stops the thread once the proxy is asked to stop.
void Sweep(ThreadContext& context, std::chrono::milliseconds period) {
  context.sweeper.expires_after(period);
  context.sweeper.async_wait([&context, period](const error_code& ec) {
    if (ec) return;
    if (g_stopping.load(std::memory_order_relaxed)) {
      context.io.stop();
      return;
    }
    const Clock::time_point now = Clock::now();
    for (Session* session = context.sessions; session; session = session->next()) session->Sweep(now);
    if (context.taken_since_sweep == 0 && !context.spare.empty()) {
      context.spare.clear();
      ::malloc_trim(0);  // give the freed pages back, so that memory falls when load does
    }
    context.taken_since_sweep = 0;
    Sweep(context, period);
  });
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
  std::vector<tcp::endpoint> upstreams;
  tcp::endpoint listen_at;
  {
    asio::io_context resolver_io;
    for (const HostPort& upstream : options.upstreams) upstreams.push_back(Resolve(resolver_io, upstream).front());
    listen_at = Resolve(resolver_io, options.listen).front();
  }
  // Deadlines are checked this often: the shortest timeout, at most 1 s and at least 10 ms.
  const std::chrono::milliseconds period =
      std::clamp(std::min({options.header_timeout, options.idle_timeout, options.body_timeout,
                           options.upstream_connect_timeout, options.upstream_read_timeout}),
                 std::chrono::milliseconds(10), std::chrono::milliseconds(1000));

  std::vector<std::unique_ptr<ThreadContext>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  for (int i = 0; i < options.threads; ++i) {
    contexts.push_back(std::make_unique<ThreadContext>(upstreams, options));
    auto acceptor = std::make_unique<tcp::acceptor>(contexts.back()->io);
    error_code ec;
    acceptor->open(listen_at.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && options.threads > 1) {
      // Each thread accepts its own connections; the kernel spreads them across the listeners.
      acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    }
    if (!ec) acceptor->bind(listen_at, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + options.listen.host + ":" + std::to_string(options.listen.port) +
                               ": " + ec.message() + "; choose another port");
    }
    acceptors.push_back(std::move(acceptor));
  }
  g_stopping = false;
  asio::signal_set signals(contexts.front()->io, SIGINT, SIGTERM);
  signals.async_wait([&](const error_code& ec, int) {
    if (ec) return;
    g_stopping = true;  // the other threads see it at their next sweep
    contexts.front()->io.stop();
  });
  for (int i = 0; i < options.threads; ++i) {
    asio::co_spawn(contexts[i]->io, Accept(*acceptors[i], options, *contexts[i]), asio::detached);
    Sweep(*contexts[i], period);
  }
  on_listening();

  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&context = *contexts[i]] { context.io.run(); });
  contexts.front()->io.run();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace claimbench::http_proxy
