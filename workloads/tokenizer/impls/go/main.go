// Command tokenizer is the claimbench tokenizer workload in Go (../../SPEC.md): encode documents to the
// ids Hugging Face tokenizers gives, or decode ids to text.
//
// Design: package bpe does the tokenizing; this command reads, checks and starts everything before the
// ready mark (the tokenizer, the corpus and its UTF-8, the worker goroutines, GOMAXPROCS = --threads), so
// that only encoding is timed, and turns every setup error into one line and exit status 2.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"claimbench/tokenizer/bpe"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: tokenizer encode --tokenizer FILE --input FILE [--threads N] [--latency-out FILE]
       tokenizer decode --tokenizer FILE --input FILE`

// errUsage marks a bad command line: the usage is printed after the error.
var errUsage = errors.New("usage")

type options struct {
	command    string
	tokenizer  string
	input      string
	latencyOut string
	threads    int
}

// run executes one command and returns the exit status: 0, 2 for bad arguments or input (one line on
// stderr, nothing on stdout), 1 when the output cannot be written.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err == nil {
		err = execute(opts, stdout)
	}
	var writeErr outputError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &writeErr):
		fmt.Fprintf(stderr, "tokenizer: %v\n", err)
		return 1
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "tokenizer: %v\n%s\n", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "tokenizer: %v\n", err)
		return 2
	}
}

func parseArgs(args []string) (options, error) {
	if len(args) == 0 {
		return options{}, fmt.Errorf("%w: missing command (encode or decode)", errUsage)
	}
	opts := options{command: args[0]}
	fs := flag.NewFlagSet(opts.command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opts.tokenizer, "tokenizer", "", "tokenizer.json to load")
	fs.StringVar(&opts.input, "input", "", "corpus (encode) or ids (decode), one document per line")
	switch opts.command {
	case "encode":
		fs.IntVar(&opts.threads, "threads", 1, "encode on up to N goroutines (GOMAXPROCS=N)")
		fs.StringVar(&opts.latencyOut, "latency-out", "", "write each document's encoding time (ns) here")
	case "decode":
	default:
		return opts, fmt.Errorf("%w: unknown command %q (encode or decode)", errUsage, opts.command)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return opts, fmt.Errorf("%w: %s: %v", errUsage, opts.command, err)
	}
	switch {
	case fs.NArg() > 0:
		return opts, fmt.Errorf("%w: %s: unexpected argument %q", errUsage, opts.command, fs.Arg(0))
	case opts.tokenizer == "":
		return opts, fmt.Errorf("%w: %s needs --tokenizer FILE", errUsage, opts.command)
	case opts.input == "":
		return opts, fmt.Errorf("%w: %s needs --input FILE", errUsage, opts.command)
	case opts.command == "encode" && (opts.threads < 1 || opts.threads > 1024):
		return opts, fmt.Errorf("%w: --threads expects a number from 1 to 1024, got %d", errUsage, opts.threads)
	}
	return opts, nil
}

// outputError is a failure to write the results (exit 1: the input was fine).
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }

func execute(opts options, stdout io.Writer) error {
	tok, err := loadTokenizer(opts.tokenizer)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(opts.input)
	if err != nil {
		return fmt.Errorf("cannot read %s (%v): check the path given to --input", opts.input, errors.Unwrap(err))
	}
	lines := splitLines(string(data))
	marks := marksFromEnv()
	if opts.command == "decode" {
		return decodeLines(tok, lines, opts.input, stdout, marks)
	}
	if err := checkUTF8(lines, opts.input); err != nil {
		return err
	}
	// --threads N: at most N threads run Go code (docs/implementation_rules.md, rule 8); one with
	// --latency-out, where documents are encoded one at a time.
	threads := opts.threads
	if opts.latencyOut != "" {
		threads = 1
	}
	runtime.GOMAXPROCS(threads)
	ids, latencies := encodeDocuments(tok, lines, threads, opts.latencyOut != "", marks)
	if opts.latencyOut != "" {
		if err := writeLatencies(opts.latencyOut, latencies); err != nil {
			return err
		}
	}
	return writeIDs(stdout, ids)
}

func loadTokenizer(path string) (*bpe.Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s (%v): check the path given to --tokenizer", path, errors.Unwrap(err))
	}
	tok, err := bpe.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tok, nil
}

// splitLines splits a corpus into documents: on '\n' only, and a last line without '\n' is a document
// when it is not empty.
func splitLines(text string) []string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		lines[i] = strings.TrimSuffix(line, "\n")
	}
	return lines
}

// checkUTF8 names the first line (and its byte) that is not valid UTF-8.
func checkUTF8(lines []string, path string) error {
	for i, line := range lines {
		if utf8.ValidString(line) {
			continue
		}
		valid := 0
		for valid < len(line) {
			r, size := utf8.DecodeRuneInString(line[valid:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			valid += size
		}
		return fmt.Errorf("%s line %d, byte %d: invalid UTF-8; the input must be UTF-8 text", path, i+1, valid+1)
	}
	return nil
}

func writeIDs(stdout io.Writer, ids [][]uint32) error {
	out := bufio.NewWriterSize(stdout, 1<<16)
	var line []byte
	for _, doc := range ids {
		line = line[:0]
		for j, id := range doc {
			if j > 0 {
				line = append(line, ' ')
			}
			line = strconv.AppendUint(line, uint64(id), 10)
		}
		line = append(line, '\n')
		if _, err := out.Write(line); err != nil {
			return outputError{fmt.Errorf("cannot write the ids to stdout: %v", err)}
		}
	}
	if err := out.Flush(); err != nil {
		return outputError{fmt.Errorf("cannot write the ids to stdout: %v", err)}
	}
	return nil
}

func writeLatencies(path string, latencies []int64) error {
	var text []byte
	for _, ns := range latencies {
		text = strconv.AppendInt(text, ns, 10)
		text = append(text, '\n')
	}
	if err := os.WriteFile(path, text, 0o644); err != nil {
		return fmt.Errorf("cannot write %s (%v): check the path given to --latency-out", path, errors.Unwrap(err))
	}
	return nil
}

func decodeLines(tok *bpe.Tokenizer, lines []string, path string, stdout io.Writer, marks *marks) error {
	if !tok.CanDecode() {
		return errors.New("decoder is not ByteLevel; this port decodes byte-level BPE only")
	}
	marks.mark("ready")
	var out []byte
	var ids []uint32
	for i, line := range lines {
		ids = ids[:0]
		for _, field := range strings.Fields(line) {
			id, err := strconv.ParseUint(field, 10, 32)
			if err != nil {
				return fmt.Errorf("%s line %d: expected space-separated ids, found %q", path, i+1, field)
			}
			ids = append(ids, uint32(id))
		}
		out = tok.Decode(ids, out)
		out = append(out, '\n')
	}
	marks.mark("done")
	if _, err := stdout.Write(out); err != nil {
		return outputError{fmt.Errorf("cannot write the text to stdout: %v", err)}
	}
	return nil
}
