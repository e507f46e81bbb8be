package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A file saved between the scan and its replacement stops the sync (exit 4) and keeps the user's bytes.
func TestAFileChangedSinceTheScanIsNotReplaced(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(tmpDir(dir), 0o777)
	path := filepath.Join(dir, "notes.txt")
	write(t, path, "scanned")
	info, _ := os.Lstat(path)
	scan := &localScan{tree: treeOf(fileNode("f", "", "notes.txt", "scanned")), records: map[string]diskRecord{"f": recordOf(info)}}
	merged := treeOf(fileNode("f", "", "notes.txt", "remote"))
	staged := filepath.Join(tmpDir(dir), "dl-f")
	write(t, staged, "remote")

	write(t, path, "saved by the user after the scan")
	_, err := applyLocal(dir, scan, merged, map[string]string{"f": staged}, &applyStats{})
	var changed *localChangedError
	if !errors.As(err, &changed) {
		t.Fatalf("got %v, want a localChangedError", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "saved by the user after the scan" {
		t.Errorf("the user's bytes were replaced: %q", data)
	}
}
