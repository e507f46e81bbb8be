// SPEC.md's reconcile table, row by row, on small trees.
#include "reconcile.h"

#include <gtest/gtest.h>

namespace claimbench::sync {
namespace {

Node File(const std::string& id, const std::string& parent, const std::string& name,
          const std::string& hash) {
  Node node;
  node.id = id;
  node.parent = parent;
  node.name = name;
  node.hash = hash;
  node.size = hash.size();
  return node;
}

Node Dir(const std::string& id, const std::string& parent, const std::string& name) {
  Node node;
  node.id = id;
  node.parent = parent;
  node.name = name;
  node.is_dir = true;
  return node;
}

Tree Make(std::initializer_list<Node> nodes) {
  Tree tree;
  for (const Node& node : nodes) tree.nodes[node.id] = node;
  return tree;
}

ReconcileResult Merge(const Tree& base, const Tree& local, const Tree& remote) {
  int next = 0;
  return Reconcile(base, local, remote, "laptop", [&] { return "new" + std::to_string(next++); });
}

// (path -> hash, "/" for dirs) of a tree.
std::map<std::string, std::string> View(const Tree& tree) {
  std::map<std::string, std::string> view;
  for (const auto& [id, path] : NodePaths(tree)) {
    const Node& node = tree.nodes.at(id);
    view[path] = node.is_dir ? "/" : node.hash;
  }
  return view;
}

using View_ = std::map<std::string, std::string>;

TEST(Reconcile, RemoteChangesApplyWhenLocalIsUnchanged) {
  Tree base = Make({Dir("d", "", "d"), File("a", "d", "a.txt", "h1"), File("b", "", "b", "h2")});
  Tree remote = Make({Dir("d", "", "d"), File("a", "", "moved.txt", "h9"), File("c", "d", "c", "h3")});
  ReconcileResult r = Merge(base, base, remote);
  EXPECT_EQ(View(r.merged), (View_{{"d", "/"}, {"moved.txt", "h9"}, {"d/c", "h3"}}));
  EXPECT_EQ(r.conflicts, 0u);
  EXPECT_EQ(r.moved, 1u);
}

TEST(Reconcile, LocalChangesUploadWhenRemoteIsUnchanged) {
  Tree base = Make({File("a", "", "a", "h1"), File("b", "", "b", "h2")});
  Tree local = Make({File("a", "", "renamed", "h1"), File("n", "", "new", "h5")});
  ReconcileResult r = Merge(base, local, base);
  EXPECT_EQ(View(r.merged), (View_{{"renamed", "h1"}, {"new", "h5"}}));
  EXPECT_EQ(r.deleted_remote, 1u);
}

TEST(Reconcile, BothEditedDifferentlyKeepsBothRemoteKeepsTheName) {
  Tree base = Make({File("a", "", "report.txt", "h1")});
  Tree local = Make({File("a", "", "report.txt", "hL")});
  Tree remote = Make({File("a", "", "report.txt", "hR")});
  ReconcileResult r = Merge(base, local, remote);
  EXPECT_EQ(View(r.merged), (View_{{"report.txt", "hR"}, {"report (conflicted copy laptop).txt", "hL"}}));
  EXPECT_EQ(r.conflicts, 1u);
}

TEST(Reconcile, BothEditedToTheSameContentIsNoConflict) {
  Tree base = Make({File("a", "", "a", "h1")});
  Tree both = Make({File("a", "", "a", "h2")});
  ReconcileResult r = Merge(base, both, both);
  EXPECT_EQ(View(r.merged), (View_{{"a", "h2"}}));
  EXPECT_EQ(r.conflicts, 0u);
}

TEST(Reconcile, EditWinsOverDeleteOnEitherSide) {
  Tree base = Make({File("a", "", "a", "h1")});
  Tree edited = Make({File("a", "", "a", "h2")});
  Tree empty;
  EXPECT_EQ(View(Merge(base, edited, empty).merged), (View_{{"a", "h2"}}));
  EXPECT_EQ(View(Merge(base, empty, edited).merged), (View_{{"a", "h2"}}));
  EXPECT_EQ(View(Merge(base, empty, base).merged), View_{});  // an unchanged file's delete applies
}

TEST(Reconcile, BothMovedRemoteWins) {
  Tree base = Make({Dir("x", "", "x"), Dir("y", "", "y"), File("a", "", "a", "h1")});
  Tree local = Make({Dir("x", "", "x"), Dir("y", "", "y"), File("a", "x", "a", "h1")});
  Tree remote = Make({Dir("x", "", "x"), Dir("y", "", "y"), File("a", "y", "b", "h1")});
  EXPECT_EQ(View(Merge(base, local, remote).merged), (View_{{"x", "/"}, {"y", "/"}, {"y/b", "h1"}}));
}

TEST(Reconcile, CreateOnEachSideAtOnePathConflictsUnlessEqual) {
  Tree base;
  Tree local = Make({File("l", "", "notes.md", "hL")});
  Tree remote = Make({File("r", "", "notes.md", "hR")});
  ReconcileResult r = Merge(base, local, remote);
  EXPECT_EQ(View(r.merged), (View_{{"notes.md", "hR"}, {"notes (conflicted copy laptop).md", "hL"}}));
  EXPECT_EQ(r.conflicts, 1u);
  Tree same = Make({File("s", "", "notes.md", "hR")});
  EXPECT_EQ(View(Merge(base, same, remote).merged), (View_{{"notes.md", "hR"}}));
  // Two new dirs of one name merge, with both sides' contents.
  Tree dl = Make({Dir("dl", "", "d"), File("f1", "dl", "one", "h1")});
  Tree dr = Make({Dir("dr", "", "d"), File("f2", "dr", "two", "h2")});
  EXPECT_EQ(View(Merge(base, dl, dr).merged), (View_{{"d", "/"}, {"d/one", "h1"}, {"d/two", "h2"}}));
}

TEST(Reconcile, DeletedDirKeepsWhatTheOtherSideCreatedOrEditedInside) {
  Tree base = Make({Dir("d", "", "d"), File("a", "d", "a", "h1"), File("b", "d", "b", "h2")});
  Tree local = Make(
      {Dir("d", "", "d"), File("a", "d", "a", "h1x"), File("b", "d", "b", "h2"), File("n", "d", "n", "h3")});
  Tree empty;
  EXPECT_EQ(View(Merge(base, local, empty).merged), (View_{{"d", "/"}, {"d/a", "h1x"}, {"d/n", "h3"}}));
  EXPECT_EQ(View(Merge(base, empty, local).merged), (View_{{"d", "/"}, {"d/a", "h1x"}, {"d/n", "h3"}}));
}

TEST(Reconcile, CrossedDirMovesDoNotMakeACycle) {
  Tree base = Make({Dir("a", "", "a"), Dir("b", "", "b")});
  Tree local = Make({Dir("a", "b", "a"), Dir("b", "", "b")});
  Tree remote = Make({Dir("a", "", "a"), Dir("b", "a", "b")});
  EXPECT_EQ(View(Merge(base, local, remote).merged), (View_{{"a", "/"}, {"a/b", "/"}}));
}

TEST(Reconcile, ConflictedNames) {
  EXPECT_EQ(ConflictedName("report.txt", "laptop", 1), "report (conflicted copy laptop).txt");
  EXPECT_EQ(ConflictedName("Makefile", "laptop", 1), "Makefile (conflicted copy laptop)");
  EXPECT_EQ(ConflictedName(".bashrc", "laptop", 2), ".bashrc (conflicted copy laptop 2)");
  EXPECT_EQ(ConflictedName("a.tar.gz", "pc", 1), "a.tar (conflicted copy pc).gz");
}

}  // namespace
}  // namespace claimbench::sync
