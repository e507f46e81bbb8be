// End to end over loopback: the read-states server in-process, driven by the load generator with the
// verifying ReadStatesProtocol, and by hand with malformed, out-of-range, split and pipelined frames.
// About 4 s in all.
#include "read_states_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "backing_table.h"
#include "claimbench/loadgen.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "read_states_protocol.h"
#include "read_states_store.h"
#include "serve_main.h"

namespace claimbench::sync_service {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr int64_t kMs = 1'000'000;

// A store, its table, a server on an ephemeral port and the write-back, all stopped at the end. The
// write-back is a thread of the test's own, concurrent with the requests of the server's two threads,
// or (`server_write_back`) the server's own pass on its event loop, as `serve` runs it.
class RunningService {
 public:
  RunningService(uint64_t entries, uint64_t keys, bool server_write_back = false)
      : table_("", keys),  // in memory, the service's default
        store_(entries, table_),
        server_(
            (store_.Preload(), store_),
            ServerOptions{"127.0.0.1", 0, 2, nullptr, std::chrono::milliseconds(server_write_back ? 20 : 0)}),
        serving_([this] { server_.Run(false); }),
        write_back_([this, server_write_back] {
          while (!server_write_back && !stop_) {
            store_.WriteBack();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~RunningService() {
    stop_ = true;
    server_.Stop();
    serving_.join();
    write_back_.join();
  }
  uint16_t port() const { return server_.port(); }
  ReadStatesStore& store() { return store_; }
  BackingTable& table() { return table_; }

 private:
  BackingTable table_;
  ReadStatesStore store_;
  ReadStatesServer server_;
  std::atomic<bool> stop_{false};
  std::thread serving_;
  std::thread write_back_;
};

using Frame = std::array<unsigned char, kFrameBytes>;

Frame RequestFrame(const Request& request) {
  Frame frame;
  EncodeRequest(request, frame.data());
  return frame;
}

Response ReadResponse(tcp::socket& socket) {
  Frame frame;
  asio::read(socket, asio::buffer(frame));
  std::optional<Response> response = DecodeResponse(frame.data());
  EXPECT_TRUE(response);
  return response.value_or(Response{});
}

// The load generator against a store much smaller than the key space: entries are evicted, written back
// and loaded again, and every answer is still right.
void DriveAndCheck(bool server_write_back) {
  constexpr uint64_t kEntries = 1'000, kKeys = 25'000;
  RunningService service(kEntries, kKeys, server_write_back);
  sync_engine_workload::ReadStatesLoadShape shape;
  shape.keys = kKeys;
  shape.connections = 8;
  shape.seed = 11;
  loadgen::LoadSpec load;
  load.port = service.port();
  load.connections = shape.connections;
  load.rate_per_s = 4000;
  load.warmup_ns = 300 * kMs;
  load.duration_ns = 2'000 * kMs;
  load.make_protocol = sync_engine_workload::MakeReadStatesProtocolFactory(shape);
  loadgen::LoadResult result = loadgen::RunOpenLoop(load);
  EXPECT_GT(result.completed, 6'000);
  EXPECT_EQ(result.invalid_responses, 0)
      << (result.error_samples.empty() ? "" : result.error_samples.front());
  EXPECT_EQ(result.errors + result.timeouts, 0);
  StoreCounters counters = service.store().counters();
  EXPECT_GT(counters.evictions, 100u);     // the key space is larger than the store
  EXPECT_GT(counters.written_back, 100u);  // and changes went to the table
  EXPECT_GT(counters.loaded_from_table, 10u)
      << counters.misses << " misses, " << counters.evictions << " evictions";  // and came back
  EXPECT_LE(service.store().size(), kEntries);
}

TEST(ReadStatesServer, LoadGeneratorSeesOnlyRightAnswers) { DriveAndCheck(/*server_write_back=*/false); }

TEST(ReadStatesServer, LoadGeneratorSeesOnlyRightAnswersWithTheServersWriteBack) {
  DriveAndCheck(/*server_write_back=*/true);
}

// The server's own pass reaches the table without anyone calling WriteBack().
TEST(ReadStatesServer, ServerWritesBackOnItsOwn) {
  RunningService service(1'000, 2'000, /*server_write_back=*/true);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), service.port()});
  asio::write(socket, asio::buffer(RequestFrame({Op::kAck, {5, 6}, uint64_t{1} << 61})));
  EXPECT_EQ(ReadResponse(socket).state, (ReadState{uint64_t{1} << 61, 0}));
  for (int i = 0; i < 200 && !service.table().Read({5, 6}); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(service.table().Read({5, 6}), (ReadState{uint64_t{1} << 61, 0}));
  EXPECT_EQ(service.store().counters().written_back, 1u);
}

TEST(ReadStatesServer, MalformedFrameGetsAnErrorFrameThenClose) {
  RunningService service(1'000, 2'000);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), service.port()});
  Frame good = RequestFrame({Op::kMention, {1, 1}, 0});
  Frame bad = RequestFrame({Op::kGet, {1, 1}, 0});
  bad[0] = 9;
  std::array<unsigned char, 3 * kFrameBytes> both{};
  std::copy(good.begin(), good.end(), both.begin());
  std::copy(bad.begin(), bad.end(), both.begin() + kFrameBytes);
  std::copy(good.begin(), good.end(), both.begin() + 2 * kFrameBytes);  // after the bad one: never answered
  asio::write(socket, asio::buffer(both));
  Response first = ReadResponse(socket);
  EXPECT_EQ(first.status, Status::kOk);
  EXPECT_EQ(first.state.mention_count, InitialState({1, 1}).mention_count + 1);
  Response error = ReadResponse(socket);
  EXPECT_EQ(error.status, Status::kMalformed);
  EXPECT_EQ(error.op, 9);
  boost::system::error_code ec;
  Frame rest;
  asio::read(socket, asio::buffer(rest), ec);
  EXPECT_EQ(ec, asio::error::eof);
  // The server is still serving others, and the mention before the bad frame was applied once.
  tcp::socket other(io);
  other.connect({asio::ip::make_address("127.0.0.1"), service.port()});
  asio::write(other, asio::buffer(RequestFrame({Op::kGet, {1, 1}, 0})));
  EXPECT_EQ(ReadResponse(other).state.mention_count, InitialState({1, 1}).mention_count + 1);
}

TEST(ReadStatesServer, OutOfRangeKeyKeepsTheConnection) {
  RunningService service(1'000, 2'000);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), service.port()});
  asio::write(socket, asio::buffer(RequestFrame({Op::kGet, {1'000'000, 1}, 0})));
  EXPECT_EQ(ReadResponse(socket).status, Status::kOutOfRange);
  asio::write(socket, asio::buffer(RequestFrame({Op::kGet, {7, 2}, 0})));
  Response ok = ReadResponse(socket);
  EXPECT_EQ(ok.status, Status::kOk);
  EXPECT_EQ(ok.state, InitialState({7, 2}));
}

TEST(ReadStatesServer, SplitAndPipelinedFramesAreAnsweredInOrder) {
  RunningService service(1'000, 2'000);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), service.port()});
  std::vector<unsigned char> bytes;
  for (uint64_t i = 0; i < 600; ++i) {  // more than one read buffer
    Frame frame = RequestFrame({Op::kAck, KeyOfIndex(i % 1'500), uint64_t{1} << 50 | i});
    bytes.insert(bytes.end(), frame.begin(), frame.end());
  }
  asio::write(socket, asio::buffer(bytes.data(), 13));  // a frame split across writes
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  asio::write(socket, asio::buffer(bytes.data() + 13, bytes.size() - 13));
  for (uint64_t i = 0; i < 600; ++i) {
    Response response = ReadResponse(socket);
    ASSERT_EQ(response.key, KeyOfIndex(i % 1'500)) << i;
    ASSERT_EQ(response.state, (ReadState{uint64_t{1} << 50 | i, 0})) << i;
  }
}

// The real executable in its own folder, serving on a free port; the folder is removed at the end.
class ServeProcess {
 public:
  ServeProcess(const std::string& name, std::vector<std::string> arguments)
      : dir_(std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid()))),
        port_(FreeLoopbackPort()) {
    std::filesystem::create_directories(dir_);
    ProcessSpec spec;
    spec.argv = {CLAIMBENCH_SYNC_ENGINE_SERVE, "serve", "--listen", "127.0.0.1:" + std::to_string(port_)};
    for (std::string& argument : arguments) spec.argv.push_back(std::move(argument));
    spec.stdout_path = dir_ / "stdout";
    spec.stderr_path = dir_ / "stderr";
    spec.timeout = std::chrono::seconds(60);
    child_.emplace(ChildProcess::Spawn(spec));
  }
  ~ServeProcess() {
    child_.reset();
    std::filesystem::remove_all(dir_);
  }
  const std::filesystem::path& dir() const { return dir_; }
  ChildProcess& child() { return *child_; }

  // Waits for `ready`, then sends `request` on a new connection and returns the answer.
  Response ReadyThenAnswer(const Request& request) {
    EXPECT_TRUE(child_->WaitForMark("ready", std::chrono::seconds(30)));
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(socket, asio::buffer(RequestFrame(request)));
    return ReadResponse(socket);
  }

 private:
  std::filesystem::path dir_;
  uint16_t port_;
  std::optional<ChildProcess> child_;
};

// The real executable as the suite runner drives it: `ready` after loading, answers, and on SIGTERM a
// clean exit 0 with the counters line (every dirty entry written back first).
TEST(ServeMain, ServesUntilSigtermThenExitsCleanly) {
  ServeProcess serve("read_states_serve_test", {"--entries", "10000", "--keys", "20000"});
  EXPECT_EQ(serve.ReadyThenAnswer({Op::kAck, {3, 4}, uint64_t{1} << 60}).state,
            (ReadState{uint64_t{1} << 60, 0}));
  serve.child().Terminate(std::chrono::seconds(10));
  ProcessResult result = serve.child().Wait();
  EXPECT_TRUE(result.ok()) << result.error;
  std::ifstream out(serve.dir() / "stdout");
  std::stringstream text;
  text << out.rdbuf();
  EXPECT_NE(text.str().find("\"written_back\": 1}"), std::string::npos) << text.str();
}

// `--trace FILE`: a header, then one line per second with every column.
TEST(ServeMain, TraceWritesOneLinePerSecond) {
  const std::filesystem::path trace =
      std::filesystem::temp_directory_path() / ("read_states_trace." + std::to_string(::getpid()) + ".tsv");
  ServeProcess serve("read_states_trace_test", {"--entries", "1000", "--trace", trace.string()});
  serve.ReadyThenAnswer({Op::kMention, {3, 4}, 0});
  std::this_thread::sleep_for(std::chrono::milliseconds(1'100));
  serve.child().Terminate(std::chrono::seconds(10));
  EXPECT_TRUE(serve.child().Wait().ok());
  std::ifstream in(trace);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("mono_ns\tturns\tmax_turn_us", 0), 0u) << lines[0];
  auto columns = [](const std::string& line) { return std::count(line.begin(), line.end(), '\t') + 1; };
  for (const std::string& line : lines) EXPECT_EQ(columns(line), columns(lines[0])) << line;
  int64_t turns = 0;
  for (size_t i = 1; i < lines.size(); ++i) turns += std::stoll(lines[i].substr(lines[i].find('\t') + 1));
  EXPECT_EQ(turns, 1);  // the one request, in whichever second it came
  std::filesystem::remove(trace);
}

TEST(ServeMain, BadArgumentsExitTwo) {
  EXPECT_EQ(ServeMain({}), 2);
  EXPECT_EQ(ServeMain({"--entries", "10"}), 2);                           // no --listen
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0"}), 2);                   // no --entries
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1", "--entries", "10"}), 2);  // no port
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "0"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "ten"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "10", "--threads"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "10", "--bogus", "1"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "10", "--backing", "/nonexistent/dir/x"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "10", "--trace", "/nonexistent/dir/x"}), 2);
  EXPECT_EQ(ServeMain({"--listen", "127.0.0.1:0", "--entries", "10", "--trace", ""}), 2);
}

}  // namespace
}  // namespace claimbench::sync_service
