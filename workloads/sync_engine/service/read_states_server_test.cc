// End to end over loopback: the read-states server in-process, driven by the load generator with the
// verifying ReadStatesProtocol, and by hand with malformed, out-of-range, split and pipelined frames.
// About 4 s in all.
#include "read_states_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

// A store, its table, a server on an ephemeral port and a write-back thread, all stopped at the end.
class RunningService {
 public:
  RunningService(uint64_t entries, uint64_t keys)
      : table_("", keys),  // in memory, the service's default
        store_(entries, table_),
        server_((store_.Preload(), store_), ServerOptions{"127.0.0.1", 0, 2}),
        serving_([this] { server_.Run(false); }),
        write_back_([this] {
          while (!stop_) {
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

TEST(ReadStatesServer, LoadGeneratorSeesOnlyRightAnswers) {
  // A store much smaller than the key space: entries are evicted, written back and loaded again.
  constexpr uint64_t kEntries = 1'000, kKeys = 25'000;
  RunningService service(kEntries, kKeys);
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

// The real executable as the suite runner drives it: `ready` after loading, answers, and on SIGTERM a
// clean exit 0 with the counters line (every dirty entry written back first).
TEST(ServeMain, ServesUntilSigtermThenExitsCleanly) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("read_states_serve_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const uint16_t port = FreeLoopbackPort();
  ProcessSpec spec;
  spec.argv = {CLAIMBENCH_SYNC_ENGINE_SERVE,
               "serve",
               "--listen",
               "127.0.0.1:" + std::to_string(port),
               "--entries",
               "10000",
               "--keys",
               "20000"};
  spec.stdout_path = dir / "stdout";
  spec.stderr_path = dir / "stderr";
  spec.timeout = std::chrono::seconds(60);
  ChildProcess child = ChildProcess::Spawn(spec);
  ASSERT_TRUE(child.WaitForMark("ready", std::chrono::seconds(30)));
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(RequestFrame({Op::kAck, {3, 4}, uint64_t{1} << 60})));
  EXPECT_EQ(ReadResponse(socket).state, (ReadState{uint64_t{1} << 60, 0}));
  child.Terminate(std::chrono::seconds(10));
  ProcessResult result = child.Wait();
  EXPECT_TRUE(result.ok()) << result.error;
  std::ifstream out(dir / "stdout");
  std::stringstream text;
  text << out.rdbuf();
  EXPECT_NE(text.str().find("\"written_back\": 1}"), std::string::npos) << text.str();
  std::filesystem::remove_all(dir);
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
}

}  // namespace
}  // namespace claimbench::sync_service
