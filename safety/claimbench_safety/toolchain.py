"""The builds every corpus program goes through and the tools (matrix columns) read from them.

A *build* compiles one program one way (rustc's release settings; g++ as the suite's release, hardened, asan
and tsan presets compile; clang++-19 with libc++'s fast hardening mode; go build, with and without -race,
and go vet). A *tool* is one column of the matrix: the compile's own verdict (rustc's errors, the compilers'
-Wall -Wextra warnings, go vet's findings) or a run of the build's binary. The C++ flags are read from
CMakePresets.json, so the corpus is built exactly as the suite's variants are.

A build whose compiler is missing is unavailable, with the reason, and so is every tool that reads it; that
is a cell of the matrix, never an error.
"""

import functools
import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAFETY_DIR = REPO_ROOT / "safety"
# CMake's own flags for each build type with GCC and Clang (CMAKE_CXX_FLAGS_<TYPE>).
_BUILD_TYPE_FLAGS = {"Release": ["-O3", "-DNDEBUG"], "RelWithDebInfo": ["-O2", "-g", "-DNDEBUG"]}
CXX_STANDARD = "-std=c++20"
WARNINGS = ["-Wall", "-Wextra"]
LIBCXX_FAST = ["-stdlib=libc++", "-D_LIBCPP_HARDENING_MODE=_LIBCPP_HARDENING_MODE_FAST"]


@dataclass(frozen=True)
class Build:
    """One way of compiling a program. `argv(source, output)` is the command; `binary` says whether it
    leaves a program to run (go vet does not); `compiler` is the program whose version keys the cache."""

    id: str
    language: str
    compiler: str
    flags: tuple[str, ...]
    binary: bool = True
    precompiled_headers: bool = False

    def argv(self, source: Path, output: Path, pch: Path | None = None) -> list[str]:
        if self.language == "cpp" and pch is not None:
            return [self.compiler, *self.flags, "-include-pch", str(pch), str(source), "-o", str(output)]
        if self.language == "rust":
            return [self.compiler, *self.flags, "--crate-name", source.stem, "-o", str(output), str(source)]
        if self.language == "cpp":
            return [self.compiler, *self.flags, str(source), "-o", str(output)]
        if self.id == "go_vet":
            return [self.compiler, "vet", str(source)]
        return [self.compiler, "build", *self.flags, "-o", str(output), str(source)]


@dataclass(frozen=True)
class Tool:
    """One matrix column: `reads` is "compile" (the build's diagnostics) or "run" (its binary's run);
    `traps_are_checks` marks libc++'s hardening, whose checks end the program with a trap."""

    id: str
    label: str
    build: str
    reads: str
    traps_are_checks: bool = False

    @property
    def language(self) -> str:
        return BUILDS[self.build].language


def _preset_flags(name: str) -> tuple[list[str], list[str]]:
    """(compile flags, link flags) of a CMakePresets.json configure preset: CMake's flags for its build
    type, then its CMAKE_CXX_FLAGS; its CMAKE_EXE_LINKER_FLAGS."""
    presets = json.loads((REPO_ROOT / "CMakePresets.json").read_text(encoding="utf-8"))["configurePresets"]
    preset = next(p for p in presets if p["name"] == name)
    variables = preset.get("cacheVariables", {})
    build_type = variables.get("CMAKE_BUILD_TYPE", "Release")
    compile_flags = _BUILD_TYPE_FLAGS[build_type] + shlex.split(variables.get("CMAKE_CXX_FLAGS", ""))
    return compile_flags, shlex.split(variables.get("CMAKE_EXE_LINKER_FLAGS", ""))


def _gxx(preset: str, extra: list[str] | None = None) -> tuple[str, ...]:
    compile_flags, link_flags = _preset_flags(preset)
    return (CXX_STANDARD, *compile_flags, *(extra or []), "-pthread", *link_flags)


RUST_FLAGS = ("--edition", "2021", "-C", "opt-level=3", "--error-format=json")  # cargo's release profile
BUILDS = {b.id: b for b in (
    Build("rust", "rust", "rustc", RUST_FLAGS),
    Build("gcc_release", "cpp", "g++", _gxx("release", WARNINGS)),
    Build("gcc_hardened", "cpp", "g++", _gxx("hardened")),
    Build("clang_libcxx_fast", "cpp", "clang++-19",
          (CXX_STANDARD, "-O3", "-DNDEBUG", *LIBCXX_FAST, *WARNINGS, "-pthread"), precompiled_headers=True),
    Build("gcc_asan_ubsan", "cpp", "g++", _gxx("asan")),
    Build("gcc_tsan", "cpp", "g++", _gxx("tsan")),
    Build("go_vet", "go", "go", (), binary=False),
    Build("go_build", "go", "go", ()),
    Build("go_race", "go", "go", ("-race",)),
)}

TOOLS = (
    Tool("rust", "rustc (release), then its run", "rust", "run"),
    Tool("gcc_warnings", "g++ -Wall -Wextra", "gcc_release", "compile"),
    Tool("clang_warnings", "clang++-19 -Wall -Wextra", "clang_libcxx_fast", "compile"),
    Tool("cpp_release", "C++ release (g++ -O3)", "gcc_release", "run"),
    Tool("cpp_hardened", "C++ hardened (libstdc++ assertions, fortify)", "gcc_hardened", "run"),
    Tool("cpp_libcxx_fast", "C++ libc++ hardening fast (clang-19)", "clang_libcxx_fast", "run",
         traps_are_checks=True),
    Tool("cpp_asan_ubsan", "C++ ASan+UBSan", "gcc_asan_ubsan", "run"),
    Tool("cpp_tsan", "C++ TSan", "gcc_tsan", "run"),
    Tool("go_vet", "go vet", "go_vet", "compile"),
    Tool("go_run", "Go (go build)", "go_build", "run"),
    Tool("go_race", "Go -race", "go_race", "run"),
)
TOOL_LANGUAGES = {tool.id: tool.language for tool in TOOLS}


def tool_environment() -> dict[str, str]:
    """The environment every build and run gets: the project's toolchains first on PATH (as ./claimbench
    sets it), Go kept to the installed toolchain, Rust backtraces off (the panic line is enough)."""
    env = dict(os.environ)
    env["PATH"] = f"{REPO_ROOT / '.toolchains' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GO111MODULE="on", RUST_BACKTRACE="0")
    return env


@functools.cache
def compiler_version(compiler: str) -> tuple[str | None, str]:
    """(the first line of `compiler`'s version output, "") when it runs; (None, why) when it is not
    installed or fails. Cached per process; thread-safe after the first call for each compiler."""
    env = tool_environment()
    path = shutil.which(compiler, path=env["PATH"])
    if path is None:
        hint = {"clang++-19": "install clang-19 libc++-19-dev libc++abi-19-dev (setup/debian-packages.txt)",
                "go": "install Go with ./claimbench setup (setup/toolchains.txt)",
                "rustc": "install Rust with ./claimbench setup (setup/toolchains.txt)"}.get(compiler, "")
        return None, f"{compiler} not found on PATH" + (f": {hint}" if hint else "")
    argv = [path, "version"] if compiler == "go" else [path, "--version"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=SAFETY_DIR, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{compiler} does not run: {error}"
    if proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()[:1]
        return None, f"{compiler} --version failed: {first[0] if first else f'exit {proc.returncode}'}"
    return proc.stdout.strip().splitlines()[0], ""


def toolchains() -> dict[str, str | None]:
    """Each compiler's version line (None when unavailable), recorded with the matrix."""
    return {c: compiler_version(c)[0] for c in dict.fromkeys(b.compiler for b in BUILDS.values())}
