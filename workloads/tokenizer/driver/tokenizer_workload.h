// The harness side of the tokenizer workload (../SPEC.md): cases per profile, a seeded benchmark corpus,
// its expected ids (those the C++ reference and the Python port agree on: expected_ids.h), the check that
// every implementation reproduces Hugging Face's committed goldens, and the byte-for-byte check of every
// run's output.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::tokenizer_workload {

std::unique_ptr<Workload> MakeTokenizerWorkload();

}  // namespace claimbench::tokenizer_workload
