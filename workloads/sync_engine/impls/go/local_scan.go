package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// The scan of the local folder (SPEC.md, Batch sync): every regular file and dir except .claimsync/,
// recognised as base nodes by inode (a rename or move keeps it), then by path; a file is hashed again
// only when its size, mtime or inode differ from the base's record, or its mtime is not older than the
// base itself, or --rehash. Files are hashed by --threads goroutines, each chunk stored as it is hashed.

const (
	// pipelineMaxChunks: files of at least this many max-size chunks go through the chunk pipeline.
	pipelineMaxChunks = 4
	// mapBytes: smaller files are read into memory, bigger ones mapped.
	mapBytes = 1 << 20
)

type scanStats struct {
	filesScanned, bytesScanned, bytesHashed, chunksTotal, chunksNew, bytesUploaded, skipped uint64
}

// localScan is the local tree as scanned (ids from the base where recognised) and each node's record.
type localScan struct {
	tree    *tree
	records map[string]diskRecord
}

type entry struct {
	path, name string
	parent     int // index of the parent dir's entry; -1 for the root's children
	isDir      bool
	record     diskRecord
}

// walk lists dir, parents before children; symlinks, special files and names that are not UTF-8 are
// counted in skipped.
func walk(dir string, at int, entries *[]entry, skipped *uint64) error {
	folder, prefix := dir, ""
	if at >= 0 {
		prefix = (*entries)[at].path + "/"
		folder = filepath.Join(dir, (*entries)[at].path)
	}
	list, err := os.ReadDir(folder)
	if err != nil {
		return err
	}
	for _, e := range list { // ReadDir sorts by name
		name := e.Name()
		if at < 0 && name == stateDirName {
			continue
		}
		if !utf8.ValidString(name) {
			*skipped++
			continue
		}
		info, err := os.Lstat(filepath.Join(folder, name))
		if err != nil {
			return err
		}
		if !info.IsDir() && !info.Mode().IsRegular() {
			*skipped++
			continue
		}
		*entries = append(*entries, entry{path: prefix + name, name: name, parent: at, isDir: info.IsDir(), record: recordOf(info)})
		if info.IsDir() {
			if err := walk(dir, len(*entries)-1, entries, skipped); err != nil {
				return err
			}
		}
	}
	return nil
}

func scanLocal(dir string, base *baseState, s *store, c *chunker, threads int, rehash bool, stats *scanStats) (*localScan, error) {
	var entries []entry
	if err := walk(dir, -1, &entries, &stats.skipped); err != nil {
		return nil, err
	}
	// Recognise base nodes: by inode first, then by path (an editor's save by rename makes a new inode).
	idByPath := map[string]string{}
	for id, p := range base.tree.paths() {
		idByPath[p] = id
	}
	idByInode := map[uint64]string{}
	for id, r := range base.records {
		if base.tree.Nodes[id] != nil {
			idByInode[r.Inode] = id
		}
	}
	claimed := map[string]bool{}
	claim := func(id string, e *entry) bool {
		if id == "" || base.tree.Nodes[id].IsDir != e.isDir || claimed[id] {
			return false
		}
		claimed[id] = true
		return true
	}
	ids := make([]string, len(entries))
	for i := range entries {
		if id := idByInode[entries[i].record.Inode]; claim(id, &entries[i]) {
			ids[i] = id
		}
	}
	for i := range entries {
		if ids[i] == "" {
			if id := idByPath[entries[i].path]; claim(id, &entries[i]) {
				ids[i] = id
			} else {
				ids[i] = newID()
			}
		}
	}

	scan := &localScan{tree: newTree(), records: map[string]diskRecord{}}
	var toHash []int
	for i, e := range entries {
		n := &node{ID: ids[i], Name: e.name, IsDir: e.isDir}
		if e.parent >= 0 {
			n.Parent = ids[e.parent]
		}
		if !e.isDir {
			stats.filesScanned++
			stats.bytesScanned += e.record.Size
			known, record := base.tree.Nodes[n.ID], base.records[n.ID]
			if known != nil && !rehash && record == e.record && e.record.MtimeNs < base.savedMtimeNs {
				n.Size, n.Hash, n.Chunks = known.Size, known.Hash, known.Chunks
			} else {
				toHash = append(toHash, i)
			}
		}
		scan.records[n.ID] = e.record
		scan.tree.Nodes[n.ID] = n
	}

	// Hash what changed on `threads` goroutines; the first error stops the others' next files.
	type result struct {
		content *node
		record  diskRecord
	}
	results := make([]result, len(toHash))
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, threads)
	var wg sync.WaitGroup
	var hashed, total, fresh, uploaded atomic.Uint64
	storeChunk := func(data []byte, d digest) error {
		isNew, err := s.putChunk(d, data)
		if isNew {
			fresh.Add(1)
			uploaded.Add(uint64(len(data)))
		}
		total.Add(1)
		return err
	}
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= len(toHash) {
					return
				}
				path := filepath.Join(dir, entries[toHash[k]].path)
				content, record, err := hashFile(path, s.kind, c, threads, storeChunk)
				if err != nil {
					errs[w] = err
					failed.Store(true)
					return
				}
				hashed.Add(content.Size)
				results[k] = result{content, record}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for k, i := range toHash {
		n := scan.tree.Nodes[ids[i]]
		n.Size, n.Hash, n.Chunks = results[k].content.Size, results[k].content.Hash, results[k].content.Chunks
		scan.records[ids[i]] = results[k].record
	}
	stats.bytesHashed += hashed.Load()
	stats.chunksTotal += total.Load()
	stats.chunksNew += fresh.Load()
	stats.bytesUploaded += uploaded.Load()
	return scan, nil
}

// hashFile returns one file's size, content hash and chunks (its chunks stored) and its record as read.
// A file that changed while it was read stops the sync (exit 4).
func hashFile(path string, kind hashKind, c *chunker, threads int, onChunk func([]byte, digest) error) (*node, diskRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, diskRecord{}, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return nil, diskRecord{}, err
	}
	var data []byte
	if before.Size() >= mapBytes {
		data, err = unix.Mmap(int(f.Fd()), 0, int(before.Size()), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return nil, diskRecord{}, fmt.Errorf("cannot map %s: %w", path, err)
		}
		defer unix.Munmap(data)
	} else {
		data = make([]byte, before.Size())
		if _, err := io.ReadFull(f, data); err != nil {
			return nil, diskRecord{}, &localChangedError{path}
		}
	}
	pipeline := 1
	if len(data) >= pipelineMaxChunks*c.sizes.max {
		pipeline = threads
	}
	chunks, err := chunkAndHash(data, c, kind, pipeline, onChunk)
	if err != nil {
		return nil, diskRecord{}, err
	}
	after, err := f.Stat()
	if err != nil || recordOf(after) != recordOf(before) {
		return nil, diskRecord{}, &localChangedError{path}
	}
	n := &node{Size: uint64(len(data)), Chunks: make([]chunkRef, len(chunks))}
	digests := make([]byte, 0, len(chunks)*kind.digestLen())
	for i, ch := range chunks {
		n.Chunks[i] = chunkRef{ch.digest.hex(), uint64(ch.length)}
		digests = append(digests, ch.digest.slice()...)
	}
	n.Hash = kind.hex(digests)
	return n, recordOf(before), nil
}

// adoptRemoteIDs gives a node the folder has and the base lacks the id of the remote node at the same
// path when that one is new too and equal (same kind; for files, same content): a fresh replica of a
// synced tree is then the same nodes, not conflicts to merge and fetch again.
func adoptRemoteIDs(scan *localScan, base, remote *tree) {
	remoteByPath := map[string]string{}
	for id, p := range remote.paths() {
		if base.Nodes[id] == nil && scan.tree.Nodes[id] == nil {
			remoteByPath[p] = id
		}
	}
	if len(remoteByPath) == 0 {
		return
	}
	renamed := map[string]string{}
	for id, p := range scan.tree.paths() {
		theirs, ok := remoteByPath[p]
		if !ok || base.Nodes[id] != nil {
			continue
		}
		mine, other := scan.tree.Nodes[id], remote.Nodes[theirs]
		if mine.IsDir == other.IsDir && (mine.IsDir || mine.Hash == other.Hash) {
			renamed[id] = theirs
		}
	}
	if len(renamed) == 0 {
		return
	}
	rename := func(id string) string {
		if to, ok := renamed[id]; ok {
			return to
		}
		return id
	}
	nodes, records := scan.tree.Nodes, scan.records
	scan.tree.Nodes, scan.records = map[string]*node{}, map[string]diskRecord{}
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := nodes[id]
		n.ID = rename(id)
		if n.Parent != "" {
			n.Parent = rename(n.Parent)
		}
		scan.tree.Nodes[n.ID] = n
		if r, ok := records[id]; ok {
			scan.records[n.ID] = r
		}
	}
}
