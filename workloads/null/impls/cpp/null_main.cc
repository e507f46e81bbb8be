// The null workload in C++ (SPEC.md): a trivial batch job and a line-echo service on Boost.Asio.
#include <time.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "claimbench/impl/marks.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kMaxLineBytes = 64 * 1024;

// SPEC.md's unit of work: the outputs of SplitMix64 (seed 0) folded order-sensitively.
uint64_t Checksum(uint64_t work_units) {
  uint64_t state = 0;
  uint64_t acc = 0;
  for (uint64_t unit = 0; unit < work_units; ++unit) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    acc = std::rotl(acc, 1) ^ (z ^ (z >> 31));
  }
  return acc;
}

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "null: " << message << "\n"
            << "usage: null batch --work-units N [--delay-ms D] [--fault FAULT]\n"
            << "       FAULT: crash|hang|wrong-answer|exit-code|oom|"
               "backdate-done|done-first|work-after-done\n"
            << "       null serve --listen HOST:PORT [--delay-ms D]\n";
  std::exit(2);
}

bool IsFault(std::string_view name) {
  for (std::string_view fault :
       {"crash", "hang", "wrong-answer", "exit-code", "oom", "backdate-done", "done-first", "work-after-done"}) {
    if (name == fault) return true;
  }
  return false;
}

// The `backdate-done` lie (SPEC.md): a `done` line whose CLOCK_MONOTONIC stamp is `ago` before the moment it
// is written, as a port that wanted a shorter timed window would write it.
void WriteBackdatedDone(std::chrono::nanoseconds ago) {
  const char* fd = std::getenv("CLAIMBENCH_MARK_FD");
  if (fd == nullptr) return;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  long long claimed = static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec - ago.count();
  std::string line = "done " + std::to_string(claimed) + "\n";
  [[maybe_unused]] ssize_t written = ::write(std::atoi(fd), line.data(), line.size());
}

uint64_t ParseCount(std::string_view flag, const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19) {
    UsageError(std::string(flag) + " expects a non-negative integer, got '" + text + "'");
  }
  return std::stoull(text);
}

struct Options {
  std::string command;
  uint64_t work_units = 0;
  bool has_work_units = false;
  uint64_t delay_ms = 0;
  std::string fault;
  std::string listen;
};

Options ParseOptions(int argc, char** argv) {
  if (argc < 2) UsageError("missing command");
  Options options;
  options.command = argv[1];
  if (options.command != "batch" && options.command != "serve") UsageError("unknown command '" + options.command + "'");
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) UsageError(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--work-units" && options.command == "batch") {
      options.work_units = ParseCount(flag, value);
      options.has_work_units = true;
    } else if (flag == "--delay-ms") {
      options.delay_ms = ParseCount(flag, value);
    } else if (flag == "--fault" && options.command == "batch") {
      if (!IsFault(value)) UsageError("unknown fault '" + value + "'");
      options.fault = value;
    } else if (flag == "--listen" && options.command == "serve") {
      options.listen = value;
    } else {
      UsageError("unknown option '" + flag + "' for " + options.command);
    }
  }
  if (options.command == "batch" && !options.has_work_units) UsageError("batch needs --work-units N");
  if (options.command == "serve" && options.listen.empty()) UsageError("serve needs --listen HOST:PORT");
  return options;
}

int RunBatch(const Options& options) {
  // The three timing lies (SPEC.md) write their marks out of place; every other run writes them honestly.
  const bool lies_about_done =
      options.fault == "backdate-done" || options.fault == "done-first" || options.fault == "work-after-done";
  if (options.fault == "done-first") claimbench::impl::Mark("done");
  claimbench::impl::Mark("ready");
  const auto ready_time = std::chrono::steady_clock::now();
  if (options.fault == "work-after-done") claimbench::impl::Mark("done");
  if (options.fault == "crash") std::raise(SIGSEGV);
  if (options.fault == "hang") {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
  if (options.fault == "oom") {
    std::vector<std::unique_ptr<char[]>> hoard;
    for (;;) {
      constexpr size_t kChunk = 64 << 20;
      hoard.push_back(std::make_unique<char[]>(kChunk));
      for (size_t i = 0; i < kChunk; i += 4096) hoard.back()[i] = 1;
    }
  }
  uint64_t checksum = Checksum(options.work_units);
  if (options.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options.delay_ms));
  if (options.fault == "wrong-answer") checksum ^= 1;
  if (options.fault == "backdate-done") {
    std::this_thread::sleep_until(ready_time + std::chrono::milliseconds(150));
    WriteBackdatedDone(std::chrono::milliseconds(100));
  }
  if (!lies_about_done) claimbench::impl::Mark("done");
  std::printf("checksum %016llx\n", static_cast<unsigned long long>(checksum));
  std::fflush(stdout);
  return options.fault == "exit-code" ? 3 : 0;
}

asio::awaitable<void> Echo(tcp::socket socket, std::chrono::milliseconds delay) {
  std::string buffer;
  asio::steady_timer timer(socket.get_executor());
  try {
    for (;;) {
      size_t length = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer, kMaxLineBytes), '\n',
                                                      asio::use_awaitable);
      if (delay.count() > 0) {
        timer.expires_after(delay);
        co_await timer.async_wait(asio::use_awaitable);
      }
      co_await asio::async_write(socket, asio::buffer(buffer.data(), length), asio::use_awaitable);
      buffer.erase(0, length);
    }
  } catch (const boost::system::system_error&) {
    // The client closed, or sent a line over the limit: close this connection only.
  }
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, std::chrono::milliseconds delay) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), Echo(std::move(socket), delay), asio::detached);
  }
}

int RunServe(const Options& options) {
  size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) UsageError("--listen expects HOST:PORT, got '" + options.listen + "'");
  uint64_t port = ParseCount("--listen port", options.listen.substr(colon + 1));
  if (port == 0 || port > 65535) UsageError("--listen port must be 1..65535");
  asio::io_context io;
  tcp::acceptor acceptor(io);
  try {
    tcp::endpoint endpoint(asio::ip::make_address(options.listen.substr(0, colon)), static_cast<uint16_t>(port));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
  } catch (const boost::system::system_error& error) {
    std::cerr << "null: cannot listen on " << options.listen << ": " << error.code().message() << "\n";
    return 1;
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  asio::co_spawn(io, Accept(acceptor, std::chrono::milliseconds(options.delay_ms)), asio::detached);
  claimbench::impl::Mark("ready");
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  return options.command == "batch" ? RunBatch(options) : RunServe(options);
}
