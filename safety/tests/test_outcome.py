"""How builds and runs are read: rustc's JSON diagnostics, compiler warnings, sanitizer reports, signals and
hangs. Each case here is one line of a real tool's output."""

import json
import signal

from claimbench_safety.outcome import (
    CAUGHT,
    CRASHED,
    HUNG,
    REJECTED,
    SILENT,
    WARNED,
    cxx_compile_outcome,
    go_vet_outcome,
    run_outcome,
    rustc_outcome,
)


def _diagnostic(level: str, message: str, code: str | None) -> str:
    return json.dumps({"$message_type": "diagnostic", "level": level, "message": message,
                       "code": {"code": code, "explanation": None} if code else None})


def test_rustc_rejection_is_the_set_of_error_codes_not_the_messages():
    stderr = "\n".join([_diagnostic("error", "cannot borrow `v` as mutable", "E0502"),
                        _diagnostic("error", "cannot borrow `v` again", "E0502"),
                        _diagnostic("error", "borrow of moved value", "E0382"),
                        _diagnostic("warning", "unused variable", None),
                        _diagnostic("error", "aborting due to 3 previous errors", None)])
    outcome = rustc_outcome(1, stderr)
    assert outcome.outcome == REJECTED
    assert outcome.codes == ("E0382", "E0502")


def test_rustc_error_without_a_code_is_named_and_a_clean_compile_is_silent():
    assert rustc_outcome(1, _diagnostic("error", "this arithmetic operation will overflow", None)).codes == (
        "no-code",)
    assert rustc_outcome(0, _diagnostic("warning", "unused variable: `x`", None)).outcome == SILENT


def test_cxx_warnings_are_their_flags():
    stderr = ("bug.cc:7:10: warning: pointer used after 'void operator delete(void*)' [-Wuse-after-free]\n"
              "bug.cc:9:3: warning: 'x' is used uninitialized [-Wuninitialized]\n")
    outcome = cxx_compile_outcome(0, stderr)
    assert outcome.outcome == WARNED
    assert outcome.detail == "-Wuninitialized -Wuse-after-free"
    assert cxx_compile_outcome(0, "").outcome == SILENT
    assert cxx_compile_outcome(1, "bug.cc:3:1: error: expected ';'").outcome == REJECTED


def test_go_vet_findings_are_warnings():
    assert go_vet_outcome(1, "# command-line-arguments\n./bug.go:9:2: loop variable captured").outcome == WARNED
    assert go_vet_outcome(0, "").outcome == SILENT


def test_sanitizer_reports_are_caught_and_name_the_bug():
    asan = "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010"
    assert run_outcome(1, asan, False).detail == "AddressSanitizer: heap-use-after-free"
    tsan = "==================\nWARNING: ThreadSanitizer: data race (pid=7)\n  Write of size 8"
    assert run_outcome(66, tsan, False).detail == "ThreadSanitizer: data race"
    ubsan = "bug.cc:8:40: runtime error: signed integer overflow: 1 + 2147483647 cannot be represented"
    assert run_outcome(1, ubsan, False).outcome == CAUGHT
    assertion = "stl_vector.h:1123: ... Assertion '__n < this->size()' failed.\n"
    assert run_outcome(-signal.SIGABRT, assertion, False).detail == "libstdc++ assertion: __n < this->size()"
    glibc = "free(): double free detected in tcache 2\n"
    assert run_outcome(-signal.SIGABRT, glibc, False).outcome == CAUGHT


def test_a_segfault_is_a_crash_even_when_a_sanitizer_reports_it():
    assert run_outcome(-signal.SIGSEGV, "", False).outcome == CRASHED
    asan_segv = "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000004"
    assert run_outcome(1, asan_segv, False).outcome == CRASHED


def test_a_trap_is_a_check_only_for_a_library_that_traps():
    assert run_outcome(-signal.SIGILL, "", False, traps_are_checks=True).outcome == CAUGHT
    assert run_outcome(-signal.SIGILL, "", False).outcome == CRASHED


def test_panics_and_go_runtime_reports_are_caught():
    rust = "thread 'main' panicked at bug.rs:6:34:\nindex out of bounds: the len is 4 but the index is 4"
    assert run_outcome(101, rust, False).detail == "panic: index out of bounds: the len is 4 but the index is 4"
    go = "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:"
    assert run_outcome(2, go, False).detail == "Go runtime: all goroutines are asleep - deadlock!"
    assert run_outcome(66, "==================\nWARNING: DATA RACE\nRead at", False).outcome == CAUGHT


def test_hung_unless_a_report_came_first_and_clean_is_silent():
    assert run_outcome(None, "", True).outcome == HUNG
    report = "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=3)"
    assert run_outcome(None, report, True).outcome == CAUGHT
    assert run_outcome(0, "balance = -60\n", False).outcome == SILENT
    assert run_outcome(3, "", False).outcome == CRASHED
