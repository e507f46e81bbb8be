// The harness side of the tokenizer workload (../SPEC.md): cases per profile, a seeded benchmark corpus,
// Hugging Face's own ids for it as the truth, and the byte-for-byte check of every run's output.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::tokenizer_workload {

std::unique_ptr<Workload> MakeTokenizerWorkload();

}  // namespace claimbench::tokenizer_workload
