package readstates

import (
	"strings"
	"testing"
	"time"
)

func TestParseOptionsDefaults(t *testing.T) {
	got, err := ParseOptions([]string{"--listen", "127.0.0.1:0", "--entries", "1000"})
	want := Options{Listen: "127.0.0.1:0", Entries: 1000, Keys: 1250, WriteBackPeriod: 100 * time.Millisecond, Threads: 1}
	if err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
}

func TestParseOptionsNamesTheBadOption(t *testing.T) {
	base := []string{"--listen", "127.0.0.1:0", "--entries", "10"}
	cases := map[string][]string{
		"--listen is required":  {"--entries", "10"},
		"--entries is required": {"--listen", "127.0.0.1:0"},
		"--entries wants":       {"--listen", "127.0.0.1:0", "--entries", "0"},
		"flag -entries":         {"--listen", "127.0.0.1:0", "--entries", "many"},
		"--listen wants":        {"--listen", "nowhere", "--entries", "10"},
		"--keys wants":          append(base, "--keys", "0"),
		"--write-back-ms wants": append(base, "--write-back-ms", "0"),
		"--threads wants":       append(base, "--threads", "0"),
		"--backing wants":       append(base, "--backing", ""),
		"not defined: -bogus":   append(base, "--bogus", "1"),
		"unexpected argument":   append(base, "extra"),
	}
	for want, args := range cases {
		_, err := ParseOptions(args)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line with %q", args, err, want)
		}
	}
}
