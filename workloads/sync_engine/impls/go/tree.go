package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Tree snapshots (SPEC.md, The remote store): nodes keyed by opaque ids, each with its parent dir's id
// and its name; files with size, content hash and chunk list. Serialised as the SPEC's JSON, nodes sorted
// by id.

// chunkRef is one chunk of a file, written in JSON as ["<hex>", length].
type chunkRef struct {
	Hex    string
	Length uint64
}

func (c chunkRef) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{c.Hex, c.Length})
}

func (c *chunkRef) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("a chunk is [\"<hex>\", length]")
	}
	if err := json.Unmarshal(pair[0], &c.Hex); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &c.Length)
}

type node struct {
	ID     string
	Parent string // empty for the root's children
	Name   string
	IsDir  bool
	Size   uint64 // files only, as Hash and Chunks
	Hash   string
	Chunks []chunkRef
}

func (n *node) sameContent(o *node) bool { return n.IsDir == o.IsDir && n.Hash == o.Hash }
func (n *node) samePlace(o *node) bool   { return n.Parent == o.Parent && n.Name == o.Name }

func (n *node) equal(o *node) bool {
	if n.ID != o.ID || !n.samePlace(o) || !n.sameContent(o) || n.Size != o.Size || len(n.Chunks) != len(o.Chunks) {
		return false
	}
	for i := range n.Chunks {
		if n.Chunks[i] != o.Chunks[i] {
			return false
		}
	}
	return true
}

// tree: Parent is the hex of the tree it was made from (empty for the first); nodes by id.
type tree struct {
	Parent string
	Nodes  map[string]*node
}

func newTree() *tree { return &tree{Nodes: map[string]*node{}} }

func sameNodes(a, b *tree) bool {
	if len(a.Nodes) != len(b.Nodes) {
		return false
	}
	for id, n := range a.Nodes {
		if o, ok := b.Nodes[id]; !ok || !n.equal(o) {
			return false
		}
	}
	return true
}

type wireNode struct {
	ID     string      `json:"id"`
	Parent string      `json:"parent"`
	Name   string      `json:"name"`
	Kind   string      `json:"kind"`
	Size   *uint64     `json:"size,omitempty"`
	Hash   *string     `json:"hash,omitempty"`
	Chunks *[]chunkRef `json:"chunks,omitempty"`
}

type wireTree struct {
	Parent string     `json:"parent"`
	Nodes  []wireNode `json:"nodes"`
}

func (t *tree) toWire() wireTree {
	w := wireTree{Parent: t.Parent, Nodes: []wireNode{}}
	for _, id := range t.sortedIDs() {
		n := t.Nodes[id]
		wn := wireNode{ID: n.ID, Parent: n.Parent, Name: n.Name, Kind: "dir"}
		if !n.IsDir {
			size, hash, chunks := n.Size, n.Hash, append([]chunkRef{}, n.Chunks...)
			wn.Kind, wn.Size, wn.Hash, wn.Chunks = "file", &size, &hash, &chunks
		}
		w.Nodes = append(w.Nodes, wn)
	}
	return w
}

func (t *tree) toJSON() []byte {
	data, err := json.Marshal(t.toWire())
	if err != nil {
		panic(err) // every field is a string, a number or a list of them
	}
	return data
}

func (t *tree) sortedIDs() []string {
	ids := make([]string, 0, len(t.Nodes))
	for id := range t.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// treeFromWire builds and validates a tree; the error says what is wrong.
func treeFromWire(w wireTree, kind hashKind) (*tree, error) {
	t := &tree{Parent: w.Parent, Nodes: make(map[string]*node, len(w.Nodes))}
	for _, wn := range w.Nodes {
		n := &node{ID: wn.ID, Parent: wn.Parent, Name: wn.Name}
		switch {
		case wn.Kind == "dir" && wn.Size == nil && wn.Hash == nil && wn.Chunks == nil:
			n.IsDir = true
		case wn.Kind == "file" && wn.Size != nil && wn.Hash != nil && wn.Chunks != nil:
			n.Size, n.Hash, n.Chunks = *wn.Size, *wn.Hash, *wn.Chunks
		default:
			return nil, fmt.Errorf("node %s: a dir has no size, hash or chunks, and a file has all three", wn.ID)
		}
		if _, dup := t.Nodes[n.ID]; dup {
			return nil, fmt.Errorf("two nodes have the id %s", n.ID)
		}
		t.Nodes[n.ID] = n
	}
	return t, t.validate(kind)
}

// validate checks every rule a tree keeps: ids non-empty, parents existing dirs, no cycles, valid names,
// one node per place, files whose chunks add up to their size and give their content hash.
func (t *tree) validate(kind hashKind) error {
	type place struct{ parent, name string }
	places := map[place]bool{}
	for _, n := range t.Nodes {
		if n.ID == "" {
			return fmt.Errorf("a node has an empty id")
		}
		if !validName(n.Name) || n.Parent == "" && n.Name == stateDirName {
			return fmt.Errorf("node %s: bad name %q", n.ID, n.Name)
		}
		if p, ok := t.Nodes[n.Parent]; n.Parent != "" && (!ok || !p.IsDir) {
			return fmt.Errorf("node %s: parent %s is not a dir of the tree", n.ID, n.Parent)
		}
		if places[place{n.Parent, n.Name}] {
			return fmt.Errorf("two nodes named %q in one dir", n.Name)
		}
		places[place{n.Parent, n.Name}] = true
		if !n.IsDir {
			var total uint64
			hexes := make([]string, len(n.Chunks))
			for i, c := range n.Chunks {
				total += c.Length
				hexes[i] = c.Hex
			}
			if hash, ok := kind.contentHash(hexes); !ok || hash != n.Hash || total != n.Size {
				return fmt.Errorf("file %s: its chunks do not give its size and content hash", n.Name)
			}
		}
	}
	if len(t.paths()) != len(t.Nodes) {
		return fmt.Errorf("the parents of some nodes make a cycle")
	}
	return nil
}

// paths returns the relative path ("/"-separated) of every node that hangs from the root, by id.
func (t *tree) paths() map[string]string {
	paths := make(map[string]string, len(t.Nodes))
	var walk func(id string, depth int) (string, bool)
	walk = func(id string, depth int) (string, bool) {
		if p, ok := paths[id]; ok {
			return p, true
		}
		n, ok := t.Nodes[id]
		if !ok || depth > len(t.Nodes) {
			return "", false
		}
		path := n.Name
		if n.Parent != "" {
			parent, ok := walk(n.Parent, depth+1)
			if !ok {
				return "", false
			}
			path = parent + "/" + n.Name
		}
		paths[id] = path
		return path, true
	}
	for id := range t.Nodes {
		walk(id, 0)
	}
	return paths
}

func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

// treeHashOfFolder is SPEC.md's tree hash of dir: SHA-256 over "<path>\0<size>\0<sha256 hex>\n" of every
// regular file except .claimsync/, sorted by relative path as bytes.
func treeHashOfFolder(dir string) (string, error) {
	files, err := regularFiles(dir)
	if err != nil {
		return "", err
	}
	total := sha256.New()
	for _, rel := range files {
		f, err := os.Open(filepath.Join(dir, rel))
		if err != nil {
			return "", err
		}
		h := sha256.New()
		size, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		var line bytes.Buffer
		line.WriteString(rel + "\x00" + strconv.FormatInt(size, 10) + "\x00" + hex.EncodeToString(h.Sum(nil)) + "\n")
		total.Write(line.Bytes())
	}
	return hex.EncodeToString(total.Sum(nil)), nil
}

// regularFiles lists every regular file under dir except .claimsync/, as "/"-separated relative paths
// sorted as bytes.
func regularFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && rel == stateDirName {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}
