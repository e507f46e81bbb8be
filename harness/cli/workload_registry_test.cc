// Every registered workload's case list, in every profile: names a result can be keyed by. The thread
// counts of some cases follow the machine ("all threads"), so a clash can appear on one machine only;
// this runs on whatever machine builds it, and the suite runner refuses a clash at run time too.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "claimbench/statistics.h"
#include "claimbench/workload.h"

namespace claimbench {
namespace {

TEST(WorkloadRegistryTest, CaseNamesAreUniqueInEveryProfile) {
  int workloads = 0;
  for (const WorkloadEntry& entry : AllWorkloads()) {
    if (entry.make == nullptr) continue;
    ++workloads;
    const std::unique_ptr<Workload> workload = entry.make();
    for (const char* profile : {"quick", "standard", "full"}) {
      std::set<std::string> names;
      const std::vector<CaseSpec> cases = workload->Cases(profile);
      EXPECT_FALSE(cases.empty()) << entry.name << " has no case in profile " << profile;
      for (const CaseSpec& spec : cases) {
        EXPECT_TRUE(names.insert(spec.name).second) << entry.name << " defines case " << spec.name
                                                    << " twice in profile " << profile;
      }
    }
  }
  EXPECT_GE(workloads, 5);
}

// Validate() is what stops a bad value before anything runs; every case as a profile defines it must pass
// it, and a value out of range must not.
TEST(WorkloadRegistryTest, EveryProfileCaseValidatesAndABadValueDoesNot) {
  for (const WorkloadEntry& entry : AllWorkloads()) {
    if (entry.make == nullptr) continue;
    const std::unique_ptr<Workload> workload = entry.make();
    for (const char* profile : {"quick", "standard", "full"}) {
      for (const CaseSpec& spec : workload->Cases(profile)) {
        EXPECT_NO_THROW(workload->Validate(spec)) << entry.name << "/" << spec.name << " in " << profile;
        if (!spec.parameters.contains("threads")) continue;
        CaseSpec bad = spec;
        bad.parameters["threads"] = "0";
        EXPECT_THROW(workload->Validate(bad), SetupError) << entry.name << "/" << spec.name << ": threads=0";
      }
    }
  }
}

// The suite runner never stops an implementation short of min(kMinPairs, max_repetitions) counted
// repetitions, so a case's maximum decides whether its comparisons can have intervals at all. The profiles
// that give verdicts need them everywhere; the quick profile (indicative) may cap slow services below.
TEST(WorkloadRegistryTest, VerdictProfilesReachTheMinimumNumberOfPairsInEveryCase) {
  for (const WorkloadEntry& entry : AllWorkloads()) {
    if (entry.make == nullptr) continue;
    const std::unique_ptr<Workload> workload = entry.make();
    for (const char* profile : {"quick", "standard", "full"}) {
      for (const CaseSpec& spec : workload->Cases(profile)) {
        if (std::string(profile) == "quick" && spec.kind == CaseKind::kService) continue;
        if (spec.conformance_only) {
          EXPECT_EQ(spec.stopping.max_repetitions, 1) << entry.name << "/" << spec.name << ": answered once";
          continue;
        }
        EXPECT_GE(spec.stopping.max_repetitions, static_cast<int>(stats::kMinPairs))
            << entry.name << "/" << spec.name << " in profile " << profile << " stops before "
            << stats::kMinPairs << " pairs: raise its repetitions in the driver's SizesFor";
      }
    }
  }
}

}  // namespace
}  // namespace claimbench
