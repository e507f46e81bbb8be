// Every registered workload's case list, in every profile: names a result can be keyed by. The thread
// counts of some cases follow the machine ("all threads"), so a clash can appear on one machine only;
// this runs on whatever machine builds it, and the suite runner refuses a clash at run time too.
#include <set>
#include <string>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace claimbench
