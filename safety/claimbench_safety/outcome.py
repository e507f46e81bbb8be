"""What a build or a run of a corpus program did, read from its exit status and its diagnostics.

Outcomes, from the strongest detection to none:
    rejected     the compiler refused the program (rustc errors, a C++ or Go build error)
    warned       it compiled, with warnings (g++/clang++ -Wall -Wextra, go vet's findings)
    caught       at run time a tool named the bug: a sanitizer's report, a hardened library's assertion or
                 trap, glibc's allocator check, a Rust or Go panic, Go's race or deadlock detector
    crashed      it died of a signal (or exited non-zero) without any tool naming the bug: luck, not detection
    hung         it did not finish within the time limit (a deadlock nobody reported)
    silent       it compiled cleanly and ran to completion, and nothing said anything
    unavailable  the tool is not installed here (the detail says why)

Pure functions; thread-safe.
"""

import json
import re
import signal
from dataclasses import dataclass, field

REJECTED, WARNED, CAUGHT, CRASHED, HUNG, SILENT, UNAVAILABLE = (
    "rejected", "warned", "caught", "crashed", "hung", "silent", "unavailable")
OUTCOMES = (REJECTED, WARNED, CAUGHT, CRASHED, HUNG, SILENT, UNAVAILABLE)
# What counts as the tool detecting the bug before it does harm (the claim rules read these).
AT_COMPILE_TIME = (REJECTED, WARNED)


@dataclass(frozen=True)
class Outcome:
    """One cell of the matrix: the outcome, a short detail (which report, which error codes, which signal)
    and, for rustc, the exact set of error codes (sorted)."""

    outcome: str
    detail: str = ""
    codes: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        cell = {"outcome": self.outcome, "detail": self.detail}
        if self.codes:
            cell["codes"] = list(self.codes)
        return cell


def rustc_outcome(returncode: int, stderr: str) -> Outcome:
    """rustc run with --error-format=json: `rejected` with the set of error codes when it failed (an error
    without a code, such as a deny-by-default lint, counts as "no-code"), else `silent` (the run decides
    what happens next). Warnings are listed in the detail."""
    codes, warnings, first_error = set(), set(), ""
    for line in stderr.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(message, dict) or message.get("$message_type") != "diagnostic":
            continue
        code = (message.get("code") or {}).get("code")
        if message.get("level") == "error":
            if not message.get("message", "").startswith("aborting due to"):
                codes.add(code or "no-code")
                first_error = first_error or message.get("message", "")
        elif message.get("level") == "warning":
            warnings.add(code or message.get("message", "")[:60])
    if returncode != 0:
        if not codes:
            codes.add("no-code")
        return Outcome(REJECTED, f"{', '.join(sorted(codes))}: {first_error}", tuple(sorted(codes)))
    return Outcome(SILENT, f"warnings: {', '.join(sorted(warnings))}" if warnings else "")


_CXX_WARNING = re.compile(r"warning: .*\[(-W[^\]=]+)(?:=[^\]]*)?\]")
_CXX_ERROR = re.compile(r"error: (.*)")


def cxx_compile_outcome(returncode: int, stderr: str) -> Outcome:
    """g++ or clang++ with -Wall -Wextra: `rejected` on an error, `warned` with the warning flags named in
    its diagnostics, else `silent`."""
    if returncode != 0:
        error = _CXX_ERROR.search(stderr)
        return Outcome(REJECTED, error.group(1)[:160] if error else f"exit {returncode}")
    flags = sorted(set(_CXX_WARNING.findall(stderr)))
    return Outcome(WARNED, " ".join(flags)) if flags else Outcome(SILENT)


def go_vet_outcome(returncode: int, output: str) -> Outcome:
    """go vet: its findings (non-zero exit with output) are `warned`; a type error is `rejected`."""
    if returncode == 0:
        return Outcome(SILENT)
    lines = [line for line in output.splitlines() if line.strip() and not line.startswith("#")]
    first = lines[0][:160] if lines else f"exit {returncode}"
    if re.search(r"(undefined|cannot use|declared and not used|syntax error)", output):
        return Outcome(REJECTED, first)
    return Outcome(WARNED, first)


# Run-time reports, tried in order: the first that matches names the detection. A segmentation fault that
# a sanitizer merely reports is a crash, not a detection of the bug's class.
_REPORTS = [
    (re.compile(r"AddressSanitizer: (SEGV|BUS|ILL|FPE|DEADLYSIGNAL)"), CRASHED, "signal reported by AddressSanitizer"),
    (re.compile(r"ERROR: AddressSanitizer: ([\w-]+)"), CAUGHT, "AddressSanitizer: {0}"),
    (re.compile(r"ERROR: LeakSanitizer: (.*)"), CAUGHT, "LeakSanitizer: {0}"),
    (re.compile(r"runtime error: ([^\n]{0,80})"), CAUGHT, "UBSan: {0}"),
    (re.compile(r"ThreadSanitizer: (SEGV|BUS|ILL|FPE)"), CRASHED, "signal reported by ThreadSanitizer"),
    (re.compile(r"WARNING: ThreadSanitizer: ([\w -]+?)(?: \(|\n|$)"), CAUGHT, "ThreadSanitizer: {0}"),
    (re.compile(r"Assertion '([^\n]{0,80})' failed"), CAUGHT, "libstdc++ assertion: {0}"),
    (re.compile(r"libc\+\+ Hardening assertion ([^\n]{0,80})"), CAUGHT, "libc++ hardening assertion: {0}"),
    (re.compile(r"\*\*\* (stack smashing|buffer overflow) detected \*\*\*"), CAUGHT, "glibc: {0} detected"),
    (re.compile(r"(free\(\): [^\n]{0,60}|double free[^\n]{0,40}|malloc\(\): [^\n]{0,60}|corrupted [^\n]{0,40})"),
     CAUGHT, "glibc allocator check: {0}"),
    (re.compile(r"WARNING: DATA RACE"), CAUGHT, "Go race detector: data race"),
    (re.compile(r"fatal error: (all goroutines are asleep - deadlock!|concurrent map [^\n]*)"), CAUGHT,
     "Go runtime: {0}"),
    (re.compile(r"panicked at [^\n]*:\n([^\n]{1,100})"), CAUGHT, "panic: {0}"),
    (re.compile(r"panicked at ([^\n]{0,80})"), CAUGHT, "panic at {0}"),
    (re.compile(r"^panic: ([^\n]{0,80})", re.M), CAUGHT, "Go panic: {0}"),
]


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def run_outcome(returncode: int | None, output: str, timed_out: bool, traps_are_checks: bool = False) -> Outcome:
    """A run of a compiled program: `caught` when a report above names the bug (also when it then hung),
    `hung` on a timeout, `crashed` on a signal or a non-zero exit without a report, else `silent`.
    `traps_are_checks`: SIGILL/SIGTRAP is the hardened library's check (libc++'s hardening modes trap with
    __builtin_trap), so it counts as caught; elsewhere a trap is a crash."""
    for pattern, outcome, detail in _REPORTS:
        match = pattern.search(output)
        if match:
            return Outcome(outcome, detail.format(*(g.strip() for g in match.groups())))
    if timed_out:
        return Outcome(HUNG, "every thread blocked, no CPU time used")
    if returncode is not None and returncode < 0:
        name = _signal_name(returncode)
        if traps_are_checks and name in ("SIGILL", "SIGTRAP"):
            return Outcome(CAUGHT, f"{name}: the hardened library's trap")
        return Outcome(CRASHED, name)
    if returncode:
        return Outcome(CRASHED, f"exit {returncode} without a report")
    return Outcome(SILENT)
