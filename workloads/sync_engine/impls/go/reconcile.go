package main

import (
	"fmt"
	"sort"
	"strings"
)

// The three-tree merge of SPEC.md (Batch sync), pure: base, local and remote trees, nodes matched by id,
// give the tree both sides adopt. Each node is decided by the SPEC's table; then the merged tree is
// repaired until valid: dirs a delete removed come back when something inside was kept, a cycle from
// crossed moves is broken in favour of the remote move, and two nodes at one place are resolved (equal
// files merge, two dirs merge, anything else becomes a conflicted copy).

type merge struct {
	tree          *tree
	conflicts     uint64
	moved         uint64 // nodes whose place differs from the base's
	deletedRemote uint64 // nodes of the remote tree the merged tree drops
}

func changed(side, base *node) bool { return !side.sameContent(base) || !side.samePlace(base) }

// conflictedName: "report.txt" -> "report (conflicted copy laptop).txt"; "Makefile" and ".bashrc" get
// the suffix at the end; n > 1 adds " n" after the replica.
func conflictedName(name, replica string, n int) string {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		dot = len(name)
	}
	number := ""
	if n > 1 {
		number = fmt.Sprintf(" %d", n)
	}
	return name[:dot] + " (conflicted copy " + replica + number + ")" + name[dot:]
}

func clone(n *node) *node {
	c := *n
	c.Chunks = append([]chunkRef(nil), n.Chunks...)
	return &c
}

func reconcile(base, local, remote *tree, replica string, newID func() string) merge {
	merged := newTree()
	var copies []*node
	copyOf := func(l, at *node) *node {
		c := clone(l)
		c.ID, c.Parent, c.Name = newID(), at.Parent, at.Name // renamed by the collision repair
		return c
	}
	ids := map[string]bool{}
	for _, t := range []*tree{base, local, remote} {
		for id := range t.Nodes {
			ids[id] = true
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		b, l, r := base.Nodes[id], local.Nodes[id], remote.Nodes[id]
		var n *node
		switch {
		case b == nil && l != nil && r != nil: // new on both: only after a killed sync uploaded it
			n = clone(r)
			if !l.sameContent(r) {
				copies = append(copies, copyOf(l, r))
			}
		case b == nil && l != nil:
			n = clone(l)
		case b == nil:
			n = clone(r)
		case l == nil && r == nil:
		case l == nil: // deleted here: a change there wins over the delete
			if changed(r, b) {
				n = clone(r)
			}
		case r == nil:
			if changed(l, b) {
				n = clone(l)
			}
		default:
			n = clone(r)
			if !l.samePlace(b) && r.samePlace(b) {
				n.Parent, n.Name = l.Parent, l.Name
			}
			if !n.IsDir && !l.sameContent(b) {
				if r.sameContent(b) {
					n.Size, n.Hash, n.Chunks = l.Size, l.Hash, append([]chunkRef(nil), l.Chunks...)
				} else if !l.sameContent(r) {
					copies = append(copies, copyOf(l, n))
				}
			}
		}
		if n != nil {
			merged.Nodes[id] = n
		}
	}
	for _, c := range copies {
		merged.Nodes[c.ID] = c
	}
	var conflicts uint64
	for {
		again := restoreMissingParents(merged, base, local, remote)
		again = breakACycle(merged, base, remote) || again
		if !again {
			again = resolveACollision(merged, remote, replica, &conflicts)
		}
		if !again {
			break
		}
	}
	m := merge{tree: merged, conflicts: conflicts}
	for id, n := range merged.Nodes {
		if b := base.Nodes[id]; b != nil && !n.samePlace(b) {
			m.moved++
		}
	}
	for id := range remote.Nodes {
		if merged.Nodes[id] == nil {
			m.deletedRemote++
		}
	}
	return m
}

// restoreMissingParents brings back a dir deleted on one side when something inside it was kept: from
// the remote tree, else the local one, else the base.
func restoreMissingParents(merged, base, local, remote *tree) bool {
	restored := false
	for {
		missing := map[string]bool{}
		for _, n := range merged.Nodes {
			if n.Parent != "" && merged.Nodes[n.Parent] == nil {
				missing[n.Parent] = true
			}
		}
		if len(missing) == 0 {
			return restored
		}
		restored = true
		for id := range missing {
			from := remote.Nodes[id]
			if from == nil {
				from = local.Nodes[id]
			}
			if from == nil {
				from = base.Nodes[id]
			}
			if from != nil {
				merged.Nodes[id] = clone(from)
				continue
			}
			for _, n := range merged.Nodes {
				if n.Parent == id {
					n.Parent = ""
				}
			}
		}
	}
}

// breakACycle: two moves on different sides can make a cycle (a into b here, b into a there); a node of
// the cycle whose place differs from the remote's goes back to it. One cycle per call.
func breakACycle(merged, base, remote *tree) bool {
	for _, start := range merged.sortedIDs() {
		cycle := cycleFrom(merged, start)
		if cycle == nil {
			continue
		}
		for _, id := range cycle {
			if r := remote.Nodes[id]; r != nil && !merged.Nodes[id].samePlace(r) {
				merged.Nodes[id].Parent, merged.Nodes[id].Name = r.Parent, r.Name
				return true
			}
		}
		n := merged.Nodes[cycle[0]]
		if b := base.Nodes[n.ID]; b != nil && !n.samePlace(b) {
			n.Parent, n.Name = b.Parent, b.Name
		} else {
			n.Parent = ""
		}
		return true
	}
	return false
}

// cycleFrom returns the ids of the cycle that the parent chain from start runs into, if any.
func cycleFrom(merged *tree, start string) []string {
	var chain []string
	for at := start; ; {
		n := merged.Nodes[at]
		if n == nil {
			return nil
		}
		for i, id := range chain {
			if id == at {
				return chain[i:]
			}
		}
		chain = append(chain, at)
		if n.Parent == "" {
			return nil
		}
		at = n.Parent
	}
}

// resolveACollision: of two nodes at one place, the one the remote tree has there keeps it; equal files
// become one; two dirs merge; anything else is renamed to a conflicted copy. One place per call.
func resolveACollision(merged, remote *tree, replica string, conflicts *uint64) bool {
	type place struct{ parent, name string }
	places := map[place][]string{}
	for _, id := range merged.sortedIDs() {
		n := merged.Nodes[id]
		places[place{n.Parent, n.Name}] = append(places[place{n.Parent, n.Name}], id)
	}
	var at place
	var ids []string
	for p, group := range places {
		if len(group) > 1 && (ids == nil || p.parent+"/"+p.name < at.parent+"/"+at.name) {
			at, ids = p, group
		}
	}
	if ids == nil {
		return false
	}
	winner := ""
	for _, id := range ids {
		if r := remote.Nodes[id]; r != nil && r.Parent == at.parent && r.Name == at.name {
			winner = id
		}
	}
	for _, id := range ids {
		if winner == "" && remote.Nodes[id] != nil {
			winner = id
		}
	}
	if winner == "" {
		winner = ids[0]
	}
	win := merged.Nodes[winner]
	for _, id := range ids {
		if id == winner {
			continue
		}
		lose := merged.Nodes[id]
		switch {
		case win.IsDir && lose.IsDir:
			for _, n := range merged.Nodes {
				if n.Parent == id {
					n.Parent = winner
				}
			}
			delete(merged.Nodes, id)
		case !win.IsDir && !lose.IsDir && win.Hash == lose.Hash:
			delete(merged.Nodes, id)
		default:
			taken := map[string]bool{}
			for _, n := range merged.Nodes {
				if n.Parent == at.parent {
					taken[n.Name] = true
				}
			}
			name := ""
			for k := 1; name == "" || taken[name]; k++ {
				name = conflictedName(at.name, replica, k)
			}
			lose.Name = name
			*conflicts++
		}
	}
	return true
}
