// The three-tree reconcile of SPEC.md (Batch sync): base, local and remote trees, nodes keyed by id, give
// the merged tree that both sides adopt. Pure: no I/O, so the table's every row is testable directly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tree.h"

namespace claimbench::sync {

struct ReconcileResult {
  Tree merged;
  std::uint64_t conflicts = 0;
  std::uint64_t moved = 0;           // nodes whose location differs from the base's, on either side
  std::uint64_t deleted_remote = 0;  // nodes of the remote tree that the merged tree drops
};

// `replica` names conflicted copies: "<stem> (conflicted copy <replica>)<ext>". `new_id` makes fresh
// node ids (for conflicted copies).
ReconcileResult Reconcile(const Tree& base, const Tree& local, const Tree& remote, const std::string& replica,
                          const std::function<std::string()>& new_id);

// "report.txt" -> "report (conflicted copy laptop).txt"; "Makefile" -> "Makefile (conflicted copy laptop)";
// ".bashrc" -> ".bashrc (conflicted copy laptop)"; `n` > 1 adds " n" after the replica.
std::string ConflictedName(const std::string& name, const std::string& replica, int n);

}  // namespace claimbench::sync
