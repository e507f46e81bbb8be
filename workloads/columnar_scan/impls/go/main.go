// Command columnar_scan is the columnar_scan workload in Go (workloads/columnar_scan/SPEC.md): `query`
// maps a data directory's columns, checks them, runs one TPC-H query on --threads threads and prints
// the answer as CSV.
//
// Design: the columns are memory-mapped (golang.org/x/sys/unix) and read in place; every file a query
// reads is checked against the manifest (size, checksum, string offsets) before ready. Each query is
// plain loops over morsels of rows that goroutines take from a shared counter, GOMAXPROCS set to
// --threads; money stays in integer hundredths (128-bit sums with math/bits where a sum can pass 2^63);
// joins and group-bys are built-in maps. gc does not vectorise loops, and nothing here works around it.
// main only parses the command line and turns every error into one line on stderr and exit status 2.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

const usageText = "usage: columnar_scan query --data DIR --query q1|q6|q3|q18 [--threads N]\n"

// query is a query with its columns mapped and checked; run does all of its own work (the timed part)
// on `threads` goroutines and returns SPEC.md's CSV. It fails only on data no TPC-H generator makes.
type query interface {
	run(threads int) (string, error)
}

var queries = map[string]func(*dataDir) (query, error){"q1": loadQ1, "q6": loadQ6, "q3": loadQ3, "q18": loadQ18}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

type options struct {
	data, query string
	threads     int
}

// parseArgs reads `query --data DIR --query NAME [--threads N]`; flag.ErrHelp for -h.
func parseArgs(args []string) (options, error) {
	if len(args) == 0 {
		return options{}, errors.New("missing subcommand: query --data DIR --query NAME [--threads N]")
	}
	if args[0] == "-h" || args[0] == "--help" {
		return options{}, flag.ErrHelp
	}
	if args[0] != "query" {
		return options{}, fmt.Errorf("unknown subcommand %q (this port only runs queries)", args[0])
	}
	flags := flag.NewFlagSet("query", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var opts options
	flags.StringVar(&opts.data, "data", "", "a data directory made by the C++ reference's generate")
	flags.StringVar(&opts.query, "query", "", "q1, q6, q3 or q18")
	flags.IntVar(&opts.threads, "threads", 1, "how many threads do the query's work")
	if err := flags.Parse(args[1:]); err != nil {
		return options{}, err
	}
	switch {
	case flags.NArg() > 0:
		return options{}, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	case opts.data == "":
		return options{}, errors.New("--data is required")
	case opts.query == "":
		return options{}, errors.New("--query is required")
	case queries[opts.query] == nil:
		return options{}, fmt.Errorf("unknown query %q; choose one of q1, q6, q3, q18", opts.query)
	case opts.threads < 1 || opts.threads > 1024:
		return options{}, errors.New("--threads must be an integer from 1 to 1024")
	}
	return opts, nil
}

// runQuery is start-up (the data mapped and checked, GOMAXPROCS set), ready, the query, done.
func runQuery(opts options) (string, error) {
	data, err := openDataDir(opts.data)
	if err != nil {
		return "", err
	}
	q, err := queries[opts.query](data)
	if err != nil {
		return "", err
	}
	runtime.GOMAXPROCS(opts.threads)
	mark("ready")
	answer, err := q.run(opts.threads)
	if err != nil {
		return "", err
	}
	mark("done")
	return answer, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usageText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "columnar_scan: error: %s; see --help\n", err)
		return 2
	}
	answer, err := runQuery(opts)
	if err != nil {
		fmt.Fprintf(stderr, "columnar_scan: error: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return 2
	}
	if _, err := io.WriteString(stdout, answer); err != nil {
		fmt.Fprintf(stderr, "columnar_scan: error: cannot write the answer to stdout (%v)\n", err)
		return 1
	}
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
