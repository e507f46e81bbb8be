package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// The engine's own state in DIR/.claimsync/ (SPEC.md, Batch sync): base.json (the tree both sides agreed
// on at the last sync and what each node looked like on disk), journal.json (only while a local apply
// moves things through tmp/), and tmp/ (staged downloads and moves).

const (
	stateDirName = ".claimsync"
	baseObject   = ".claimsync/base.json"
)

// diskRecord is what the base remembers of a node on disk: size, mtime in ns, inode.
type diskRecord struct {
	Size    uint64 `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
	Inode   uint64 `json:"inode"`
}

func recordOf(info fs.FileInfo) diskRecord {
	st := info.Sys().(*syscall.Stat_t)
	return diskRecord{Size: uint64(info.Size()), MtimeNs: st.Mtim.Nano(), Inode: st.Ino}
}

type baseState struct {
	tree    *tree
	records map[string]diskRecord
	// savedMtimeNs is base.json's own mtime: a record whose mtime is not older may hide a later edit of
	// the same size in the same clock tick ("racy" as in git), so its file is hashed again.
	savedMtimeNs int64
}

type wireBase struct {
	Tree    wireTree              `json:"tree"`
	Records map[string]diskRecord `json:"records"`
}

func tmpDir(dir string) string { return filepath.Join(dir, stateDirName, "tmp") }

// loadBase returns dir's base: empty when there is none, a corrupt error when it cannot be read.
func loadBase(dir string, kind hashKind) (*baseState, error) {
	path := filepath.Join(dir, baseObject)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &baseState{tree: newTree(), records: map[string]diskRecord{}}, nil
	} else if err != nil {
		return nil, corruptf(baseObject, "cannot read: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, corruptf(baseObject, "cannot stat: %v", err)
	}
	var w wireBase
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, corruptf(baseObject, "%v; remove .claimsync/ to sync this folder afresh", err)
	}
	t, err := treeFromWire(w.Tree, kind)
	if err != nil {
		return nil, corruptf(baseObject, "%v; remove .claimsync/ to sync this folder afresh", err)
	}
	if w.Records == nil {
		w.Records = map[string]diskRecord{}
	}
	return &baseState{tree: t, records: w.Records, savedMtimeNs: recordOf(info).MtimeNs}, nil
}

// saveBase writes base.json by temporary file and rename.
func saveBase(dir string, t *tree, records map[string]diskRecord) error {
	data, err := json.Marshal(wireBase{Tree: t.toWire(), Records: records})
	if err != nil {
		return err
	}
	temp := filepath.Join(tmpDir(dir), "base.json")
	if err := os.WriteFile(temp, data, 0o666); err != nil {
		return err
	}
	return os.Rename(temp, filepath.Join(dir, baseObject))
}

// journalMove: a node moved aside into tmp/ (its name there) and where it came from.
type journalMove struct {
	Temp string `json:"temp"`
	Path string `json:"path"`
}

func writeJournal(dir string, moves []journalMove) error {
	data, err := json.Marshal(moves)
	if err != nil {
		return err
	}
	temp := filepath.Join(tmpDir(dir), "journal.json")
	if err := os.WriteFile(temp, data, 0o666); err != nil {
		return err
	}
	return os.Rename(temp, filepath.Join(dir, stateDirName, "journal.json"))
}

// recoverLocal puts back what a killed or stopped apply left in tmp/ (at its old path, or beside it as a
// conflicted copy when that is taken), then empties tmp/ (creating it when missing).
func recoverLocal(dir, replica string) error {
	journal := filepath.Join(dir, stateDirName, "journal.json")
	if data, err := os.ReadFile(journal); err == nil {
		var moves []journalMove
		if err := json.Unmarshal(data, &moves); err != nil {
			return corruptf(".claimsync/journal.json", "%v", err)
		}
		for _, m := range moves {
			staged := filepath.Join(tmpDir(dir), m.Temp)
			if _, err := os.Lstat(staged); err != nil {
				continue
			}
			target := filepath.Join(dir, filepath.FromSlash(m.Path))
			if err := os.MkdirAll(filepath.Dir(target), 0o777); err != nil {
				return err
			}
			name := filepath.Base(target)
			for n := 1; ; n++ {
				if _, err := os.Lstat(target); err != nil {
					break
				}
				target = filepath.Join(filepath.Dir(target), conflictedName(name, replica, n))
			}
			if err := os.Rename(staged, target); err != nil {
				return err
			}
		}
		if err := os.Remove(journal); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(tmpDir(dir)); err != nil {
		return err
	}
	return os.MkdirAll(tmpDir(dir), 0o777)
}
