// Command sync_engine is claimbench's sync_engine workload in Go (workloads/sync_engine/SPEC.md): the
// batch side (sync, restore, verify and chunk, this package) and the read-states service (serve: package
// readstates with the cache of package packedcache). main parses the command line with the standard flag
// package and turns every error into one stderr line and the SPEC's exit status: 2 usage or unreadable
// input, 3 corrupt store or local state, 4 local folder changed during the sync.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"claimbench/sync_engine/packedcache"
	"claimbench/sync_engine/readstates"
)

const usage = "usage: sync_engine sync --local DIR --remote STORE [--hash sha256|fast] [--min BYTES] [--avg BYTES] [--max BYTES] [--threads N] [--replica NAME] [--rehash] [--fsync] | restore --remote STORE --out DIR | verify --remote STORE | chunk --input FILE [--mode chunk|hash|chunk+hash] [--hash sha256|fast] [--min BYTES] [--avg BYTES] [--max BYTES] [--threads N] | serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] [--threads N] [--backing FILE]"

// option is a flag value that may be given once; set reports whether it was.
type option struct {
	value string
	set   bool
}

func (o *option) String() string { return o.value }

func (o *option) Set(v string) error {
	if o.set {
		return errors.New("given twice")
	}
	o.value, o.set = v, true
	return nil
}

// command is one subcommand's flags.
type command struct {
	flags   *flag.FlagSet
	options map[string]*option
	bools   map[string]*bool
}

func newCommand(name string, valued []string, bools []string) *command {
	c := &command{flags: flag.NewFlagSet(name, flag.ContinueOnError), options: map[string]*option{}, bools: map[string]*bool{}}
	c.flags.SetOutput(io.Discard) // errors become one line in main
	for _, v := range valued {
		c.options[v] = &option{}
		c.flags.Var(c.options[v], v, "")
	}
	for _, b := range bools {
		c.bools[b] = c.flags.Bool(b, false, "")
	}
	return c
}

func (c *command) parse(args []string) error {
	if err := c.flags.Parse(args); err != nil {
		return usagef("%s: %v; %s", c.flags.Name(), err, usage)
	}
	if c.flags.NArg() > 0 {
		return usagef("unexpected argument '%s'; %s", c.flags.Arg(0), usage)
	}
	return nil
}

func (c *command) required(name string) (string, error) {
	if v := c.options[name].value; v != "" {
		return v, nil
	}
	return "", usagef("--%s is required; %s", name, usage)
}

func (c *command) hash() (*hashKind, error) {
	if !c.options["hash"].set {
		return nil, nil
	}
	k, err := parseHashKind(c.options["hash"].value)
	return &k, err
}

func (c *command) threads() (int, error) {
	text := c.options["threads"].value
	if !c.options["threads"].set {
		return 1, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > 1024 || strings.TrimLeft(text, "0123456789") != "" {
		return 0, usagef("--threads must be a whole number from 1 to 1024, not '%s'", text)
	}
	return n, nil
}

func (c *command) chunker() (*chunker, error) {
	sizes := defaultSizes
	for _, f := range []struct {
		name string
		to   *int
	}{{"min", &sizes.min}, {"avg", &sizes.avg}, {"max", &sizes.max}} {
		if o := c.options[f.name]; o.set {
			n, err := parseSize(o.value)
			if err != nil {
				return nil, usagef("--%s must be a byte count such as 65536, 64K or 1M, not '%s'", f.name, o.value)
			}
			*f.to = n
		}
	}
	if err := sizes.validate(); err != nil {
		return nil, err
	}
	return newChunker(sizes), nil
}

// parseSize reads a byte count, plain or with a K or M suffix (powers of 1024).
func parseSize(text string) (int, error) {
	unit := 1
	if t, ok := strings.CutSuffix(strings.ToUpper(text), "K"); ok {
		text, unit = t, 1<<10
	} else if t, ok := strings.CutSuffix(strings.ToUpper(text), "M"); ok {
		text, unit = t, 1<<20
	}
	n, err := strconv.ParseUint(text, 10, 40)
	if err != nil || strings.TrimLeft(text, "0123456789") != "" {
		return 0, errors.New("not a size")
	}
	return int(n) * unit, nil
}

// run runs a batch command (sync, restore, verify, chunk; main hands `serve` to package readstates) and
// returns its error, which main prints as one line.
func run(args []string, m *marks, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("no command given; %s", usage)
	}
	name, rest := args[0], args[1:]
	switch name {
	case "sync":
		c := newCommand(name, []string{"local", "remote", "hash", "min", "avg", "max", "threads", "replica"}, []string{"rehash", "fsync"})
		if err := c.parse(rest); err != nil {
			return err
		}
		o := syncOptions{replica: c.options["replica"].value, rehash: *c.bools["rehash"], fsync: *c.bools["fsync"]}
		if c.options["replica"].set && o.replica == "" {
			return usagef("--replica names conflicted copies, so it cannot be empty")
		}
		var err error
		if o.local, err = c.required("local"); err != nil {
			return err
		}
		if o.remote, err = c.required("remote"); err != nil {
			return err
		}
		if o.hash, err = c.hash(); err != nil {
			return err
		}
		if o.chunker, err = c.chunker(); err != nil {
			return err
		}
		if o.threads, err = c.threads(); err != nil {
			return err
		}
		runtime.GOMAXPROCS(o.threads) // SPEC.md: at most --threads threads sync
		stats, err := runSync(o, m)
		if err != nil {
			return err
		}
		line, _ := json.Marshal(stats)
		_, err = fmt.Fprintf(stdout, "%s\n", line)
		return err
	case "restore":
		c := newCommand(name, []string{"remote", "out"}, nil)
		if err := c.parse(rest); err != nil {
			return err
		}
		remote, err := c.required("remote")
		if err != nil {
			return err
		}
		out, err := c.required("out")
		if err != nil {
			return err
		}
		files, err := runRestore(remote, out, m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "{\"files\": %d}\n", files)
		return err
	case "verify":
		c := newCommand(name, []string{"remote"}, nil)
		if err := c.parse(rest); err != nil {
			return err
		}
		remote, err := c.required("remote")
		if err != nil {
			return err
		}
		report, err := runVerify(remote)
		if err != nil {
			return err
		}
		if len(report.problems) > 0 {
			for _, p := range report.problems[1:] {
				fmt.Fprintln(os.Stderr, "sync_engine: corrupt: "+p)
			}
			object, what, _ := strings.Cut(report.problems[0], ": ")
			return &corruptError{object, what}
		}
		_, err = fmt.Fprintln(stdout, report)
		return err
	case "chunk":
		c := newCommand(name, []string{"input", "mode", "hash", "min", "avg", "max", "threads"}, nil)
		if err := c.parse(rest); err != nil {
			return err
		}
		input, err := c.required("input")
		if err != nil {
			return err
		}
		mode := "chunk"
		if c.options["mode"].set {
			mode = c.options["mode"].value
		}
		if mode != "chunk" && mode != "hash" && mode != "chunk+hash" {
			return usagef("--mode must be chunk, hash or chunk+hash, not '%s'", mode)
		}
		kind, err := c.hash()
		if err != nil {
			return err
		}
		if kind == nil {
			k := hashSHA256
			kind = &k
		}
		ch, err := c.chunker()
		if err != nil {
			return err
		}
		threads, err := c.threads()
		if err != nil {
			return err
		}
		if threads > 1 && mode != "chunk+hash" {
			return usagef("--threads above 1 is for --mode chunk+hash only")
		}
		runtime.GOMAXPROCS(threads)
		return runChunk(input, mode, *kind, ch, threads, m, stdout)
	}
	return usagef("unknown command '%s'; %s", name, usage)
}

// runChunk is `chunk` (SPEC.md): the input is mapped and touched before ready; done is marked when the
// kernel is finished, before anything is printed.
func runChunk(input, mode string, kind hashKind, c *chunker, threads int, m *marks, stdout io.Writer) error {
	f, err := os.Open(input)
	if err != nil {
		return usagef("cannot read --input %s: %v", input, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return usagef("cannot read --input %s: %v", input, err)
	}
	var data []byte
	if info.Size() > 0 {
		if data, err = unix.Mmap(int(f.Fd()), 0, int(info.Size()), unix.PROT_READ, unix.MAP_SHARED); err != nil {
			return usagef("cannot map --input %s: %v", input, err)
		}
		defer unix.Munmap(data)
	}
	var touched byte
	for i := 0; i < len(data); i += 4096 {
		touched ^= data[i]
	}
	runtime.KeepAlive(touched)
	m.mark("ready")
	out := bufio.NewWriterSize(stdout, 1<<16)
	switch mode {
	case "hash":
		sum := kind.hex(data)
		m.mark("done")
		fmt.Fprintln(out, sum)
	case "chunk":
		spans := c.chunks(data)
		m.mark("done")
		for _, s := range spans {
			fmt.Fprintln(out, s)
		}
	default:
		chunks, err := chunkAndHash(data, c, kind, threads, nil)
		if err != nil {
			return err
		}
		m.mark("done")
		for _, h := range chunks {
			fmt.Fprintf(out, "%d %d %s\n", h.offset, h.length, h.digest.hex())
		}
	}
	return out.Flush()
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		// The service parses its own flags, reports its own errors and exits with its own status.
		os.Exit(readstates.RunServe(os.Args[2:], readstates.Program{NewCache: packedcache.New, BytesPerEntry: packedcache.BytesPerEntry}))
	}
	if err := run(os.Args[1:], marksFromEnv(), os.Stdout); err != nil {
		line, code := exitLine(err)
		fmt.Fprintln(os.Stderr, line)
		os.Exit(code)
	}
}
