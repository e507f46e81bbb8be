// The load generator's side of the read-states service (SPEC.md, Service mode): which request each
// index sends, and the exact answer it must get back.
//
// Design: every connection owns a disjoint partition of the key space (key k belongs to partition
// k mod P), so nothing else changes its keys and it knows the exact state of each one: the initial-state
// function of the SPEC until it sends an ACK or a MENTION, then what those must have made of it. Every
// response is therefore checked field by field, whatever the server evicted or wrote back meanwhile. Keys
// are drawn from the seeded request index: half uniformly over the partition (so the whole key space is
// visited and the server must evict and reload), half from a power law (density ~ 1/rank: a few hot
// channels). A connection the load generator re-establishes gets a fresh spare partition, since what
// happened to its predecessor's last request is unknown; when the spares run out, its answers count as
// invalid rather than unverified.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/loadgen_protocol.h"
#include "read_states_format.h"

namespace claimbench::sync_engine_workload {

struct ReadStatesLoadShape {
  uint64_t keys = 0;          // the service's --keys
  int connections = 1;        // the load's connections: one partition each
  int spare_partitions = 64;  // for re-established connections
  uint64_t seed = 1;
};

class ReadStatesProtocol final : public loadgen::Protocol {
 public:
  // `partition` in [0, partitions), or -1 for none (every answer is then invalid). Allocates the
  // partition's expected states (16 bytes per key of the partition).
  ReadStatesProtocol(uint64_t keys, int partitions, int partition, uint64_t seed);

  void WriteRequest(uint64_t request_index, std::string& out) override;
  loadgen::ParseOutcome ParseResponse(std::string_view buffered, uint64_t request_index) override;

  // The request `request_index` sends given what this connection sent before. For tests.
  sync_service::Request NextRequest(uint64_t request_index) const;

 private:
  struct Known {
    uint64_t last_read = 0;
    uint32_t mentions = 0;
    uint32_t changed = 0;  // 1 once this connection's ACK or MENTION changed the state
  };
  struct InFlight {
    uint64_t request_index;
    sync_service::Request request;
    sync_service::ReadState expected;
  };

  uint64_t LocalSlot(bool uniform, uint64_t random) const;
  sync_service::ReadState Expected(uint64_t local) const;

  uint64_t keys_;
  uint64_t partitions_;
  int64_t partition_;
  uint64_t seed_;
  uint64_t local_keys_ = 0;  // keys in this partition
  uint64_t scatter_ = 1;     // odd multiplier coprime with local_keys_: spreads hot ranks over the keys
  double log_local_keys_ = 0;
  std::vector<Known> known_;  // by local slot
  std::deque<InFlight> in_flight_;
};

// A factory for LoadSpec::make_protocol: each call takes the next partition. Copies share the counter.
std::function<std::unique_ptr<loadgen::Protocol>()> MakeReadStatesProtocolFactory(
    const ReadStatesLoadShape& shape);

}  // namespace claimbench::sync_engine_workload
