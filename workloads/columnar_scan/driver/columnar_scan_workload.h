// The harness side of columnar_scan (../SPEC.md): cases per profile, data generation, and verification of
// every answer against one no implementation under test computed (TPC-H's official answers at SF 1, the
// answer DuckDB and a second engine agree on elsewhere: expected_answer.h), plus the throughput metrics and
// the share of the machine's measured read bandwidth.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::columnar_scan_workload {

std::unique_ptr<Workload> MakeColumnarScanWorkload();

}  // namespace claimbench::columnar_scan_workload
