package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// sync, restore and verify (SPEC.md). A sync, in order: take STORE/lock; remove temporaries and put back
// what a killed sync left; ready; scan and hash the folder (new chunks go to the store's open pack); read
// HEAD; adopt remote ids for equal new nodes; reconcile; write the last pack; stage every download
// (hash-checked: a corrupt store stops here, before anything is committed); write the tree and HEAD
// (skipped when nothing changed); apply locally; save the base; done; statistics.

type syncOptions struct {
	local, remote string
	hash          *hashKind // the --hash given, if any
	chunker       *chunker
	threads       int
	replica       string // "" for the local folder's name
	rehash, fsync bool
}

// syncStats is the statistics line of SPEC.md, in its key order.
type syncStats struct {
	FilesScanned       uint64 `json:"files_scanned"`
	BytesScanned       uint64 `json:"bytes_scanned"`
	BytesHashed        uint64 `json:"bytes_hashed"`
	ChunksTotal        uint64 `json:"chunks_total"`
	ChunksNew          uint64 `json:"chunks_new"`
	ChunksDeduplicated uint64 `json:"chunks_deduplicated"`
	BytesUploaded      uint64 `json:"bytes_uploaded"`
	BytesDownloaded    uint64 `json:"bytes_downloaded"`
	FilesUploaded      uint64 `json:"files_uploaded"`
	FilesDownloaded    uint64 `json:"files_downloaded"`
	DeletedLocal       uint64 `json:"deleted_local"`
	DeletedRemote      uint64 `json:"deleted_remote"`
	Moved              uint64 `json:"moved"`
	Conflicts          uint64 `json:"conflicts"`
	Skipped            uint64 `json:"skipped"`
	TreeHash           string `json:"tree_hash"`
}

// newID returns 128 random bits in hex: node ids unique across replicas without coordination.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux (getrandom)
	return hex.EncodeToString(b[:])
}

func inside(inner, outer string) bool {
	return inner == outer || strings.HasPrefix(inner, outer+string(filepath.Separator))
}

func runSync(o syncOptions, m *marks) (*syncStats, error) {
	local, _ := filepath.Abs(o.local)
	remote, _ := filepath.Abs(o.remote)
	replica := o.replica
	if replica == "" {
		replica = filepath.Base(local)
	}
	if !validName(replica) {
		return nil, usagef("--replica names conflicted copies, so it cannot contain '/'; got '%s'", replica)
	}
	if inside(local, remote) || inside(remote, local) {
		return nil, usagef("--local and --remote must not be inside one another; put the store elsewhere")
	}
	if info, err := os.Stat(local); err == nil && !info.IsDir() {
		return nil, usagef("--local %s is not a directory", local)
	} else if err != nil {
		if err := os.MkdirAll(local, 0o777); err != nil {
			return nil, usagef("cannot create --local %s: %v", local, err)
		}
	}
	s, err := openStore(remote, true, o.hash, o.fsync)
	if err != nil {
		return nil, err
	}
	if err := s.takeLock(); err != nil {
		return nil, err
	}
	if err := s.removeTemporaries(); err != nil {
		return nil, err
	}
	if err := recoverLocal(local, replica); err != nil {
		return nil, err
	}
	m.mark("ready")

	base, err := loadBase(local, s.kind)
	if err != nil {
		return nil, err
	}
	var scanned scanStats
	scan, err := scanLocal(local, base, s, o.chunker, o.threads, o.rehash, &scanned)
	if err != nil {
		return nil, err
	}
	head, err := s.head()
	if err != nil {
		return nil, err
	}
	remoteTree, err := s.readTree(head)
	if err != nil {
		return nil, err
	}
	adoptRemoteIDs(scan, base.tree, remoteTree)
	merged := reconcile(base.tree, scan.tree, remoteTree, replica, newID)
	if err := s.flush(); err != nil {
		return nil, err
	}
	var applied applyStats
	staged, err := stageDownloads(local, scan, merged.tree, s, &applied)
	if err != nil {
		return nil, err
	}
	if !sameNodes(merged.tree, remoteTree) || head == "" {
		merged.tree.Parent = head
		treeHex, err := s.putTree(merged.tree)
		if err == nil {
			err = s.setHead(treeHex)
		}
		if err != nil {
			return nil, err
		}
	} else {
		merged.tree.Parent = remoteTree.Parent
	}
	records, err := applyLocal(local, scan, merged.tree, staged, &applied)
	if err != nil {
		_ = recoverLocal(local, replica) // put back what the apply moved aside; the store has every version
		return nil, err
	}
	if err := saveBase(local, merged.tree, records); err != nil {
		return nil, err
	}
	m.mark("done")

	stats := &syncStats{
		FilesScanned: scanned.filesScanned, BytesScanned: scanned.bytesScanned, BytesHashed: scanned.bytesHashed,
		ChunksTotal: scanned.chunksTotal, ChunksNew: scanned.chunksNew, ChunksDeduplicated: scanned.chunksTotal - scanned.chunksNew,
		BytesUploaded: scanned.bytesUploaded, BytesDownloaded: applied.bytesDownloaded, FilesDownloaded: applied.filesDownloaded,
		DeletedLocal: applied.deletedLocal, DeletedRemote: merged.deletedRemote, Moved: merged.moved,
		Conflicts: merged.conflicts, Skipped: scanned.skipped,
	}
	for id, n := range merged.tree.Nodes {
		if r := remoteTree.Nodes[id]; !n.IsDir && (r == nil || r.Hash != n.Hash) {
			stats.FilesUploaded++
		}
	}
	// Content hashes are not SHA-256 of the bytes, so the tree hash reads the folder (after done).
	stats.TreeHash, err = treeHashOfFolder(local)
	return stats, err
}

// runRestore writes the store's current tree into out (missing or empty), every chunk hash-checked; on
// an error out is emptied again. Returns the number of files.
func runRestore(remote, out string, m *marks) (int, error) {
	if info, err := os.Stat(out); err == nil {
		list, _ := os.ReadDir(out)
		if !info.IsDir() || len(list) > 0 {
			return 0, usagef("--out %s must not exist or be an empty folder", out)
		}
	}
	s, err := openStore(remote, false, nil, false)
	if err != nil {
		return 0, err
	}
	if err := s.takeLock(); err != nil {
		return 0, err
	}
	head, err := s.head()
	if err != nil {
		return 0, err
	}
	t, err := s.readTree(head)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(out, 0o777); err != nil {
		return 0, usagef("cannot create --out %s: %v", out, err)
	}
	m.mark("ready")
	paths := t.paths()
	ids := t.sortedIDs()
	// Sorted paths put every dir before what is inside it.
	byPath := make([]string, 0, len(ids))
	idOf := map[string]string{}
	for _, id := range ids {
		byPath = append(byPath, paths[id])
		idOf[paths[id]] = id
	}
	sort.Strings(byPath)
	files := 0
	for _, p := range byPath {
		n := t.Nodes[idOf[p]]
		full := filepath.Join(out, filepath.FromSlash(p))
		if n.IsDir {
			err = os.Mkdir(full, 0o777)
		} else {
			data := make([]byte, 0, n.Size)
			for _, c := range n.Chunks {
				var chunk []byte
				if chunk, err = s.readChunk(c.Hex, c.Length); err != nil {
					break
				}
				data = append(data, chunk...)
			}
			if err == nil {
				err = os.WriteFile(full, data, 0o666)
				files++
			}
		}
		if err != nil {
			list, _ := os.ReadDir(out) // nothing half-restored: the folder was empty, all of it is ours
			for _, e := range list {
				_ = os.RemoveAll(filepath.Join(out, e.Name()))
			}
			return 0, err
		}
	}
	m.mark("done")
	return files, nil
}

// runVerify reads the store whole.
func runVerify(remote string) (verifyReport, error) {
	s, err := openStore(remote, false, nil, false)
	if err != nil {
		return verifyReport{}, err
	}
	return s.verify(), nil
}

func (r verifyReport) String() string {
	return fmt.Sprintf(`{"ok": true, "chunks": %d, "manifests": %d, "bytes": %d}`, r.chunks, r.manifests, r.bytes)
}
