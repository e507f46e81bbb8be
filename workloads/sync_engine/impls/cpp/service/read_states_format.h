// The read-states service's contract in code (SPEC.md, Service mode): the key space, the initial state of
// every key, the request and response frames, and the state transitions. Shared by the server and by the
// harness's verifying client so both read the same bytes the same way; SPEC.md documents every byte for
// ports, and read_states_store_test pins the initial-state function with known answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace claimbench::sync_service {

// Every frame, request or response, is exactly this long.
inline constexpr size_t kFrameBytes = 32;

// A mention count saturates here (the store keeps two flag bits beside it in one 32-bit word).
inline constexpr uint32_t kMaxMentions = (1u << 30) - 1;

// The key space of `--keys K`: key k in [0, K) is (user k / 16, channel k % 16).
inline constexpr uint64_t kChannelsPerUser = 16;

struct ReadState {
  uint64_t last_read_message_id = 0;
  uint32_t mention_count = 0;
  bool operator==(const ReadState&) const = default;
};

struct Key {
  uint64_t user = 0;
  uint64_t channel = 0;
  bool operator==(const Key&) const = default;
};

inline Key KeyOfIndex(uint64_t k) { return {k / kChannelsPerUser, k % kChannelsPerUser}; }

// The index of `key` in a key space of `keys` keys, or nullopt when it lies outside.
inline std::optional<uint64_t> IndexOfKey(const Key& key, uint64_t keys) {
  if (key.channel >= kChannelsPerUser || key.user >= keys / kChannelsPerUser + 1) return std::nullopt;
  uint64_t k = key.user * kChannelsPerUser + key.channel;
  if (k >= keys) return std::nullopt;
  return k;
}

// SplitMix64's output function applied to z + golden gamma (Vigna): one step of the generator whose state
// is z.
inline uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The state of a key nobody has written: h = SplitMix64(user * 0x9E3779B97F4A7C15 + channel) (mod 2^64);
// last_read_message_id = h >> 24, mention_count = h & 7.
inline ReadState InitialState(const Key& key) {
  uint64_t h = SplitMix64(key.user * 0x9E3779B97F4A7C15ULL + key.channel);
  return {h >> 24, static_cast<uint32_t>(h & 7)};
}

enum class Op : uint8_t { kGet = 1, kAck = 2, kMention = 3 };

enum class Status : uint8_t {
  kOk = 0,
  kMalformed = 1,   // the frame breaks the format; the server closes the connection after this frame
  kOutOfRange = 2,  // a well-formed request for a key outside the key space; the connection stays open
};

struct Request {
  Op op = Op::kGet;
  Key key;
  uint64_t message_id = 0;  // ACK only; 0 otherwise
};

struct Response {
  Status status = Status::kOk;
  uint8_t op = 0;   // the request's op byte, echoed
  Key key;          // echoed (zero in an error frame)
  ReadState state;  // the state after the operation (zero in an error frame)
  bool operator==(const Response&) const = default;
};

// The transitions: GET leaves the state; ACK sets last_read to max(old, message_id) and clears mentions;
// MENTION adds one mention, saturating at kMaxMentions.
inline ReadState Apply(const ReadState& state, const Request& request) {
  switch (request.op) {
    case Op::kGet:
      return state;
    case Op::kAck:
      return {
          state.last_read_message_id > request.message_id ? state.last_read_message_id : request.message_id,
          0};
    case Op::kMention:
      return {state.last_read_message_id,
              state.mention_count >= kMaxMentions ? kMaxMentions : state.mention_count + 1};
  }
  return state;
}

namespace wire {

inline void PutU64(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline void PutU32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline uint64_t GetU64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint32_t GetU32(const unsigned char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace wire

// Request frame: [0] op (1 GET, 2 ACK, 3 MENTION); [1..7] zero; [8..15] user; [16..23] channel;
// [24..31] message_id (ACK) or zero. Integers little-endian.
inline void EncodeRequest(const Request& request, unsigned char* out) {
  std::memset(out, 0, kFrameBytes);
  out[0] = static_cast<unsigned char>(request.op);
  wire::PutU64(out + 8, request.key.user);
  wire::PutU64(out + 16, request.key.channel);
  wire::PutU64(out + 24, request.message_id);
}

// Decodes one request frame; nullopt when it breaks the format (unknown op, a non-zero reserved byte, a
// non-zero message_id on GET or MENTION).
inline std::optional<Request> DecodeRequest(const unsigned char* frame) {
  if (frame[0] < 1 || frame[0] > 3) return std::nullopt;
  for (int i = 1; i < 8; ++i) {
    if (frame[i] != 0) return std::nullopt;
  }
  Request request;
  request.op = static_cast<Op>(frame[0]);
  request.key = {wire::GetU64(frame + 8), wire::GetU64(frame + 16)};
  request.message_id = wire::GetU64(frame + 24);
  if (request.op != Op::kAck && request.message_id != 0) return std::nullopt;
  return request;
}

// Response frame: [0] status; [1] the request's op byte; [2..3] zero; [4..7] mention_count; [8..15] user;
// [16..23] channel; [24..31] last_read_message_id. Integers little-endian.
inline void EncodeResponse(const Response& response, unsigned char* out) {
  std::memset(out, 0, kFrameBytes);
  out[0] = static_cast<unsigned char>(response.status);
  out[1] = response.op;
  wire::PutU32(out + 4, response.state.mention_count);
  wire::PutU64(out + 8, response.key.user);
  wire::PutU64(out + 16, response.key.channel);
  wire::PutU64(out + 24, response.state.last_read_message_id);
}

// Decodes one response frame; nullopt when a reserved byte is non-zero or the status is unknown.
inline std::optional<Response> DecodeResponse(const unsigned char* frame) {
  if (frame[0] > 2 || frame[2] != 0 || frame[3] != 0) return std::nullopt;
  Response response;
  response.status = static_cast<Status>(frame[0]);
  response.op = frame[1];
  response.state.mention_count = wire::GetU32(frame + 4);
  response.key = {wire::GetU64(frame + 8), wire::GetU64(frame + 16)};
  response.state.last_read_message_id = wire::GetU64(frame + 24);
  return response;
}

}  // namespace claimbench::sync_service
