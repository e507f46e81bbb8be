// The harness side of the null workload (../SPEC.md): its cases per profile, its arguments, and the
// verification of every answer (the checksum is recomputed, every echo compared).
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::null_workload {

std::unique_ptr<Workload> MakeNullWorkload();

}  // namespace claimbench::null_workload
