"""Builds and runs every program of the corpus with every tool, in parallel, and returns the outcomes.

Each (program, build) is compiled once; a compile is cached under build/safety/<key>/ by the hash of the
source, the command line and the compiler's version, so a second check of an unchanged corpus only runs the
programs. Runs are never cached: a race or a deadlock is a property of the run. A run is `hung` when all its
threads stay blocked without using CPU time for IDLE_LIMIT_S (a deadlock), or when it outlives RUN_LIMIT_S;
each runs in a fresh temporary folder. The corpus' programs make their interleavings certain (barriers,
flags), so an outcome never depends on how loaded the machine is.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .corpus import CASES_DIR, Case
from .outcome import REJECTED, UNAVAILABLE, Outcome, cxx_compile_outcome, go_vet_outcome, run_outcome, rustc_outcome
from .toolchain import BUILDS, REPO_ROOT, SAFETY_DIR, TOOLS, Build, compiler_version, tool_environment

CACHE_DIR = REPO_ROOT / "build" / "safety"
IDLE_LIMIT_S = 2.0  # blocked with no CPU time used for this long: deadlocked (the corpus' sleeps are 0.1 s)
RUN_LIMIT_S = 60.0  # a program still running after this is hung too (an endless loop); clean ones take < 1 s
POLL_S = 0.05
COMPILE_TIMEOUT_S = 300.0  # a cold `go build -race` compiles the race runtime: tens of seconds on 2 cores
PROGRAMS = ("bug", "fix")


@dataclass(frozen=True)
class Compiled:
    """A compile's result: its diagnostics read as an outcome, and the binary when there is one."""

    outcome: Outcome
    binary: Path | None


def _cache_key(build: Build, source: Path, version: str, pch: Path | None = None) -> str:
    digest = hashlib.sha256()
    for part in (version, json.dumps(build.argv(Path("SOURCE"), Path("OUT"))), source.name, str(pch)):
        digest.update(part.encode() + b"\0")
    digest.update(source.read_bytes())
    return digest.hexdigest()[:24]


def _read_diagnostics(build: Build, returncode: int, output: str) -> Outcome:
    if build.language == "rust":
        return rustc_outcome(returncode, output)
    if build.language == "cpp":
        return cxx_compile_outcome(returncode, output)
    if build.id == "go_vet":
        return go_vet_outcome(returncode, output)
    if returncode != 0:  # go build: a type error
        lines = [line for line in output.splitlines() if line.strip() and not line.startswith("#")]
        return Outcome(REJECTED, lines[0][:160] if lines else f"exit {returncode}")
    return Outcome("silent")


_PCH_LOCK = threading.Lock()
_INCLUDE = re.compile(r"^#include <[^>]+>$", re.M)


def _write_once(path: Path, text: str) -> None:
    """Writes `text` to `path` through a temporary file renamed over it (writers of one path write the same
    text, so whichever rename comes last is as good as the first)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)


def precompiled_header(build: Build, version: str, cache_dir: Path = CACHE_DIR) -> Path | None:
    """The precompiled header of every standard header the corpus' C++ programs include, built once per
    build (cached like a compile); None when it cannot be built (each program then parses its headers).
    The header keeps its path (a PCH names its source), the PCH is written to a temporary file and renamed.
    Thread-safe (one builder at a time in a process; across processes the last rename wins)."""
    header = "\n".join(sorted({m for source in CASES_DIR.glob("*/*.cc")
                               for m in _INCLUDE.findall(source.read_text(encoding="utf-8"))})) + "\n"
    digest = hashlib.sha256("\0".join([version, json.dumps(build.flags), header]).encode()).hexdigest()[:24]
    header_path = cache_dir / f"corpus-{build.id}-{digest}.h"
    pch = header_path.with_suffix(".h.pch")
    failed = header_path.with_suffix(".h.failed")
    with _PCH_LOCK:
        if not pch.exists() and not failed.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            if not header_path.exists():
                _write_once(header_path, header)
            temp = header_path.with_suffix(f".h.pch.{os.getpid()}")
            # -fno-pch-timestamp: a later rewrite of the same header by another process does not void it.
            argv = [build.compiler, *build.flags, "-Xclang", "-fno-pch-timestamp", "-x", "c++-header",
                    str(header_path), "-o", str(temp)]
            proc = subprocess.run(argv, capture_output=True, text=True, env=tool_environment(), cwd=SAFETY_DIR,
                                  timeout=COMPILE_TIMEOUT_S)
            if proc.returncode == 0:
                os.replace(temp, pch)
            else:
                temp.unlink(missing_ok=True)
                _write_once(failed, proc.stderr[-2000:] or "failed")
    return pch if pch.exists() else None


def compile_program(build: Build, source: Path, cache_dir: Path = CACHE_DIR) -> Compiled:
    """Compiles `source` with `build` (from the cache when the source, command and compiler are unchanged).
    An unavailable compiler gives an `unavailable` outcome with the reason. Thread-safe: each compile
    writes its own temporary folder and renames it into place."""
    version, why = compiler_version(build.compiler)
    if version is None:
        return Compiled(Outcome(UNAVAILABLE, why), None)
    pch = precompiled_header(build, version, cache_dir) if build.precompiled_headers else None
    entry = cache_dir / _cache_key(build, source, version, pch)
    if not (entry / "compile.json").exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".compile-"))
        try:
            argv = build.argv(source, work / "program", pch)
            try:
                proc = subprocess.run(argv, capture_output=True, text=True, env=tool_environment(),
                                      cwd=SAFETY_DIR, timeout=COMPILE_TIMEOUT_S)
                record = {"returncode": proc.returncode, "output": proc.stderr + proc.stdout}
            except subprocess.TimeoutExpired:
                record = {"returncode": -1, "output": f"error: the compile took over {COMPILE_TIMEOUT_S:g} s"}
            (work / "compile.json").write_text(json.dumps(record), encoding="utf-8")
            try:
                os.rename(work, entry)
            except OSError:  # another process cached the same compile first: keep theirs
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
    record = json.loads((entry / "compile.json").read_text(encoding="utf-8"))
    outcome = _read_diagnostics(build, record["returncode"], record["output"])
    binary = entry / "program"
    return Compiled(outcome, binary if build.binary and outcome.outcome != REJECTED and binary.exists() else None)


def _cpu_ticks(pid: int) -> int | None:
    """utime + stime of the whole process (all threads), in clock ticks; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def _all_threads_blocked(pid: int) -> bool:
    """True when every thread of `pid` is sleeping or waiting (none running or runnable)."""
    try:
        states = [(task / "stat").read_text().rsplit(")", 1)[1].split()[0]
                  for task in Path(f"/proc/{pid}/task").iterdir()]
    except (OSError, IndexError):
        return False
    return bool(states) and all(state in ("S", "D") for state in states)


def run_program(binary: Path, traps_are_checks: bool, idle_s: float = IDLE_LIMIT_S,
                limit_s: float = RUN_LIMIT_S) -> Outcome:
    """Runs `binary` in a fresh temporary folder, with its output captured, and reads the outcome from its
    exit and its output. A program is `hung` when, for `idle_s` seconds of wall time, every thread of it is
    blocked and it used no CPU time (a deadlock: waiting, not slow; a loaded machine only slows a program
    that still runs), or when it runs past `limit_s`. Thread-safe."""
    with tempfile.TemporaryDirectory(prefix="claimbench-safety-") as cwd, \
            open(Path(cwd) / "output", "w+b") as output:
        proc = subprocess.Popen([str(binary)], stdout=output, stderr=subprocess.STDOUT, cwd=cwd,
                                env=tool_environment(), stdin=subprocess.DEVNULL)
        started = last_progress = time.monotonic()
        last_ticks, hung = -1, False
        while proc.poll() is None:
            now = time.monotonic()
            ticks = _cpu_ticks(proc.pid)
            if ticks != last_ticks or not _all_threads_blocked(proc.pid):
                last_ticks, last_progress = ticks, now
            if now - last_progress >= idle_s or now - started >= limit_s:
                hung = True
                proc.kill()
                proc.wait()
                break
            time.sleep(POLL_S)
        output.seek(0)
        text = output.read().decode(errors="replace")
    return run_outcome(None if hung else proc.returncode, text, hung, traps_are_checks)


def check_corpus(cases: list[Case], jobs: int = 2, cache_dir: Path = CACHE_DIR) -> dict[tuple[str, str, str], Outcome]:
    """Every tool's outcome for every program: {(case id, "bug" or "fix", tool id): Outcome}. Compiles run
    `jobs` at a time; runs (mostly waiting: sleeps, deadlocks until their time limit) up to 4x as many."""
    compile_jobs = {}
    for case in cases:
        for program in PROGRAMS:
            for build in BUILDS.values():
                if build.language in case.languages:
                    compile_jobs[(case.id, program, build.id)] = (build, case.source(build.language, program))
    # Slow compiles first (go -race builds its runtime once), so the pool is not left waiting on them.
    order = sorted(compile_jobs, key=lambda key: key[2] != "go_race")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {key: pool.submit(compile_program, *compile_jobs[key], cache_dir) for key in order}
        compiled = {key: future.result() for key, future in futures.items()}
    outcomes: dict[tuple[str, str, str], Outcome] = {}
    runs = {}
    with ThreadPoolExecutor(max_workers=max(4, 4 * jobs)) as pool:
        for case in cases:
            for program in PROGRAMS:
                for tool in TOOLS:
                    if tool.language not in case.languages:
                        continue
                    result = compiled[(case.id, program, tool.build)]
                    key = (case.id, program, tool.id)
                    if tool.reads == "compile" or result.binary is None:
                        outcomes[key] = result.outcome
                    else:
                        runs[key] = (pool.submit(run_program, result.binary, tool.traps_are_checks), result.outcome)
        for key, (future, compile_outcome) in runs.items():
            run = future.result()
            if key[2] == "rust" and compile_outcome.detail and run.outcome == "silent":
                run = Outcome(run.outcome, compile_outcome.detail)  # keep rustc's warnings in view
            outcomes[key] = run
    return outcomes
