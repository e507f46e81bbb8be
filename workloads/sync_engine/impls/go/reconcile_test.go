package main

import (
	"fmt"
	"sort"
	"testing"
)

func fileNode(id, parent, name, content string) *node {
	k := hashSHA256
	chunk := k.hex([]byte(content))
	hash, _ := k.contentHash([]string{chunk})
	return &node{ID: id, Parent: parent, Name: name, Size: uint64(len(content)), Hash: hash,
		Chunks: []chunkRef{{chunk, uint64(len(content))}}}
}

func dirNode(id, parent, name string) *node {
	return &node{ID: id, Parent: parent, Name: name, IsDir: true}
}

func treeOf(nodes ...*node) *tree {
	t := newTree()
	for _, n := range nodes {
		t.Nodes[n.ID] = clone(n)
	}
	return t
}

// merged runs reconcile and lists "path=content hash prefix" (or "path/" for dirs), sorted.
func merged(t *testing.T, base, local, remote *tree) (merge, []string) {
	next := 0
	m := reconcile(base, local, remote, "laptop", func() string { next++; return fmt.Sprintf("new%d", next) })
	if err := m.tree.validate(hashSHA256); err != nil {
		t.Fatalf("merged tree invalid: %v", err)
	}
	var list []string
	for id, p := range m.tree.paths() {
		if n := m.tree.Nodes[id]; n.IsDir {
			list = append(list, p+"/")
		} else {
			list = append(list, p+"="+n.Hash[:8])
		}
	}
	sort.Strings(list)
	return m, list
}

func h(content string) string { return fileNode("x", "", "x", content).Hash[:8] }

func TestReconcileTable(t *testing.T) {
	base := treeOf(fileNode("f", "", "notes.txt", "old"))
	edited := treeOf(fileNode("f", "", "notes.txt", "new"))
	for _, sides := range [][2]*tree{{base, edited}, {edited, base}, {edited, treeOf()}, {treeOf(), edited}} {
		if _, got := merged(t, base, sides[0], sides[1]); fmt.Sprint(got) != fmt.Sprint([]string{"notes.txt=" + h("new")}) {
			t.Errorf("one-sided edit (or edit against delete): %v", got)
		}
	}
	m, got := merged(t, base, treeOf(fileNode("f", "", "notes.txt", "mine")), treeOf(fileNode("f", "", "notes.txt", "theirs")))
	want := []string{"notes (conflicted copy laptop).txt=" + h("mine"), "notes.txt=" + h("theirs")}
	if m.conflicts != 1 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("both edited: %v", got)
	}
	if m, _ := merged(t, base, treeOf(fileNode("f", "", "notes.txt", "same")), treeOf(fileNode("f", "", "notes.txt", "same"))); m.conflicts != 0 {
		t.Error("equal edits conflicted")
	}
	if _, got := merged(t, treeOf(), treeOf(fileNode("l", "", "a", "x")), treeOf(fileNode("r", "", "a", "x"))); len(got) != 1 {
		t.Errorf("equal creates at one path: %v", got)
	}
	_, got = merged(t, treeOf(dirNode("d", "", "d")), treeOf(), treeOf(dirNode("d", "", "d"), fileNode("f", "d", "f", "new")))
	if fmt.Sprint(got) != fmt.Sprint([]string{"d/", "d/f=" + h("new")}) {
		t.Errorf("deleted dir with a create inside: %v", got)
	}
}

func TestRemoteMoveWinsAndCrossedMovesMakeNoCycle(t *testing.T) {
	a, b := dirNode("a", "", "a"), dirNode("b", "", "b")
	m, _ := merged(t, treeOf(a, b, fileNode("f", "", "f", "x")), treeOf(a, b, fileNode("f", "a", "f", "x")), treeOf(a, b, fileNode("f", "b", "f", "x")))
	if m.tree.paths()["f"] != "b/f" {
		t.Errorf("the remote move lost: %s", m.tree.paths()["f"])
	}
	m, _ = merged(t, treeOf(a, b), treeOf(dirNode("a", "b", "a"), b), treeOf(a, dirNode("b", "a", "b")))
	if m.tree.paths()["b"] != "a/b" {
		t.Errorf("crossed moves: %v", m.tree.paths())
	}
}

func TestConflictedNames(t *testing.T) {
	for name, want := range map[string]string{
		"report.txt": "report (conflicted copy laptop).txt", "Makefile": "Makefile (conflicted copy laptop)",
		".bashrc": ".bashrc (conflicted copy laptop)",
	} {
		if got := conflictedName(name, "laptop", 1); got != want {
			t.Errorf("%s -> %s", name, got)
		}
	}
	if got := conflictedName("a.txt", "laptop", 2); got != "a (conflicted copy laptop 2).txt" {
		t.Error(got)
	}
}
