// The harness side of the abstractions workload (../SPEC.md): one batch case per kernel, the arguments of
// each repetition (its own seed), and the check of every answer against the harness's own (expected_answers.h).
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::abstractions {

std::unique_ptr<Workload> MakeAbstractionsWorkload();

}  // namespace claimbench::abstractions
