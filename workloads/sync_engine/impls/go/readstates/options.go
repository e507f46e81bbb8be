package readstates

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Usage is the service's command line (SPEC.md, Command line).
const Usage = "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] [--backing FILE]"

// MaxEntries bounds --entries (the harness's own bound on the case parameter).
const MaxEntries = 1 << 30

// Options are serve's arguments.
type Options struct {
	Listen          string        // HOST:PORT
	Entries         uint64        // entries held in memory, at most
	Keys            uint64        // the key space's size; entries + entries/4 unless given
	WriteBackPeriod time.Duration // how often dirty entries go to the table
	Threads         int           // GOMAXPROCS
	Backing         string        // the table's file; empty: an anonymous in-memory file
}

// ParseOptions reads serve's arguments (after the word serve). The error is one line naming the option.
func ParseOptions(args []string) (Options, error) {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // the error comes back as a value: one line, printed by the caller
	listen := flags.String("listen", "", "HOST:PORT to listen on (required)")
	entries := flags.Uint64("entries", 0, "read states held in memory, at most (required)")
	keys := flags.Uint64("keys", 0, "the key space's size (default entries + entries/4)")
	writeBackMs := flags.Uint64("write-back-ms", 100, "how often dirty states are written back, in ms")
	threads := flags.Int("threads", 1, "threads serving connections (GOMAXPROCS)")
	backing := flags.String("backing", "", "the backing table's file (default: anonymous, in memory)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Options{}, errors.New(Usage)
		}
		return Options{}, fmt.Errorf("%v; %s", err, Usage)
	}
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case flags.NArg() > 0:
		return Options{}, fmt.Errorf("unexpected argument %q; %s", flags.Arg(0), Usage)
	case !given["listen"]:
		return Options{}, fmt.Errorf("--listen is required; %s", Usage)
	case !given["entries"]:
		return Options{}, fmt.Errorf("--entries is required; %s", Usage)
	case *entries < 1 || *entries > MaxEntries:
		return Options{}, fmt.Errorf("--entries wants a count from 1 to %d, got %d", MaxEntries, *entries)
	case given["keys"] && (*keys < 1 || *keys > 1<<40):
		return Options{}, fmt.Errorf("--keys wants a count from 1 to 2^40, got %d", *keys)
	case *writeBackMs < 1 || *writeBackMs > 3_600_000:
		return Options{}, fmt.Errorf("--write-back-ms wants 1..3600000, got %d", *writeBackMs)
	case *threads < 1 || *threads > 1024:
		return Options{}, fmt.Errorf("--threads wants 1..1024, got %d", *threads)
	case given["backing"] && *backing == "":
		return Options{}, errors.New("--backing wants a file path")
	}
	host, port, err := net.SplitHostPort(*listen)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil || host == "" {
		return Options{}, fmt.Errorf("--listen wants HOST:PORT (port 0..65535), got %q", *listen)
	}
	if !given["keys"] {
		*keys = *entries + *entries/4
	}
	return Options{
		Listen:          *listen,
		Entries:         *entries,
		Keys:            *keys,
		WriteBackPeriod: time.Duration(*writeBackMs) * time.Millisecond,
		Threads:         *threads,
		Backing:         *backing,
	}, nil
}
