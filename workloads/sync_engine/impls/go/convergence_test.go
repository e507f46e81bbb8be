package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// SPEC.md's convergence rule, CanopyCheck style: replicas make random changes (create, edit, delete,
// rename and move files; create, move and delete dirs), sync in a shuffled order, then each syncs once
// more. After every round the replicas, the store's restore and each other agree, verify passes, and
// every file version a replica held when it synced in the round is still somewhere.

type rng struct{ state uint64 }

func (r *rng) below(n int) int { return int(splitMix64(&r.state) % uint64(n)) }

func pick(r *rng, items []string) string {
	if len(items) == 0 {
		return ""
	}
	return items[r.below(len(items))]
}

func listing(t *testing.T, dir string) (files, dirs []string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		switch {
		case err != nil || rel == ".":
		case d.IsDir() && rel == stateDirName:
			return filepath.SkipDir
		case d.IsDir():
			dirs = append(dirs, rel)
		default:
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	sort.Strings(dirs)
	return files, dirs
}

// content is unique: a tag naming the round, then 0 to 150 KB of random bytes.
func content(r *rng, tag string) string {
	return tag + randomBytes(uint64(r.below(1<<30)), []int{0, 100, 5000, 150_000}[r.below(4)])
}

func randomChange(t *testing.T, r *rng, dir, tag string) {
	files, dirs := listing(t, dir)
	inSomeDir := func(name string) string {
		if d := pick(r, dirs); d != "" && r.below(2) == 0 {
			return d + "/" + name
		}
		return name
	}
	at := func(rel string) string { return filepath.Join(dir, rel) }
	switch r.below(7) {
	case 0:
		write(t, at(inSomeDir(fmt.Sprintf("f%d.txt", r.below(1000)))), content(r, tag))
	case 1, 2:
		if f := pick(r, files); f != "" {
			write(t, at(f), content(r, tag))
		}
	case 3:
		if f := pick(r, files); f != "" {
			os.Remove(at(f))
		}
	case 4:
		if f := pick(r, files); f != "" {
			to := inSomeDir(fmt.Sprintf("m%d.bin", r.below(1000)))
			if _, err := os.Lstat(at(to)); err != nil {
				os.Rename(at(f), at(to))
			}
		}
	case 5:
		os.Mkdir(at(inSomeDir(fmt.Sprintf("d%d", r.below(100)))), 0o777)
	default:
		d := pick(r, dirs)
		if d == "" {
			return
		}
		if r.below(2) == 0 {
			os.RemoveAll(at(d))
		} else if to := fmt.Sprintf("moved%d", r.below(100)); !strings.HasPrefix(to, d) {
			if _, err := os.Lstat(at(to)); err != nil {
				os.Rename(at(d), at(to))
			}
		}
	}
}

func TestReplicasConvergeAndLoseNothing(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		dir := t.TempDir()
		store := filepath.Join(dir, "store")
		r := &rng{seed}
		hash := []string{"fast", "sha256"}[seed%2]
		replicas := make([]string, 2+r.below(2))
		for i := range replicas {
			replicas[i] = filepath.Join(dir, fmt.Sprintf("r%d", i))
			os.MkdirAll(replicas[i], 0o777)
		}
		syncOne := func(replica string) {
			syncCLI(t, replica, store, "--hash", hash, "--threads", []string{"1", "2"}[r.below(2)])
		}
		for round := 0; round < 4; round++ {
			tag := fmt.Sprintf("seed %d round %d\n", seed, round)
			for _, replica := range replicas {
				for n := 1 + r.below(5); n > 0; n-- {
					randomChange(t, r, replica, tag)
				}
			}
			written := map[string]bool{}
			for _, i := range shuffled(r, len(replicas)) {
				for _, v := range snapshot(t, replicas[i]) {
					if strings.HasPrefix(v, tag) {
						written[v] = true
					}
				}
				syncOne(replicas[i])
			}
			for _, replica := range replicas {
				syncOne(replica)
			}
			first := snapshot(t, replicas[0])
			for _, replica := range replicas[1:] {
				if fmt.Sprint(snapshot(t, replica)) != fmt.Sprint(first) {
					t.Fatalf("seed %d round %d: replicas differ", seed, round)
				}
			}
			if fmt.Sprint(restored(t, store, filepath.Join(dir, "out"))) != fmt.Sprint(first) {
				t.Fatalf("seed %d round %d: the store's tree differs", seed, round)
			}
			mustRun(t, "verify", "--remote", store)
			kept := map[string]bool{}
			for _, v := range first {
				kept[v] = true
			}
			for v := range written {
				if !kept[v] {
					t.Fatalf("seed %d round %d: a version written in the round was lost", seed, round)
				}
			}
		}
	}
}

func shuffled(r *rng, n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.below(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	return order
}
