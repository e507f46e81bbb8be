#include "read_states_protocol.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace claimbench::sync_engine_workload {
namespace {

using sync_service::Op;
using sync_service::ReadState;
using sync_service::Request;
using sync_service::Response;
using sync_service::SplitMix64;

const char* OpName(uint8_t op) {
  switch (op) {
    case 1:
      return "GET";
    case 2:
      return "ACK";
    case 3:
      return "MENTION";
    default:
      return "?";
  }
}

}  // namespace

ReadStatesProtocol::ReadStatesProtocol(uint64_t keys, int partitions, int partition, uint64_t seed)
    : keys_(keys), partitions_(static_cast<uint64_t>(partitions)), partition_(partition), seed_(seed) {
  if (partition_ < 0 || static_cast<uint64_t>(partition_) >= keys_) return;  // nothing to verify against
  local_keys_ = (keys_ - static_cast<uint64_t>(partition_) + partitions_ - 1) / partitions_;
  known_.resize(local_keys_);
  log_local_keys_ = std::log(static_cast<double>(local_keys_) + 1);
  scatter_ = 0x9E3779B97F4A7C15ULL % local_keys_ | 1;
  while (std::gcd(scatter_, local_keys_) != 1) scatter_ += 2;
}

uint64_t ReadStatesProtocol::LocalSlot(bool uniform, uint64_t random) const {
  if (uniform) return random % local_keys_;  // visits the whole key space
  // Power law: rank = floor((M + 1)^u) - 1 has density ~ 1/rank; rank 0 is the hottest key.
  double u = static_cast<double>(random >> 11) * 0x1.0p-53;
  auto rank = static_cast<uint64_t>(std::exp(u * log_local_keys_)) - 1;
  if (rank >= local_keys_) rank = local_keys_ - 1;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rank) * scatter_) % local_keys_);
}

ReadState ReadStatesProtocol::Expected(uint64_t local) const {
  const Known& known = known_[local];
  if (known.changed) return {known.last_read, known.mentions};
  return sync_service::InitialState(
      sync_service::KeyOfIndex(static_cast<uint64_t>(partition_) + local * partitions_));
}

Request ReadStatesProtocol::NextRequest(uint64_t request_index) const {
  if (local_keys_ == 0) return {Op::kGet, {0, 0}, 0};
  const uint64_t r1 = SplitMix64(seed_ ^ SplitMix64(request_index));
  const uint64_t r2 = SplitMix64(r1);
  const uint64_t local = LocalSlot((r2 >> 63) != 0, r1);
  Request request;
  request.key = sync_service::KeyOfIndex(static_cast<uint64_t>(partition_) + local * partitions_);
  const uint64_t pick = r2 % 100;  // 60% GET, 25% ACK, 15% MENTION
  if (pick < 60) {
    request.op = Op::kGet;
  } else if (pick < 85) {
    request.op = Op::kAck;
    // Mostly newer than what was read, sometimes older (max() must keep the newer one).
    const uint64_t last = Expected(local).last_read_message_id;
    const uint64_t step = (r2 >> 8) % 4096;
    request.message_id = step < 1024 ? (last > step ? last - step : 0) : last + step;
  } else {
    request.op = Op::kMention;
  }
  return request;
}

void ReadStatesProtocol::WriteRequest(uint64_t request_index, std::string& out) {
  const Request request = NextRequest(request_index);
  ReadState expected{};
  if (local_keys_ != 0) {
    const uint64_t local =
        (sync_service::IndexOfKey(request.key, keys_).value() - static_cast<uint64_t>(partition_)) /
        partitions_;
    expected = sync_service::Apply(Expected(local), request);
    if (request.op != Op::kGet) known_[local] = {expected.last_read_message_id, expected.mention_count, 1};
  }
  in_flight_.push_back({request_index, request, expected});
  unsigned char frame[sync_service::kFrameBytes];
  sync_service::EncodeRequest(request, frame);
  out.append(reinterpret_cast<const char*>(frame), sizeof frame);
}

loadgen::ParseOutcome ReadStatesProtocol::ParseResponse(std::string_view buffered, uint64_t request_index) {
  loadgen::ParseOutcome outcome;
  if (buffered.size() < sync_service::kFrameBytes) return outcome;
  if (in_flight_.empty() || in_flight_.front().request_index != request_index) {
    throw std::logic_error(
        fmt::format("read_states protocol: a response for request {} that was not the oldest "
                    "one written on this connection",
                    request_index));
  }
  const InFlight sent = in_flight_.front();
  in_flight_.pop_front();
  std::optional<Response> response =
      sync_service::DecodeResponse(reinterpret_cast<const unsigned char*>(buffered.data()));
  if (!response) {
    outcome.status = loadgen::ParseOutcome::Status::kMalformed;
    outcome.error =
        fmt::format("request {}: the response is not a frame (status byte {}, reserved bytes {} {})",
                    request_index, static_cast<int>(static_cast<uint8_t>(buffered[0])),
                    static_cast<int>(static_cast<uint8_t>(buffered[2])),
                    static_cast<int>(static_cast<uint8_t>(buffered[3])));
    return outcome;
  }
  outcome.status = loadgen::ParseOutcome::Status::kComplete;
  outcome.consumed = sync_service::kFrameBytes;
  if (local_keys_ == 0) {
    outcome.error =
        "more reconnections than spare key partitions: answers on this connection cannot be verified";
    return outcome;
  }
  const Response want{sync_service::Status::kOk, static_cast<uint8_t>(sent.request.op), sent.request.key,
                      sent.expected};
  if (*response == want) {
    outcome.valid = true;
    return outcome;
  }
  outcome.error = fmt::format(
      "{} (user {}, channel {}): expected status 0, last_read {}, mentions {}; got status {}, op {}, "
      "(user {}, channel {}), last_read {}, mentions {}",
      OpName(want.op), want.key.user, want.key.channel, want.state.last_read_message_id,
      want.state.mention_count, static_cast<int>(response->status), OpName(response->op), response->key.user,
      response->key.channel, response->state.last_read_message_id, response->state.mention_count);
  return outcome;
}

std::function<std::unique_ptr<loadgen::Protocol>()> MakeReadStatesProtocolFactory(
    const ReadStatesLoadShape& shape) {
  auto next = std::make_shared<std::atomic<int>>(0);
  const int partitions = shape.connections + shape.spare_partitions;
  return [shape, next, partitions]() -> std::unique_ptr<loadgen::Protocol> {
    const int partition = next->fetch_add(1);
    return std::make_unique<ReadStatesProtocol>(shape.keys, partitions,
                                                partition < partitions ? partition : -1, shape.seed);
  };
}

}  // namespace claimbench::sync_engine_workload
