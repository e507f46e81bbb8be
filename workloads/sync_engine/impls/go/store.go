package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// The remote store, format 4 (SPEC.md, The remote store): packs of chunks named by the hash of their
// index, one index per pack, tree snapshots, HEAD, and lock. Every object is written to a temporary name
// in its folder and renamed into place (a pack, its index, then the tree, then HEAD); with --fsync each
// is synced before its rename and its folder after.
//
// Concurrency: putChunk and readChunk are safe for concurrent use (one mutex guards the index map and
// the open pack; a full pack is finished outside it by the goroutine that filled it); the rest is not.

const (
	formatPrefix = "claimbench-sync 4 "
	// packTarget: a pack is written out once it holds this many bytes or more (SPEC.md: about 16 MiB).
	packTarget = 16 << 20
	// tempPrefix starts every temporary file; the next sync removes what a killed one left.
	tempPrefix = ".tmp-"
)

type location struct {
	pack           string
	offset, length uint64
}

type indexEntry struct {
	chunk          string
	offset, length uint64
}

type openPack struct {
	file    *os.File
	temp    string
	entries []indexEntry
	size    uint64
}

type store struct {
	dir     string
	kind    hashKind
	durable bool
	target  uint64

	mu        sync.Mutex
	index     map[string]location
	unindexed map[string]bool // put by this process, in a pack not yet indexed
	open      *openPack

	lock *os.File
}

var tempCounter atomic.Uint64

func tempName() string {
	return fmt.Sprintf("%s%d-%d", tempPrefix, os.Getpid(), tempCounter.Add(1))
}

// syncDir fsyncs a folder; a file system that cannot (EINVAL, ENOTSUP) is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOTSUP) {
		return err
	}
	return nil
}

// openStore opens the store at dir, creating it when create and it is missing or empty. kind is the
// --hash given, if any (nil: the store's own): a store with the other one is a usage error.
func openStore(dir string, create bool, kind *hashKind, durable bool) (*store, error) {
	s := &store{dir: dir, kind: hashSHA256, durable: durable, target: packTarget,
		index: map[string]location{}, unindexed: map[string]bool{}}
	if n, err := strconv.ParseUint(os.Getenv("CLAIMBENCH_SYNC_PACK_BYTES"), 10, 64); err == nil && n > 0 {
		s.target = n
	}
	if kind != nil {
		s.kind = *kind
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return nil, usagef("--remote %s is not a directory", dir)
	}
	format, err := os.ReadFile(filepath.Join(dir, "format"))
	if errors.Is(err, fs.ErrNotExist) {
		return s, s.create(create)
	} else if err != nil {
		return nil, usagef("cannot read %s/format: %v", dir, err)
	}
	var found hashKind
	switch string(format) {
	case formatPrefix + "sha256\n":
		found = hashSHA256
	case formatPrefix + "fast\n":
		found = hashFast
	default:
		for _, old := range []struct{ version, what string }{
			{"3", "packs named by the hash of their bytes"}, {"2", "one file per chunk"}, {"1", "content hashes of whole files"},
		} {
			if bytes.HasPrefix(format, []byte("claimbench-sync "+old.version+" ")) {
				return nil, usagef("the store %s is in format %s (%s), which this sync_engine does not read; restore it with the sync_engine that wrote it and sync the folder into a new store (format 4)", dir, old.version, old.what)
			}
		}
		return nil, corruptf("format", "expected 'claimbench-sync 4 sha256' or 'claimbench-sync 4 fast' and a newline")
	}
	if kind != nil && *kind != found {
		return nil, usagef("the store %s uses --hash %s; sync it with that", dir, found)
	}
	s.kind = found
	return s, s.loadIndexes()
}

func (s *store) create(create bool) error {
	// A creation killed before format leaves only empty subfolders and temporaries: that is empty.
	empty := true
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		sub, _ := os.ReadDir(filepath.Join(s.dir, e.Name()))
		isSub := e.Name() == "packs" || e.Name() == "index" || e.Name() == "trees"
		if !strings.HasPrefix(e.Name(), tempPrefix) && !(isSub && len(sub) == 0) {
			empty = false
		}
	}
	if !create {
		return usagef("--remote %s is not a sync store (no format file); give the folder a sync created", s.dir)
	}
	if !empty {
		return usagef("--remote %s is neither empty nor a sync store (no format file); give a new or empty folder", s.dir)
	}
	for _, sub := range []string{"packs", "index", "trees"} {
		if err := os.MkdirAll(filepath.Join(s.dir, sub), 0o777); err != nil {
			return usagef("cannot create --remote %s: %v", s.dir, err)
		}
	}
	return s.writeAtomically(s.dir, "format", []byte(formatPrefix+s.kind.String()+"\n"))
}

// takeLock holds STORE/lock with flock(LOCK_EX) until the process exits: syncs of one store run one at
// a time.
func (s *store) takeLock() error {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_WRONLY, 0o666)
	if err != nil {
		return err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("cannot lock %s: %w", f.Name(), err)
	}
	s.lock = f
	return nil
}

// removeTemporaries deletes what a killed writer left (call with the lock held).
func (s *store) removeTemporaries() error {
	for _, sub := range []string{"", "packs", "index", "trees"} {
		entries, _ := os.ReadDir(filepath.Join(s.dir, sub))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tempPrefix) {
				if err := os.Remove(filepath.Join(s.dir, sub, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *store) writeAtomically(dir, name string, data []byte) error {
	temp := filepath.Join(dir, tempName())
	f, err := os.Create(temp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return s.commit(f, temp, filepath.Join(dir, name))
}

// commit syncs f (when durable), closes it, renames temp to target and syncs the folder.
func (s *store) commit(f *os.File, temp, target string) error {
	if s.durable {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(temp, target); err != nil {
		return err
	}
	if s.durable {
		return syncDir(filepath.Dir(target))
	}
	return nil
}

func (s *store) loadIndexes() error {
	digits := 2 * s.kind.digestLen()
	entries, err := os.ReadDir(filepath.Join(s.dir, "index"))
	if err != nil {
		return corruptf("index", "cannot list: %v", err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			continue
		}
		object := "index/" + name
		if !isLowerHex(name, digits) {
			return corruptf(object, "not an index name (the hash of its pack's index)")
		}
		text, err := os.ReadFile(filepath.Join(s.dir, object))
		if err != nil {
			return corruptf(object, "cannot read: %v", err)
		}
		info, err := os.Stat(filepath.Join(s.dir, "packs", name))
		if err != nil {
			return corruptf("packs/"+name, "missing (%s names it)", object)
		}
		lines, err := parseIndex(text, digits)
		if err != nil {
			return corruptf(object, "%v", err)
		}
		for _, l := range lines {
			if l.offset+l.length > uint64(info.Size()) {
				return corruptf("packs/"+name, "chunk %s (offset %d, length %d) lies outside the pack (%d bytes)", l.chunk, l.offset, l.length, info.Size())
			}
			s.index[l.chunk] = location{name, l.offset, l.length}
		}
	}
	return nil
}

// parseIndex reads the lines "<chunk hex> <offset> <length>" of an index.
func parseIndex(text []byte, digits int) ([]indexEntry, error) {
	if len(text) > 0 && text[len(text)-1] != '\n' {
		return nil, fmt.Errorf("the last line has no newline")
	}
	var out []indexEntry
	for i, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		if line == "" && len(text) == 0 {
			break
		}
		fields := strings.Split(line, " ")
		var offset, length uint64
		var err1, err2 error
		if len(fields) == 3 {
			offset, err1 = parseDecimal(fields[1])
			length, err2 = parseDecimal(fields[2])
		}
		if len(fields) != 3 || !isLowerHex(fields[0], digits) || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d is malformed: expected '<chunk hex> <offset> <length>'", i+1)
		}
		out = append(out, indexEntry{fields[0], offset, length})
	}
	return out, nil
}

func parseDecimal(text string) (uint64, error) {
	if text == "" || strings.TrimLeft(text, "0123456789") != "" {
		return 0, fmt.Errorf("not a decimal")
	}
	return strconv.ParseUint(text, 10, 64)
}

// putChunk stores a chunk unless the store has it (indexed, or put earlier by this process); true when
// it was new. The call that fills the open pack past the target writes it out.
func (s *store) putChunk(d digest, data []byte) (bool, error) {
	hex := d.hex()
	s.mu.Lock()
	if _, ok := s.index[hex]; ok || s.unindexed[hex] {
		s.mu.Unlock()
		return false, nil
	}
	s.unindexed[hex] = true
	if s.open == nil {
		temp := filepath.Join(s.dir, "packs", tempName())
		f, err := os.Create(temp)
		if err != nil {
			s.mu.Unlock()
			return false, err
		}
		s.open = &openPack{file: f, temp: temp}
	}
	p := s.open
	if _, err := p.file.Write(data); err != nil {
		s.mu.Unlock()
		return false, err
	}
	p.entries = append(p.entries, indexEntry{hex, p.size, uint64(len(data))})
	p.size += uint64(len(data))
	var full *openPack
	if p.size >= s.target {
		full, s.open = p, nil
	}
	s.mu.Unlock()
	if full != nil {
		return true, s.finishPack(full)
	}
	return true, nil
}

// flush writes out the open pack, if any (before a tree names its chunks).
func (s *store) flush() error {
	s.mu.Lock()
	p := s.open
	s.open = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return s.finishPack(p)
}

// finishPack: the pack (synced, renamed), then its index; then its chunks are readable.
func (s *store) finishPack(p *openPack) error {
	var index strings.Builder
	for _, e := range p.entries {
		fmt.Fprintf(&index, "%s %d %d\n", e.chunk, e.offset, e.length)
	}
	name := s.kind.hex([]byte(index.String()))
	if err := s.commit(p.file, p.temp, filepath.Join(s.dir, "packs", name)); err != nil {
		return err
	}
	if err := s.writeAtomically(filepath.Join(s.dir, "index"), name, []byte(index.String())); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range p.entries {
		delete(s.unindexed, e.chunk)
		s.index[e.chunk] = location{name, e.offset, e.length}
	}
	return nil
}

// readChunk returns an indexed chunk's bytes, checked against its hash and length.
func (s *store) readChunk(hex string, length uint64) ([]byte, error) {
	s.mu.Lock()
	loc, ok := s.index[hex]
	s.mu.Unlock()
	if !ok {
		return nil, corruptf("index", "no index names chunk %s, which a tree needs", hex)
	}
	object := "packs/" + loc.pack
	if loc.length != length {
		return nil, corruptf("index/"+loc.pack, "chunk %s has length %d, a tree says %d", hex, loc.length, length)
	}
	f, err := os.Open(filepath.Join(s.dir, object))
	if err != nil {
		return nil, corruptf(object, "missing: %v", err)
	}
	defer f.Close()
	data := make([]byte, length)
	if _, err := f.ReadAt(data, int64(loc.offset)); err != nil {
		return nil, corruptf(object, "chunk %s (offset %d, length %d): %v", hex, loc.offset, length, err)
	}
	if s.kind.hex(data) != hex {
		return nil, corruptf(object, "chunk %s: hash mismatch", hex)
	}
	return data, nil
}

// putTree writes the last pack, then a tree snapshot, and returns the tree's hex.
func (s *store) putTree(t *tree) (string, error) {
	if err := s.flush(); err != nil {
		return "", err
	}
	data := t.toJSON()
	hex := s.kind.hex(data)
	return hex, s.writeAtomically(filepath.Join(s.dir, "trees"), hex, data)
}

// setHead points HEAD at a tree: the commit of a sync.
func (s *store) setHead(hex string) error {
	return s.writeAtomically(s.dir, "HEAD", []byte(hex+"\n"))
}

// head is the hex HEAD names; empty for a store no sync has committed to.
func (s *store) head() (string, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, "HEAD"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", corruptf("HEAD", "cannot read: %v", err)
	}
	hex, ok := strings.CutSuffix(string(data), "\n")
	if !ok || !isLowerHex(hex, 2*s.kind.digestLen()) {
		return "", corruptf("HEAD", "expected a tree hash and a newline")
	}
	return hex, nil
}

// readTree returns the tree at hex (empty: the empty tree), hash-checked, validated, every chunk indexed.
func (s *store) readTree(hex string) (*tree, error) {
	if hex == "" {
		return newTree(), nil
	}
	object := "trees/" + hex
	data, err := os.ReadFile(filepath.Join(s.dir, object))
	if err != nil {
		return nil, corruptf(object, "missing (HEAD or a tree names it)")
	}
	if s.kind.hex(data) != hex {
		return nil, corruptf(object, "hash mismatch")
	}
	var w wireTree
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, corruptf(object, "not a tree: %v", err)
	}
	t, err := treeFromWire(w, s.kind)
	if err != nil {
		return nil, corruptf(object, "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range t.Nodes {
		for _, c := range n.Chunks {
			if _, ok := s.index[c.Hex]; !ok {
				return nil, corruptf("index", "no index names chunk %s, which %s needs", c.Hex, object)
			}
		}
	}
	return t, nil
}

type verifyReport struct {
	chunks, manifests, bytes uint64
	problems                 []string
}

// verify reads the whole store: every index against its name and pack, every chunk against its hash,
// every tree and HEAD. Problems are collected ("object: what").
func (s *store) verify() verifyReport {
	var r verifyReport
	digits := 2 * s.kind.digestLen()
	for _, name := range listNames(filepath.Join(s.dir, "index")) {
		object := "packs/" + name
		text, err := os.ReadFile(filepath.Join(s.dir, "index", name))
		if err != nil {
			r.problems = append(r.problems, "index/"+name+": unreadable")
			continue
		}
		if s.kind.hex(text) != name {
			r.problems = append(r.problems, "index/"+name+": hash mismatch (a pack's name is the hash of its index)")
		}
		entries, err := parseIndex(text, digits)
		if err != nil {
			r.problems = append(r.problems, "index/"+name+": "+err.Error())
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.dir, object))
		if err != nil {
			r.problems = append(r.problems, fmt.Sprintf("%s: missing (index/%s names it)", object, name))
			continue
		}
		r.chunks += uint64(len(entries))
		var covered uint64
		for _, e := range entries {
			if e.offset+e.length > uint64(len(data)) {
				r.problems = append(r.problems, fmt.Sprintf("%s: chunk %s (offset %d, length %d) lies outside the pack (%d bytes)", object, e.chunk, e.offset, e.length, len(data)))
				continue
			}
			if s.kind.hex(data[e.offset:e.offset+e.length]) != e.chunk {
				r.problems = append(r.problems, fmt.Sprintf("%s: chunk %s: hash mismatch", object, e.chunk))
			}
			if e.offset == covered {
				covered += e.length
			}
			r.bytes += e.length
		}
		if covered != uint64(len(data)) {
			r.problems = append(r.problems, fmt.Sprintf("%s: %d bytes, its index accounts for %d", object, len(data), covered))
		}
	}
	for _, name := range listNames(filepath.Join(s.dir, "trees")) {
		r.manifests++
		if _, err := s.readTree(name); err != nil {
			r.problems = append(r.problems, err.Error())
		}
	}
	hex, err := s.head()
	if err == nil {
		_, err = s.readTree(hex)
	}
	if err != nil && (len(r.problems) == 0 || r.problems[len(r.problems)-1] != err.Error()) {
		r.problems = append(r.problems, err.Error())
	}
	return r
}

func listNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
