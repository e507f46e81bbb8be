// The workloads of the suite, in the order `run` measures them. A planned workload has no factory yet;
// `list` shows it and `run --workload` explains that it is not built yet.
#include "abstractions_workload.h"
#include "claimbench/workload.h"
#include "columnar_scan_workload.h"
#include "devtools_workload.h"
#include "http_proxy_workload.h"
#include "null_workload.h"
#include "sync_engine_workload.h"
#include "tokenizer_workload.h"

namespace claimbench {

const std::vector<WorkloadEntry>& AllWorkloads() {
  static const std::vector<WorkloadEntry> entries = {
      {"null", "does almost nothing: the harness's own floor and overhead", &null_workload::MakeNullWorkload},
      {"tokenizer", "byte-level BPE compatible with Hugging Face tokenizer.json",
       &tokenizer_workload::MakeTokenizerWorkload},
      {"columnar_scan", "TPC-H scans over columnar data: C++ against DuckDB, Polars, pandas",
       &columnar_scan_workload::MakeColumnarScanWorkload},
      {"http_proxy", "HTTP/1.1 reverse proxy under open-loop load", &http_proxy_workload::MakeHttpProxyWorkload},
      {"sync_engine", "content-defined chunking, dedup, reconcile; read-states service",
       &sync_engine_workload::MakeSyncEngineWorkload},
      {"abstractions", "the same kernels as hand-written loops and as iterators/ranges (zero-cost abstractions)",
       &abstractions::MakeAbstractionsWorkload},
      {"devtools", "real tools side by side: grep vs ripgrep, flake8 and pylint vs ruff, pip vs uv",
       &devtools_workload::MakeDevtoolsWorkload},
  };
  return entries;
}

}  // namespace claimbench
