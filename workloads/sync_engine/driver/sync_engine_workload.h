// The harness side of sync_engine (../SPEC.md): the batch cases (the chunker and hash kernels alone, an
// initial and an incremental sync of a seeded corpus), their untimed set-up, and verification of every
// answer by the harness itself: chunk boundaries against its own FastCDC written from SPEC.md
// (spec_chunker.h), chunk hashes and tree hashes computed here, statistics against the corpus generator's
// numbers, and a restore of every store. The read-states service cases (service_cases.h) are appended and
// delegated to.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::sync_engine_workload {

std::unique_ptr<Workload> MakeSyncEngineWorkload();

}  // namespace claimbench::sync_engine_workload
