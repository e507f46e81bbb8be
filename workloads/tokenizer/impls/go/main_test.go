package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets the tests run this test binary as the tokenizer program itself (the os/exec tests'
// pattern), so that exit statuses and marks are tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENIZER_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	marks          []string
	status         int
}

// runTokenizer runs the program with marks on descriptor 3 and returns what it did.
func runTokenizer(t *testing.T, args ...string) result {
	t.Helper()
	markRead, markWrite, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer markRead.Close()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TOKENIZER_TEST_RUN_MAIN=1", "CLAIMBENCH_MARK_FD=3")
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = &stdout, &stderr, []*os.File{markWrite}
	err = cmd.Run()
	markWrite.Close()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running tokenizer %v: %v", args, err)
	}
	var marks []string
	var previous int64
	text, _ := os.ReadFile("/dev/fd/" + strconv.Itoa(int(markRead.Fd())))
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		name, stamp, _ := strings.Cut(line, " ")
		ns, err := strconv.ParseInt(stamp, 10, 64)
		if line == "" || err != nil || ns < previous {
			continue
		}
		previous = ns
		marks = append(marks, name)
	}
	return result{stdout.String(), stderr.String(), marks, cmd.ProcessState.ExitCode()}
}

const (
	gpt2File   = "../../data/gpt2/tokenizer.json"
	llama3File = "../../data/llama3/tokenizer.json"
	adversary  = "../../data/corpora/adversarial.txt"
)

func golden(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestEncodePrintsHFsIDsBetweenReadyAndDone(t *testing.T) {
	for _, c := range []struct{ file, style string }{{gpt2File, "gpt2"}, {llama3File, "llama3"}} {
		for _, threads := range []string{"1", "2", "3"} {
			r := runTokenizer(t, "encode", "--tokenizer", c.file, "--input", adversary, "--threads", threads)
			if r.status != 0 || r.stdout != golden(t, "../../data/"+c.style+"/adversarial.ids") {
				t.Errorf("%s --threads %s: status %d, stderr %q, ids differ from HF's", c.style, threads, r.status, r.stderr)
			}
			if strings.Join(r.marks, ",") != "ready,done" {
				t.Errorf("%s --threads %s: marks %v, want ready then done in time order", c.style, threads, r.marks)
			}
		}
	}
}

func TestLatencyOutHasOneTimePerDocument(t *testing.T) {
	out := filepath.Join(t.TempDir(), "latency.txt")
	r := runTokenizer(t, "encode", "--tokenizer", gpt2File, "--input", adversary, "--latency-out", out, "--threads", "2")
	if r.status != 0 || r.stdout != golden(t, "../../data/gpt2/adversarial.ids") {
		t.Fatalf("status %d, stderr %q, or ids differ from HF's", r.status, r.stderr)
	}
	lines := splitLines(golden(t, out))
	if len(lines) != len(splitLines(golden(t, adversary))) {
		t.Fatalf("%d latencies for %d documents", len(lines), len(splitLines(golden(t, adversary))))
	}
	for i, line := range lines {
		if ns, err := strconv.ParseInt(line, 10, 64); err != nil || ns < 0 {
			t.Fatalf("latency line %d is %q, want nanoseconds", i+1, line)
		}
	}
}

func TestDecodePrintsHFsText(t *testing.T) {
	r := runTokenizer(t, "decode", "--tokenizer", llama3File, "--input", "../../data/llama3/adversarial.ids")
	if r.status != 0 || r.stdout != golden(t, "../../data/llama3/adversarial.decoded") {
		t.Errorf("status %d, stderr %q, text differs from HF's", r.status, r.stderr)
	}
}

// The expected ids are HF 0.23.3's for these documents.
func TestCorpusEdgesFollowTheSpec(t *testing.T) {
	dir := t.TempDir()
	for input, want := range map[string]string{
		"":              "",
		"\n":            "\n",
		"a\n\nb":        "65\n\n66\n",   // an empty line is an empty document; a last line without \n counts
		"a\r\nb\n":      "65 202\n66\n", // \r belongs to its document
		"claimbench\n":  "641\n",
		"<|im_end|> a ": "3001 65 221\n", // rstrip takes one space

	} {
		path := filepath.Join(dir, "corpus.txt")
		if err := os.WriteFile(path, []byte(input), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runTokenizer(t, "encode", "--tokenizer", gpt2File, "--input", path)
		if r.status != 0 || r.stdout != want {
			t.Errorf("corpus %q: status %d, output %q, want %q (stderr %q)", input, r.status, r.stdout, want, r.stderr)
		}
	}
}

// writeFile writes text to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBadInputExits2WithOneLine(t *testing.T) {
	dir := t.TempDir()
	gpt2 := golden(t, gpt2File)
	corpus := writeFile(t, dir, "ok.txt", "hello\n")
	bad := map[string]string{
		"not JSON":          "{\"model\": ",
		"not an object":     "[1, 2]",
		"no model":          `{"pre_tokenizer": {"type": "ByteLevel"}}`,
		"WordPiece":         strings.Replace(gpt2, `"type": "BPE"`, `"type": "WordPiece"`, 1),
		"a normalizer":      strings.Replace(gpt2, `"normalizer": null`, `"normalizer": {"type": "NFC"}`, 1),
		"Metaspace":         strings.Replace(gpt2, `"type": "ByteLevel",`, `"type": "Metaspace",`, 1),
		"no pre-tokenizer":  strings.Replace(gpt2, `"pre_tokenizer": {`, `"pre_tokenizer": null, "x": {`, 1),
		"a string id":       strings.Replace(gpt2, `"!": 1`, `"!": "1"`, 1),
		"a negative id":     strings.Replace(gpt2, `"!": 1`, `"!": -1`, 1),
		"a one-sided merge": strings.Replace(gpt2, `"merges": [`, `"merges": ["x", `, 1),
		"an unknown merge":  strings.Replace(gpt2, `"merges": [`, `"merges": [["x", "y"], `, 1),
		"dropout":           strings.Replace(gpt2, `"dropout": null`, `"dropout": 0.1`, 1),
		"a bad regex":       `{"model": {"vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(?<"}, "behavior": "Isolated"}, {"type": "ByteLevel"}]}}`,
		"a bad behaviour":   `{"model": {"vocab": {}, "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"String": "-"}, "behavior": "Sometimes"}, {"type": "ByteLevel"}]}}`,
	}
	if !strings.Contains(gpt2, `"normalizer": null`) || !strings.Contains(gpt2, `"!": 1`) || !strings.Contains(gpt2, `"dropout": null`) {
		t.Fatal("the GPT-2 file's layout changed: update the edits above")
	}
	cases := map[string][]string{
		"invalid UTF-8":     {"encode", "--tokenizer", gpt2File, "--input", writeFile(t, dir, "bad.txt", "fine\nbad \xff here\n")},
		"no such tokenizer": {"encode", "--tokenizer", filepath.Join(dir, "nosuch.json"), "--input", corpus},
		"no such input":     {"encode", "--tokenizer", gpt2File, "--input", filepath.Join(dir, "nosuch.txt")},
		"a bad id":          {"decode", "--tokenizer", gpt2File, "--input", writeFile(t, dir, "ids.txt", "1 2 x\n")},
	}
	for name, text := range bad {
		cases[name] = []string{"encode", "--tokenizer", writeFile(t, dir, strings.ReplaceAll(name, " ", "_")+".json", text), "--input", corpus}
	}
	for name, args := range cases {
		r := runTokenizer(t, args...)
		if r.status != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "tokenizer: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 2, nothing and one line", name, r.status, r.stdout, r.stderr)
		}
	}
	if r := runTokenizer(t, cases["invalid UTF-8"]...); !strings.Contains(r.stderr, "line 2, byte 5") {
		t.Errorf("the invalid UTF-8 error does not name line 2, byte 5: %q", r.stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{}, {"nosuch"}, {"encode"}, {"encode", "--tokenizer", gpt2File}, {"decode", "--input", adversary},
		{"encode", "--tokenizer", gpt2File, "--input", adversary, "--threads", "0"},
		{"encode", "--tokenizer", gpt2File, "--input", adversary, "--threads", "two"},
		{"decode", "--tokenizer", gpt2File, "--input", adversary, "--threads", "2"},
		{"encode", "--tokenizer", gpt2File, "--input", adversary, "extra"},
	} {
		var stdout, stderr bytes.Buffer
		if status := run(args, &stdout, &stderr); status != 2 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "tokenizer: ") {
			t.Errorf("tokenizer %v: status %d, stdout %q, stderr %q; want 2 and an error", args, status, stdout.String(), stderr.String())
		}
	}
}
