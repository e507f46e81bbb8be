package main

import (
	"errors"
	"fmt"
)

// The errors of SPEC.md's exit statuses. main prints each as one stderr line: usageError (2: bad
// arguments or unreadable inputs, saying what to do), corruptError (3: a corrupt store or local state,
// naming the object), localChangedError (4: a local file changed during the sync). Anything else is 1.

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// corruptError names the object ("packs/ab12...", "index/...", "trees/...", "HEAD", "format",
// ".claimsync/base.json") and what is wrong with it.
type corruptError struct{ object, what string }

func (e *corruptError) Error() string { return e.object + ": " + e.what }

func corruptf(object, format string, args ...any) error {
	return &corruptError{object, fmt.Sprintf(format, args...)}
}

type localChangedError struct{ path string }

func (e *localChangedError) Error() string {
	return e.path + " changed during the sync; local folder changed during sync; run sync again"
}

// exitLine is the one stderr line and exit status of err.
func exitLine(err error) (string, int) {
	var usage *usageError
	var corrupt *corruptError
	var changed *localChangedError
	switch {
	case errors.As(err, &usage):
		return "sync_engine: error: " + usage.msg, 2
	case errors.As(err, &corrupt):
		return "sync_engine: corrupt: " + corrupt.Error(), 3
	case errors.As(err, &changed):
		return "sync_engine: error: " + changed.Error(), 4
	default:
		return "sync_engine: error: " + err.Error(), 1
	}
}
