#include "reconcile.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace claimbench::sync {
namespace {

// A node changed on one side relative to the base: its content or its place.
bool Changed(const Node& side, const Node& base) {
  return !side.SameContent(base) || !side.SameLocation(base);
}

void SetLocation(Node& node, const Node& from) {
  node.parent = from.parent;
  node.name = from.name;
}

// Brings back the parents a merged node lost (a dir deleted on one side while something inside it was
// created or edited on the other): from the remote tree, else the local one, else the base.
bool RestoreMissingParents(Tree& merged, const Tree& base, const Tree& local, const Tree& remote) {
  bool changed = false;
  std::vector<std::string> missing;
  do {
    missing.clear();
    for (const auto& [id, node] : merged.nodes) {
      if (!node.parent.empty() && merged.Find(node.parent) == nullptr) missing.push_back(node.parent);
    }
    for (const std::string& id : missing) {
      if (merged.Find(id) != nullptr) continue;
      const Node* from = remote.Find(id);
      if (from == nullptr) from = local.Find(id);
      if (from == nullptr) from = base.Find(id);
      if (from != nullptr) {
        merged.nodes.emplace(id, *from);
      } else {
        for (auto& [child_id, child] : merged.nodes) {  // cannot happen with valid inputs; keep the data
          if (child.parent == id) child.parent.clear();
        }
      }
      changed = true;
    }
  } while (!missing.empty());
  return changed;
}

// Two moves on different sides can make a cycle (a into b here, b into a there): the remote place wins
// for a node of the cycle that the local side moved.
bool BreakCycles(Tree& merged, const Tree& base, const Tree& remote) {
  bool changed = false;
  for (auto& [start_id, start] : merged.nodes) {
    std::vector<std::string> chain;
    std::set<std::string> seen;
    std::string at = start_id;
    while (!at.empty() && merged.Find(at) != nullptr && seen.insert(at).second) {
      chain.push_back(at);
      at = merged.nodes.at(at).parent;
    }
    if (at.empty() || merged.Find(at) == nullptr) continue;
    // `at` is on a cycle: the part of the chain from `at` on.
    std::vector<std::string> cycle(std::find(chain.begin(), chain.end(), at), chain.end());
    bool fixed = false;
    for (const std::string& id : cycle) {
      Node& node = merged.nodes.at(id);
      const Node* r = remote.Find(id);
      if (r != nullptr && !node.SameLocation(*r)) {
        SetLocation(node, *r);
        fixed = true;
        break;
      }
    }
    if (!fixed) {
      Node& node = merged.nodes.at(cycle.front());
      const Node* b = base.Find(node.id);
      if (b != nullptr && !node.SameLocation(*b)) {
        SetLocation(node, *b);
      } else {
        node.parent.clear();
      }
    }
    changed = true;
    break;  // iterators of the chain are stale; the caller loops
  }
  return changed;
}

// Two nodes at one place: the remote's keeps it; equal files become one; two dirs merge; anything else is
// renamed to a conflicted copy.
bool ResolveCollisions(Tree& merged, const Tree& remote, const std::string& replica,
                       std::uint64_t& conflicts) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> places;
  for (const auto& [id, node] : merged.nodes) places[{node.parent, node.name}].push_back(id);
  for (auto& [place, ids] : places) {
    if (ids.size() < 2) continue;
    // The winner: the node the remote tree has at this place, else one the remote has, else the least id.
    std::string winner;
    for (const std::string& id : ids) {
      const Node* r = remote.Find(id);
      if (r != nullptr && r->parent == place.first && r->name == place.second) winner = id;
    }
    if (winner.empty()) {
      for (const std::string& id : ids) {
        if (remote.Find(id) != nullptr) {
          winner = id;
          break;
        }
      }
    }
    if (winner.empty()) winner = ids.front();
    const Node& win = merged.nodes.at(winner);
    for (const std::string& id : ids) {
      if (id == winner) continue;
      Node& lose = merged.nodes.at(id);
      if (win.is_dir && lose.is_dir) {
        for (auto& [child_id, child] : merged.nodes) {
          if (child.parent == id) child.parent = winner;
        }
        merged.nodes.erase(id);
      } else if (!win.is_dir && !lose.is_dir && win.hash == lose.hash) {
        merged.nodes.erase(id);
      } else {
        std::set<std::string> taken;
        for (const auto& [other_id, other] : merged.nodes) {
          if (other.parent == place.first) taken.insert(other.name);
        }
        std::string name;
        for (int n = 1; name.empty() || taken.count(name); ++n)
          name = ConflictedName(place.second, replica, n);
        lose.name = name;
        ++conflicts;
      }
    }
    return true;  // the map is stale; the caller loops
  }
  return false;
}

}  // namespace

std::string ConflictedName(const std::string& name, const std::string& replica, int n) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) dot = name.size();
  std::string result = name.substr(0, dot);  // appended piece by piece (GCC 12 -Wrestrict false positives)
  result += " (conflicted copy ";
  result += replica;
  if (n > 1) {
    result += ' ';
    result += std::to_string(n);
  }
  result += ')';
  result += name.substr(dot);
  return result;
}

ReconcileResult Reconcile(const Tree& base, const Tree& local, const Tree& remote, const std::string& replica,
                          const std::function<std::string()>& new_id) {
  ReconcileResult result;
  Tree& merged = result.merged;
  std::set<std::string> ids;
  for (const Tree* tree : {&base, &local, &remote}) {
    for (const auto& [id, node] : tree->nodes) ids.insert(id);
  }
  std::vector<Node> copies;  // conflicted copies, placed once every node has its place
  for (const std::string& id : ids) {
    const Node* b = base.Find(id);
    const Node* l = local.Find(id);
    const Node* r = remote.Find(id);
    if (b == nullptr) {
      // New on one side (ids are unique); on both only when a crashed sync uploaded it.
      if (l != nullptr && r != nullptr) {
        merged.nodes.emplace(id, *r);
        if (!l->SameContent(*r)) {
          Node copy = *l;
          copy.id = new_id();
          copy.parent = r->parent;
          copy.name = r->name;  // renamed to a conflicted copy by ResolveCollisions
          copies.push_back(std::move(copy));
        }
      } else {
        merged.nodes.emplace(id, l != nullptr ? *l : *r);
      }
      continue;
    }
    if (l == nullptr && r == nullptr) continue;  // deleted on both sides
    if (l == nullptr) {                          // deleted here: a remote change wins over the delete
      if (Changed(*r, *b)) merged.nodes.emplace(id, *r);
      continue;
    }
    if (r == nullptr) {  // deleted there: a local change wins over the delete
      if (Changed(*l, *b)) merged.nodes.emplace(id, *l);
      continue;
    }
    Node node = *r;
    if (!l->SameLocation(*b) && r->SameLocation(*b)) SetLocation(node, *l);  // both moved: remote wins
    if (!node.is_dir && !l->SameContent(*b)) {
      if (r->SameContent(*b)) {
        node.size = l->size;
        node.hash = l->hash;
        node.chunks = l->chunks;
      } else if (!l->SameContent(*r)) {  // both edited, differently: keep both
        Node copy = *l;
        copy.id = new_id();
        copy.parent = node.parent;
        copy.name = node.name;
        copies.push_back(std::move(copy));
      }
    }
    merged.nodes.emplace(id, std::move(node));
  }
  for (Node& copy : copies) {
    std::string id = copy.id;
    merged.nodes.emplace(id, std::move(copy));
  }
  // Structural repairs until the tree is valid again; each step only ever restores or renames.
  for (bool again = true; again;) {
    again = RestoreMissingParents(merged, base, local, remote);
    again = BreakCycles(merged, base, remote) || again;
    if (!again) again = ResolveCollisions(merged, remote, replica, result.conflicts);
  }
  for (const auto& [id, node] : merged.nodes) {
    const Node* b = base.Find(id);
    if (b != nullptr && !node.SameLocation(*b)) ++result.moved;
  }
  for (const auto& [id, node] : remote.nodes) {
    if (merged.Find(id) == nullptr) ++result.deleted_remote;
  }
  return result;
}

}  // namespace claimbench::sync
