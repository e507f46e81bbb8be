package bpe

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

func loadStyle(t *testing.T, style string) *Tokenizer {
	t.Helper()
	data, err := os.ReadFile("../../../data/" + style + "/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func readGolden(t *testing.T, style, name string) []string {
	t.Helper()
	data, err := os.ReadFile("../../../data/" + style + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return lines(string(data))
}

func formatIDs(ids []uint32) string {
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(fields, " ")
}

// assertGoldens encodes the committed corpora and compares every line with HF's own ids.
func assertGoldens(t *testing.T, tok *Tokenizer, style string) {
	t.Helper()
	enc := tok.NewEncoder()
	for _, corpus := range []string{"sample", "adversarial"} {
		golden := readGolden(t, style, corpus+".ids")
		docs := corpusLines(t, corpus)
		if len(docs) != len(golden) {
			t.Fatalf("%s/%s: %d documents, %d golden lines", style, corpus, len(docs), len(golden))
		}
		for i, doc := range docs {
			if got := formatIDs(enc.Encode(doc, nil)); got != golden[i] {
				t.Fatalf("%s/%s line %d: ids\n%s\nwant HF's\n%s", style, corpus, i+1, got, golden[i])
			}
		}
	}
}

func TestEncodeGivesHFsIDs(t *testing.T) {
	for _, style := range []string{"gpt2", "llama3"} {
		assertGoldens(t, loadStyle(t, style), style)
	}
}

// styleAsJSON returns a committed tokenizer.json as generic JSON, for a test to change it.
func styleAsJSON(t *testing.T, style string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("../../../data/" + style + "/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file
}

// The same files with merges in the other form ("a b" strings against ["a", "b"] pairs) give the same ids.
func TestBothMergeFormsGiveHFsIDs(t *testing.T) {
	for _, style := range []string{"gpt2", "llama3"} {
		file := styleAsJSON(t, style)
		model := file["model"].(map[string]any)
		merges := model["merges"].([]any)
		for i, m := range merges {
			if text, ok := m.(string); ok {
				left, right, _ := strings.Cut(text, " ")
				merges[i] = []string{left, right}
			} else {
				pair := m.([]any)
				merges[i] = pair[0].(string) + " " + pair[1].(string)
			}
		}
		converted, _ := json.Marshal(file)
		tok, err := Parse(converted)
		if err != nil {
			t.Fatal(err)
		}
		assertGoldens(t, tok, style)
	}
}

func TestDecodeGivesHFsText(t *testing.T) {
	for _, style := range []string{"gpt2", "llama3"} {
		tok := loadStyle(t, style)
		for _, corpus := range []string{"sample", "adversarial"} {
			want := readGolden(t, style, corpus+".decoded")
			for i, line := range readGolden(t, style, corpus+".ids") {
				var ids []uint32
				for _, field := range strings.Fields(line) {
					id, _ := strconv.ParseUint(field, 10, 32)
					ids = append(ids, uint32(id))
				}
				if got := tok.Decode(ids, nil); string(got) != want[i] {
					t.Fatalf("%s/%s line %d: decoded %q, want %q", style, corpus, i+1, got, want[i])
				}
			}
		}
	}
}

func TestInvalidUTF8DecodesToOneReplacementPerMaximalSubpart(t *testing.T) {
	for in, want := range map[string]string{
		"a\xffb":           "a\ufffdb",
		"\xff\xff":         "\ufffd\ufffd",
		"\xe2\x82":         "\ufffd",
		"\xe2\x82A":        "\ufffdA",
		"\xf0\x9f\x98":     "\ufffd",
		"\xf0\x9f\x98\x80": "😀",
		"\xed\xa0\x80":     "\ufffd\ufffd\ufffd", // a surrogate: ED's second byte must be below A0
		"\xc0\xaf":         "\ufffd\ufffd",       // an overlong
	} {
		if got := string(appendLossy(nil, []byte(in))); got != want {
			t.Errorf("appendLossy(%q) = %q, want %q", in, got, want)
		}
	}
}

// HF's documented example of the five Split behaviours, on "the-final--countdown" split at "-".
func TestSplitBehavioursAreHFs(t *testing.T) {
	for behavior, want := range map[splitBehavior]string{
		removed:            "the|final|countdown",
		isolated:           "the|-|final|-|-|countdown",
		mergedWithPrevious: "the-|final-|-|countdown",
		mergedWithNext:     "the|-final|-|-countdown",
		contiguous:         "the|-|final|--|countdown",
	} {
		p := preTokenizer{[]preTokenizerStep{{splitter: literalSplitter{"-"}, behavior: behavior}}}
		if got := strings.Join(p.split("the-final--countdown", nil, &splitScratch{}), "|"); got != want {
			t.Errorf("behaviour %d: %q, want %q", behavior, got, want)
		}
	}
	inverted := preTokenizer{[]preTokenizerStep{{splitter: literalSplitter{"-"}, behavior: removed, invert: true}}}
	if got := strings.Join(inverted.split("the-final--countdown", nil, &splitScratch{}), "|"); got != "-|-|-" {
		t.Errorf("inverted Removed: %q", got)
	}
}

// tinyFile is a minimal byte-level BPE tokenizer.json: bytes a, b, c; merges "a b" then "ab c".
func tinyFile(modelExtra, rest string) string {
	return `{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "bc": 5, "<unk>": 6` + modelExtra + `},
	  "merges": ["a b", "ab c", "b c"]},
	  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}` + rest + `}`
}

func encodeWith(t *testing.T, file, text string) string {
	t.Helper()
	tok, err := Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	return formatIDs(tok.NewEncoder().Encode(text, nil))
}

// The expected ids are HF 0.23.3's on the same files.
func TestMergesByRankAndHFsRulesForMissingBytes(t *testing.T) {
	base := tinyFile("", "")
	if got := encodeWith(t, base, "abc"); got != "4" {
		t.Errorf("abc: %s, want 4 (a+b first, then ab+c)", got)
	}
	if got := encodeWith(t, base, "bcab"); got != "5 3" {
		t.Errorf("bcab: %s, want 5 3", got)
	}
	if got := encodeWith(t, base, "axxb"); got != "3" {
		t.Errorf("a byte with no token and no unk_token is dropped (and a, b then merge): %s", got)
	}
	withUnk := strings.Replace(base, `"merges"`, `"unk_token": "<unk>", "merges"`, 1)
	if got := encodeWith(t, withUnk, "axxb"); got != "0 6 6 1" {
		t.Errorf("unk without fuse_unk: %s", got)
	}
	fused := strings.Replace(withUnk, `"merges"`, `"fuse_unk": true, "merges"`, 1)
	if got := encodeWith(t, fused, "axxb"); got != "0 6 1" {
		t.Errorf("fuse_unk: %s", got)
	}
	// byte_fallback: the <0xXX> tokens of the UTF-8 bytes of the byte's stand-in character, when all exist
	// (x stands for itself; ' ' is U+0120, C4 A0, and there is no <0xA0>; é is two bytes with no token).
	fallback := strings.Replace(withUnk, `"<unk>": 6`, `"<unk>": 6, "<0x78>": 7, "<0xC4>": 8`, 1)
	fallback = strings.Replace(fallback, `"merges"`, `"byte_fallback": true, "merges"`, 1)
	for text, want := range map[string]string{"axb": "0 7 1", "a b": "0 6 1", "aé": "0 6 6"} {
		if got := encodeWith(t, fallback, text); got != want {
			t.Errorf("byte_fallback, %q: %s, want %s", text, got, want)
		}
	}
	// A merge listed twice keeps its last rank: "b c" (rank 3 now) loses to "a b" (0) in "abc".
	twice := strings.Replace(base, `"merges": ["a b", "ab c", "b c"]`, `"merges": ["b c", "a b", "ab c", "b c"]`, 1)
	if got := encodeWith(t, twice, "abc"); got != "4" {
		t.Errorf("repeated merge: %s, want 4", got)
	}
}

// The expected ids are HF 0.23.3's on the same file (tokenizers.Tokenizer.from_str).
func TestAddedTokensFollowHFsFlagsAndIDs(t *testing.T) {
	file := tinyFile("", `, "added_tokens": [
	  {"id": 10, "content": "ab", "special": false, "single_word": true},
	  {"id": 11, "content": "<s>", "special": true, "lstrip": true, "rstrip": true},
	  {"id": 12, "content": "<s>x", "special": true}]`)
	for text, want := range map[string]string{
		"ab":      "3",     // in the vocabulary: HF gives it that id, not the file's 10
		"cab":     "2 3",   // single_word: a word character touches it, so it is an ordinary word
		"c ab":    "2 3",   // the space is dropped: a ' ' byte has no token here
		"a <s> b": "0 7 1", // lstrip and rstrip take the spaces; new tokens are numbered from the vocabulary's size
		"<s>xa":   "8 0",   // leftmost-longest
		"c<s>":    "2 7",
	} {
		if got := encodeWith(t, file, text); got != want {
			t.Errorf("%q: %s, want %s", text, got, want)
		}
	}
}

// The regexp2 path gives HF's ids too: the same patterns wrapped in a group no scanner recognises.
func TestRegexp2FallbackGivesHFsIDs(t *testing.T) {
	for _, style := range []string{"gpt2", "llama3"} {
		file := styleAsJSON(t, style)
		// GPT-2's ByteLevel with use_regex is a Split on its pattern followed by ByteLevel without it.
		pattern := gpt2Pattern
		if style == "llama3" {
			pattern = llama3Pattern
		}
		file["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": "(?:" + pattern + ")"}, "behavior": "Isolated"},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false},
		}}
		changed, _ := json.Marshal(file)
		tok, err := Parse(changed)
		if err != nil {
			t.Fatal(err)
		}
		if _, isScanner := tok.preTokenizer.steps[0].splitter.(scanner); isScanner {
			t.Fatalf("%s: the wrapped pattern still runs on a scanner", style)
		}
		assertGoldens(t, tok, style)
	}
}
