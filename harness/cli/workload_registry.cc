// The workloads of the suite, in the order `run` measures them. A planned workload has no factory yet;
// `list` shows it and `run --workload` explains that it is not built yet.
#include "claimbench/workload.h"
#include "http_proxy_workload.h"
#include "null_workload.h"

namespace claimbench {

const std::vector<WorkloadEntry>& AllWorkloads() {
  static const std::vector<WorkloadEntry> entries = {
      {"null", "does almost nothing: the harness's own floor and overhead", &null_workload::MakeNullWorkload},
      {"tokenizer", "byte-level BPE compatible with Hugging Face tokenizer.json", nullptr},
      {"columnar_scan", "TPC-H style scans over columnar data", nullptr},
      {"http_proxy", "HTTP/1.1 reverse proxy under open-loop load", &http_proxy_workload::MakeHttpProxyWorkload},
      {"sync_engine", "content-defined chunking, dedup, reconcile; read-states service", nullptr},
  };
  return entries;
}

}  // namespace claimbench
