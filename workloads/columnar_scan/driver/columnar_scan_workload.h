// The harness side of columnar_scan (../SPEC.md): cases per profile, data generation, and verification of
// every answer against an answer the reference did not compute (TPC-H's official answers at SF 1, and
// DuckDB's answer, computed once per dataset, at every scale), plus the throughput metrics and the share of
// the machine's measured read bandwidth.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::columnar_scan_workload {

std::unique_ptr<Workload> MakeColumnarScanWorkload();

}  // namespace claimbench::columnar_scan_workload
