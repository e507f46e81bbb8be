// The physical limit the queries are measured against: how fast this machine's cores can read memory.
// A sum of 64-bit words over a buffer at least four times the last-level cache (so it streams from DRAM),
// on 1 or N threads; the best of several passes, since bandwidth noise only ever slows a pass down.
#pragma once

#include <cstdint>

namespace claimbench::columnar {

// Bytes the probe reads per pass: 4 x the largest last-level cache the system reports, at least 256 MiB,
// at most 4 GiB.
int64_t BandwidthProbeBytes();

// Read bandwidth in bytes per second on `threads` threads (>= 1). Allocates and fills its buffer
// (BandwidthProbeBytes()) each call; takes about a second. Throws std::bad_alloc when memory is short.
double MeasureReadBandwidth(int threads);

}  // namespace claimbench::columnar
