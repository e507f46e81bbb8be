// The harness side of devtools (../SPEC.md): the cases that run real developer tools side by side (grep and
// ripgrep; flake8, pylint and ruff; pip and uv), their untimed set-up (a seeded source tree, the Python
// standard library, a fresh virtual environment, a cold page cache or tool cache), and the verification of
// every answer by the harness itself: matching lines found by its own matcher, the lint findings its
// generator planted, the distributions and files each install left in the environment.
#pragma once

#include <memory>

#include "claimbench/workload.h"

namespace claimbench::devtools_workload {

std::unique_ptr<Workload> MakeDevtoolsWorkload();

}  // namespace claimbench::devtools_workload
