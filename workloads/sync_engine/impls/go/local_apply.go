package main

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Making the local folder equal to the merged tree (SPEC.md, Batch sync and Crash safety). Downloads are
// staged whole in .claimsync/tmp/ before the sync commits (so a corrupt store stops it before any user
// file is touched) and renamed into place after; a file that changed since the scan is never replaced,
// moved or removed (exit 4); moves go through tmp/ under a journal that recoverLocal replays.

type applyStats struct {
	filesDownloaded, bytesDownloaded, deletedLocal uint64
}

// stageDownloads writes every file whose content merged has and the folder lacks into tmp/, each chunk
// hash-checked, and returns the staged paths by node id. Touches no user file.
func stageDownloads(dir string, scan *localScan, merged *tree, s *store, stats *applyStats) (map[string]string, error) {
	staged := map[string]string{}
	for _, id := range merged.sortedIDs() {
		n := merged.Nodes[id]
		if n.IsDir {
			continue
		}
		if l := scan.tree.Nodes[id]; l != nil && l.Hash == n.Hash {
			continue
		}
		path := filepath.Join(tmpDir(dir), "dl-"+id)
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		for _, c := range n.Chunks {
			data, err := s.readChunk(c.Hex, c.Length)
			if err == nil {
				_, err = f.Write(data)
			}
			if err != nil {
				f.Close()
				return nil, err
			}
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		stats.filesDownloaded++
		stats.bytesDownloaded += n.Size
		staged[id] = path
	}
	return staged, nil
}

// checkUnchanged fails with exit 4 unless the file at path still has the record the scan saw.
func checkUnchanged(path string, want diskRecord) error {
	info, err := os.Lstat(path)
	if err != nil || recordOf(info) != want {
		return &localChangedError{path}
	}
	return nil
}

// place renames from to to unless something is at to already (made by the user since the scan).
func place(from, to string) error {
	if _, err := os.Lstat(to); err == nil {
		return &localChangedError{to}
	}
	return os.Rename(from, to)
}

func depth(path string) int { return strings.Count(path, "/") }

// applyLocal makes dir equal to merged, from the state scan saw, and returns each merged node's record.
func applyLocal(dir string, scan *localScan, merged *tree, staged map[string]string, stats *applyStats) (map[string]diskRecord, error) {
	localPaths, mergedPaths := scan.tree.paths(), merged.paths()
	tmp := tmpDir(dir)

	// Out first, deepest first: deletes, and moves into tmp/ (a moved dir takes its unmoved children).
	var out []string
	for id, l := range scan.tree.Nodes {
		if m := merged.Nodes[id]; m == nil || !m.samePlace(l) {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := depth(localPaths[out[i]]), depth(localPaths[out[j]])
		return di > dj || di == dj && out[i] < out[j]
	})
	var moves []journalMove
	for _, id := range out {
		if merged.Nodes[id] != nil {
			moves = append(moves, journalMove{"mv-" + id, localPaths[id]})
		}
	}
	if len(moves) > 0 {
		if err := writeJournal(dir, moves); err != nil {
			return nil, err
		}
	}
	for _, id := range out {
		full := filepath.Join(dir, filepath.FromSlash(localPaths[id]))
		isDir := scan.tree.Nodes[id].IsDir
		if !isDir {
			if err := checkUnchanged(full, scan.records[id]); err != nil {
				return nil, err
			}
		}
		switch {
		case merged.Nodes[id] != nil:
			if err := os.Rename(full, filepath.Join(tmp, "mv-"+id)); err != nil {
				return nil, err
			}
		case isDir:
			if err := os.Remove(full); errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
				return nil, &localChangedError{full}
			} else if err != nil {
				return nil, err
			}
			stats.deletedLocal++
		default:
			if err := os.Remove(full); err != nil {
				return nil, err
			}
			stats.deletedLocal++
		}
	}

	// Then in, shallowest first: moved nodes back from tmp/, new dirs, staged files.
	order := merged.sortedIDs()
	sort.SliceStable(order, func(i, j int) bool { return depth(mergedPaths[order[i]]) < depth(mergedPaths[order[j]]) })
	for _, id := range order {
		n := merged.Nodes[id]
		target := filepath.Join(dir, filepath.FromSlash(mergedPaths[id]))
		l := scan.tree.Nodes[id]
		switch {
		case l != nil && !l.samePlace(n):
			if err := place(filepath.Join(tmp, "mv-"+id), target); err != nil {
				return nil, err
			}
		case l == nil && n.IsDir:
			if _, err := os.Lstat(target); err == nil {
				return nil, &localChangedError{target}
			}
			if err := os.Mkdir(target, 0o777); err != nil {
				return nil, err
			}
		}
		if from, ok := staged[id]; ok {
			if l != nil {
				if err := checkUnchanged(target, scan.records[id]); err != nil {
					return nil, err
				}
				if err := os.Rename(from, target); err != nil {
					return nil, err
				}
			} else if err := place(from, target); err != nil {
				return nil, err
			}
		}
	}
	if len(moves) > 0 {
		if err := os.Remove(filepath.Join(dir, stateDirName, "journal.json")); err != nil {
			return nil, err
		}
	}
	records := make(map[string]diskRecord, len(mergedPaths))
	for id, p := range mergedPaths {
		info, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		records[id] = recordOf(info)
	}
	return records, nil
}
