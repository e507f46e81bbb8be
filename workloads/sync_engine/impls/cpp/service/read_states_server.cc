#include "read_states_server.h"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace claimbench::sync_service {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kReadBufferBytes = 16 * 1024;  // 512 frames

// Answers the frames in `in`, in order, into `out`. Returns false after a malformed frame (its error
// frame is the last thing in `out`: the connection closes after writing it).
bool AnswerFrames(ReadStatesStore& store, const unsigned char* in, size_t frames,
                  std::vector<unsigned char>& out) {
  out.resize(frames * kFrameBytes);
  for (size_t f = 0; f < frames; ++f) {
    const unsigned char* frame = in + f * kFrameBytes;
    Response response;
    response.op = frame[0];
    std::optional<Request> request = DecodeRequest(frame);
    if (!request) {
      response.status = Status::kMalformed;
      EncodeResponse(response, out.data() + f * kFrameBytes);
      out.resize((f + 1) * kFrameBytes);
      return false;
    }
    if (std::optional<ReadState> state = store.Execute(*request)) {
      response.key = request->key;
      response.state = *state;
    } else {
      response.status = Status::kOutOfRange;
    }
    EncodeResponse(response, out.data() + f * kFrameBytes);
  }
  return true;
}

// One client connection: read what arrived, answer every whole frame, write, read again. One operation
// outstanding at a time, so its handlers never run concurrently and need no strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ReadStatesStore& store, ServiceTrace* trace)
      : socket_(std::move(socket)), store_(store), trace_(trace) {
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
  }

  void Read() {
    socket_.async_read_some(asio::buffer(in_.data() + have_, in_.size() - have_),
                            [self = shared_from_this()](boost::system::error_code error, size_t n) {
                              if (!error) self->OnRead(n);
                            });
  }

 private:
  void OnRead(size_t n) {
    have_ += n;
    const size_t frames = have_ / kFrameBytes;
    if (frames == 0) return Read();
    const ServiceTrace::Stamp start = trace_ ? ServiceTrace::Now() : ServiceTrace::Stamp{};
    const bool keep_open = AnswerFrames(store_, in_.data(), frames, out_);
    if (trace_) trace_->OnTurn(static_cast<int64_t>(frames), start);
    const size_t used = frames * kFrameBytes;
    std::copy(in_.begin() + static_cast<std::ptrdiff_t>(used),
              in_.begin() + static_cast<std::ptrdiff_t>(have_), in_.begin());
    have_ -= used;
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), keep_open](boost::system::error_code error, size_t) {
                        if (error) return;
                        if (keep_open) return self->Read();
                        boost::system::error_code ignored;
                        self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                        self->socket_.close(ignored);
                      });
  }

  tcp::socket socket_;
  ReadStatesStore& store_;
  ServiceTrace* trace_;
  std::array<unsigned char, kReadBufferBytes> in_{};
  size_t have_ = 0;
  std::vector<unsigned char> out_;
};

}  // namespace

class ReadStatesServer::Impl {
 public:
  Impl(ReadStatesStore& store, const ServerOptions& options)
      : store_(store),
        threads_(options.threads),
        trace_(options.trace),
        write_back_period_(options.write_back_period),
        io_(options.threads),
        acceptor_(io_),
        signals_(io_),
        write_back_timer_(io_) {
    boost::system::error_code error;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port), error);
    if (error || endpoints.empty()) {
      throw std::runtime_error("cannot resolve '" + options.host + "': " + error.message());
    }
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                               ": " + error.message());
    }
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Run(bool stop_on_signals, const std::function<void()>& on_ready) {
    if (stop_on_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](boost::system::error_code error, int) {
        if (!error) Stop();
      });
    }
    Accept();
    if (write_back_period_.count() > 0) ScheduleWriteBack();
    if (on_ready) on_ready();
    std::vector<std::thread> threads;
    for (int i = 1; i < threads_; ++i) threads.emplace_back([this] { RunLoop(); });
    RunLoop();
    for (std::thread& thread : threads) thread.join();
    if (failure_) std::rethrow_exception(failure_);
  }

  void Stop() { io_.stop(); }

 private:
  void RunLoop() {
    try {
      io_.run();
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
      io_.stop();
    }
  }

  // The periodic write-back, spread over the period: shard k is written back at k/64 of each period
  // (one shard per timer expiry, on a fixed grid), so every shard still goes every period, but the loop
  // never spends more than one shard's records at a time and goes back to waiting between them: a
  // request, or another process on the same CPU (the load generator, on a small machine), waits for one
  // slice at most, never for a whole pass. After a stall the grid restarts from now instead of running the
  // missed slices back to back.
  void ScheduleWriteBack() {
    next_slice_ = std::chrono::steady_clock::now();
    ArmWriteBackSlice();
  }

  void ArmWriteBackSlice() {
    next_slice_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(write_back_period_) /
                   ReadStatesStore::kShards;
    write_back_timer_.expires_at(next_slice_);
    write_back_timer_.async_wait([this](boost::system::error_code error) {
      if (!error) WriteBackSlice();
    });
  }

  void WriteBackSlice() {
    const ServiceTrace::Stamp start = trace_ ? ServiceTrace::Now() : ServiceTrace::Stamp{};
    if (next_shard_ == 0) pass_start_ns_ = start.wall_ns;
    const uint64_t records = store_.WriteBackShard(next_shard_);
    if (trace_) trace_->OnWriteBackSlice(records, start);
    if (++next_shard_ == ReadStatesStore::kShards) {
      next_shard_ = 0;
      if (trace_) trace_->OnWriteBackPass(ServiceTrace::NowNs() - pass_start_ns_);
    }
    next_slice_ = std::max(next_slice_, std::chrono::steady_clock::now());
    ArmWriteBackSlice();
  }

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (!error) std::make_shared<Connection>(std::move(socket), store_, trace_)->Read();
      if (error != asio::error::operation_aborted) Accept();
    });
  }

  ReadStatesStore& store_;
  int threads_;
  ServiceTrace* trace_;
  std::chrono::milliseconds write_back_period_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer write_back_timer_;
  std::chrono::steady_clock::time_point next_slice_;
  int next_shard_ = 0;
  int64_t pass_start_ns_ = 0;
  std::mutex mutex_;
  std::exception_ptr failure_;
};

ReadStatesServer::ReadStatesServer(ReadStatesStore& store, const ServerOptions& options)
    : impl_(std::make_unique<Impl>(store, options)) {}
ReadStatesServer::~ReadStatesServer() = default;
uint16_t ReadStatesServer::port() const { return impl_->port(); }
void ReadStatesServer::Run(bool stop_on_signals, const std::function<void()>& on_ready) {
  impl_->Run(stop_on_signals, on_ready);
}
void ReadStatesServer::Stop() { impl_->Stop(); }

}  // namespace claimbench::sync_service
