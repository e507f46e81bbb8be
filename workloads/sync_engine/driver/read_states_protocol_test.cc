// Tests of the read-states frames (byte layout, malformed input, each case) and of the verifying client:
// right answers pass, forged ones are caught, partitions never overlap.
#include "read_states_protocol.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace claimbench::sync_engine_workload {
namespace {

using loadgen::ParseOutcome;
using sync_service::DecodeRequest;
using sync_service::DecodeResponse;
using sync_service::EncodeRequest;
using sync_service::EncodeResponse;
using sync_service::kFrameBytes;
using sync_service::Op;
using sync_service::ReadState;
using sync_service::Request;
using sync_service::Response;
using sync_service::Status;

using Frame = std::array<unsigned char, kFrameBytes>;

Frame RequestFrame(const Request& request) {
  Frame frame;
  EncodeRequest(request, frame.data());
  return frame;
}

TEST(ReadStatesFrames, RequestLayoutIsLittleEndianAndFixed) {
  Frame frame = RequestFrame({Op::kAck, {0x0102030405060708ULL, 0x11}, 0xA1A2A3A4A5A6A7A8ULL});
  const Frame want = {2,    0,    0,    0,    0,    0,    0,    0,      // op, reserved
                      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   // user
                      0x11, 0,    0,    0,    0,    0,    0,    0,      // channel
                      0xA8, 0xA7, 0xA6, 0xA5, 0xA4, 0xA3, 0xA2, 0xA1};  // message_id
  EXPECT_EQ(frame, want);
  std::optional<Request> back = DecodeRequest(frame.data());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->op, Op::kAck);
  EXPECT_EQ(back->key, (sync_service::Key{0x0102030405060708ULL, 0x11}));
  EXPECT_EQ(back->message_id, 0xA1A2A3A4A5A6A7A8ULL);
}

TEST(ReadStatesFrames, ResponseLayoutIsLittleEndianAndFixed) {
  Frame frame;
  EncodeResponse({Status::kOk, 3, {5, 3}, {0x0102030405060708ULL, 0x0A0B0C0D}}, frame.data());
  const Frame want = {0,    3,    0,    0,    0x0D, 0x0C, 0x0B, 0x0A,   // status, op, reserved, mentions
                      5,    0,    0,    0,    0,    0,    0,    0,      // user
                      3,    0,    0,    0,    0,    0,    0,    0,      // channel
                      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};  // last_read
  EXPECT_EQ(frame, want);
  EXPECT_EQ(DecodeResponse(frame.data()),
            (Response{Status::kOk, 3, {5, 3}, {0x0102030405060708ULL, 0x0A0B0C0D}}));
}

TEST(ReadStatesFrames, MalformedRequestsAreRejected) {
  Frame good = RequestFrame({Op::kGet, {1, 2}, 0});
  ASSERT_TRUE(DecodeRequest(good.data()));
  for (unsigned char op : {0, 4, 0xFF}) {
    Frame bad = good;
    bad[0] = op;
    EXPECT_FALSE(DecodeRequest(bad.data())) << "op " << int(op);
  }
  for (int i = 1; i < 8; ++i) {
    Frame bad = good;
    bad[i] = 1;
    EXPECT_FALSE(DecodeRequest(bad.data())) << "reserved byte " << i;
  }
  for (Op op : {Op::kGet, Op::kMention}) {
    Frame bad = good;
    bad[0] = static_cast<unsigned char>(op);
    bad[31] = 1;
    EXPECT_FALSE(DecodeRequest(bad.data())) << "message_id on op " << int(op);
  }
  Frame text;
  std::memcpy(text.data(), "GET /read-states HTTP/1.1\r\nHost:", kFrameBytes);
  EXPECT_FALSE(DecodeRequest(text.data()));
}

TEST(ReadStatesFrames, MalformedResponsesAreRejected) {
  Frame frame;
  EncodeResponse({}, frame.data());
  for (int i : {2, 3}) {
    Frame bad = frame;
    bad[i] = 1;
    EXPECT_FALSE(DecodeResponse(bad.data())) << "reserved byte " << i;
  }
  frame[0] = 3;
  EXPECT_FALSE(DecodeResponse(frame.data()));
}

// A correct server for one connection, written independently of the protocol: a map from key to state.
class ModelServer {
 public:
  std::string Answer(const std::string& request_bytes) {
    std::optional<Request> request =
        DecodeRequest(reinterpret_cast<const unsigned char*>(request_bytes.data()));
    EXPECT_TRUE(request);
    auto [it, fresh] = states_.try_emplace({request->key.user, request->key.channel});
    if (fresh) it->second = sync_service::InitialState(request->key);
    ReadState& s = it->second;
    if (request->op == Op::kAck) s = {std::max(s.last_read_message_id, request->message_id), 0};
    if (request->op == Op::kMention) s.mention_count += 1;
    Frame frame;
    EncodeResponse({Status::kOk, static_cast<uint8_t>(request->op), request->key, s}, frame.data());
    return std::string(frame.begin(), frame.end());
  }

 private:
  std::map<std::pair<uint64_t, uint64_t>, ReadState> states_;
};

TEST(ReadStatesProtocol, RightAnswersAreValid) {
  ReadStatesProtocol protocol(/*keys=*/5'000, /*partitions=*/4, /*partition=*/1, /*seed=*/9);
  ModelServer server;
  std::map<Op, int> ops;
  for (uint64_t i = 0; i < 20'000; ++i) {
    std::string out;
    protocol.WriteRequest(i, out);
    ASSERT_EQ(out.size(), kFrameBytes);
    ops[DecodeRequest(reinterpret_cast<const unsigned char*>(out.data()))->op]++;
    std::string answer = server.Answer(out);
    EXPECT_EQ(protocol.ParseResponse(std::string_view(answer).substr(0, 31), i).status,
              ParseOutcome::Status::kIncomplete);
    answer += "next";  // bytes of a later response stay unconsumed
    ParseOutcome outcome = protocol.ParseResponse(answer, i);
    ASSERT_EQ(outcome.status, ParseOutcome::Status::kComplete) << outcome.error;
    ASSERT_TRUE(outcome.valid) << "request " << i << ": " << outcome.error;
    EXPECT_EQ(outcome.consumed, kFrameBytes);
  }
  EXPECT_GT(ops[Op::kGet], 10'000);
  EXPECT_GT(ops[Op::kAck], 4'000);
  EXPECT_GT(ops[Op::kMention], 2'000);
}

TEST(ReadStatesProtocol, ForgedAnswersAreCaught) {
  // Each forgery changes one field of the right answer to request 0 (a fresh protocol each time).
  const std::vector<std::pair<const char*, std::function<void(Response&)>>> forgeries = {
      {"mentions", [](Response& r) { r.state.mention_count += 1; }},
      {"last_read", [](Response& r) { r.state.last_read_message_id -= 1; }},
      {"user", [](Response& r) { r.key.user += 1; }},
      {"channel", [](Response& r) { r.key.channel ^= 1; }},
      {"op", [](Response& r) { r.op = r.op == 1 ? 2 : 1; }},
      {"status", [](Response& r) { r.status = Status::kOutOfRange; }},
  };
  for (const auto& [field, forge] : forgeries) {
    ReadStatesProtocol protocol(5'000, 4, 2, 9);
    ModelServer server;
    std::string out;
    protocol.WriteRequest(0, out);
    std::string answer = server.Answer(out);
    Response response = *DecodeResponse(reinterpret_cast<const unsigned char*>(answer.data()));
    forge(response);
    Frame frame;
    EncodeResponse(response, frame.data());
    ParseOutcome outcome = protocol.ParseResponse(std::string(frame.begin(), frame.end()), 0);
    EXPECT_EQ(outcome.status, ParseOutcome::Status::kComplete) << field;
    EXPECT_FALSE(outcome.valid) << field;
    EXPECT_FALSE(outcome.error.empty()) << field;
  }
}

TEST(ReadStatesProtocol, AStaleStateAfterAnAckIsCaught) {
  // A server that forgets writes (a lost write-back, say) answers later GETs with the initial state.
  ReadStatesProtocol protocol(5'000, 1, 0, 3);
  ModelServer server;
  int caught = 0;
  for (uint64_t i = 0; i < 2'000; ++i) {
    std::string out;
    protocol.WriteRequest(i, out);
    Request request = *DecodeRequest(reinterpret_cast<const unsigned char*>(out.data()));
    std::string answer = server.Answer(out);
    if (request.op == Op::kGet) {
      Frame frame;
      EncodeResponse({Status::kOk, 1, request.key, sync_service::InitialState(request.key)}, frame.data());
      answer.assign(frame.begin(), frame.end());
    }
    ParseOutcome outcome = protocol.ParseResponse(answer, i);
    if (!outcome.valid) ++caught;
  }
  EXPECT_GT(caught, 10);
}

TEST(ReadStatesProtocol, GarbageIsMalformed) {
  ReadStatesProtocol protocol(5'000, 4, 0, 9);
  std::string out;
  protocol.WriteRequest(0, out);
  std::string garbage(kFrameBytes, 'x');
  EXPECT_EQ(protocol.ParseResponse(garbage, 0).status, ParseOutcome::Status::kMalformed);
}

TEST(ReadStatesProtocol, PartitionsAreDisjointAndCoverTheKeySpace) {
  constexpr uint64_t kKeys = 1'000;
  std::vector<std::set<uint64_t>> seen(3);
  for (int p = 0; p < 3; ++p) {
    ReadStatesProtocol protocol(kKeys, 3, p, 5);
    for (uint64_t i = 0; i < 20'000; ++i) {
      Request request = protocol.NextRequest(i);
      std::optional<uint64_t> k = sync_service::IndexOfKey(request.key, kKeys);
      ASSERT_TRUE(k);
      ASSERT_EQ(*k % 3, static_cast<uint64_t>(p));
      seen[static_cast<size_t>(p)].insert(*k);
    }
  }
  EXPECT_EQ(seen[0].size() + seen[1].size() + seen[2].size(), kKeys);  // uniform half reaches every key
}

TEST(ReadStatesProtocol, FactoryHandsOutPartitionsThenRefusesToVerify) {
  ReadStatesLoadShape shape;
  shape.keys = 1'000;
  shape.connections = 2;
  shape.spare_partitions = 1;
  auto factory = MakeReadStatesProtocolFactory(shape);
  std::set<uint64_t> first_keys;
  for (int i = 0; i < 3; ++i) {
    auto protocol = factory();
    auto* typed = dynamic_cast<ReadStatesProtocol*>(protocol.get());
    ASSERT_NE(typed, nullptr);
    first_keys.insert(*sync_service::IndexOfKey(typed->NextRequest(0).key, 1'000) % 3);
  }
  EXPECT_EQ(first_keys.size(), 3u);
  auto beyond = factory();
  std::string out;
  beyond->WriteRequest(0, out);
  ModelServer server;
  ParseOutcome outcome = beyond->ParseResponse(server.Answer(out), 0);
  EXPECT_EQ(outcome.status, ParseOutcome::Status::kComplete);
  EXPECT_FALSE(outcome.valid);
}

}  // namespace
}  // namespace claimbench::sync_engine_workload
