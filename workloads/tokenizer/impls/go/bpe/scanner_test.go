package bpe

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// corpusLines returns the lines of a committed corpus (../../data/corpora/NAME.txt).
func corpusLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("../../../data/corpora/" + name + ".txt")
	if err != nil {
		t.Fatalf("reading the committed corpus: %v", err)
	}
	return lines(string(data))
}

// lines splits a file's text into its lines, as the SPEC splits a corpus into documents.
func lines(text string) []string {
	split := strings.Split(text, "\n")
	if split[len(split)-1] == "" {
		split = split[:len(split)-1]
	}
	return split
}

// randomText draws n characters from an alphabet of what the patterns distinguish: letters, numbers and
// White_Space of several scripts, newlines, apostrophes and contraction letters in both cases, long s,
// punctuation, marks and emoji.
func randomText(rng *rand.Rand, n int) string {
	alphabet := []rune("  \t\r\n\u00a0\u3000\u2028\u0085'sStTrReEvVmMlLdDſ ab9Z0١²½Ⅷ.,-!?\"(){}é中한ـّ\u0301😀🏽\u200d#_\u00ad\x0b\x1f")
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

func assertScannerMatchesRegexp2(t *testing.T, pattern string) {
	fast, ok := scannerFor(pattern)
	if !ok {
		t.Fatalf("no scanner for %q", pattern)
	}
	slow, err := newRegexSplitter(pattern)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, text string) bool {
		got, want := fast.findAll(text, nil), slow.findAll(text, nil)
		if len(got) != len(want) {
			t.Errorf("%s %q: %d matches, regexp2 %d", what, text, len(got), len(want))
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s %q: match %d is %q, regexp2 %q", what, text, i,
					text[got[i].start:got[i].end], text[want[i].start:want[i].end])
				return false
			}
		}
		return true
	}
	for _, corpus := range []string{"sample", "adversarial"} {
		for i, line := range corpusLines(t, corpus) {
			if !check(fmt.Sprintf("%s line %d", corpus, i+1), line) {
				return
			}
		}
	}
	rng := rand.New(rand.NewPCG(20261207, 1))
	for range 20000 {
		if !check("random", randomText(rng, 1+rng.IntN(24))) {
			return
		}
	}
}

func TestGPT2ScannerMatchesRegexp2(t *testing.T) { assertScannerMatchesRegexp2(t, gpt2Pattern) }

func TestLlama3ScannerMatchesRegexp2(t *testing.T) { assertScannerMatchesRegexp2(t, llama3Pattern) }

func TestGPT2ScannerSplitsAsHFDocuments(t *testing.T) {
	gpt2, _ := scannerFor(gpt2Pattern)
	text := "Hello world's  3 apples!!\u00a0 ok   "
	var words []string
	for _, m := range gpt2.findAll(text, nil) {
		words = append(words, text[m.start:m.end])
	}
	want := []string{"Hello", " world", "'s", " ", " 3", " apples", "!!", "\u00a0", " ok", "   "}
	if strings.Join(words, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", words, want)
	}
}
