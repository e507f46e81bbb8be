// Writes a fully populated sample result (testing/sample_result.h) with this machine's fingerprint as
// its context, so that harness/tests/test_result_schema.py can validate real writer output against
// results/schema.json.
//
// Usage: write_sample_result <output.json>. Exit 0 on success, 2 with one line on stderr otherwise.
#include <cstdio>
#include <exception>

#include "claimbench/build_info.h"
#include "claimbench/error.h"
#include "claimbench/fingerprint.h"
#include "claimbench/result_json.h"
#include "testing/sample_result.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output.json>\n", argv[0]);
    return claimbench::kExitSetupError;
  }
  try {
    claimbench::FingerprintOptions options;
    options.repo_root = claimbench::build_info::kSourceDir;
    options.library_versions = {{"benchmark", "1.7.1"}};
    claimbench::RunResult result =
        claimbench::testing::MakeSampleResult(claimbench::CollectFingerprint(options));
    result.warnings = claimbench::FingerprintWarnings(result.context);
    result.warnings.push_back("only 5 repetitions of kv_service/small/cpp: intervals are wide");
    claimbench::WriteResultFile(argv[1], result);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_sample_result: %s\n", e.what());
    return claimbench::kExitSetupError;
  }
  return claimbench::kExitOk;
}
