"""The corpus: one folder per case under safety/cases/, each with its programs (bug.rs and fix.rs, bug.cc
and fix.cc, bug.go and fix.go: any of the three languages) and a case.toml that says what the bug is and
what each tool is expected to do with it:

    title = "use after free through a container reference"
    bug = "a reference into a vector is kept across a push that reallocates"
    classes = ["use_after_free"]        # from CLASSES below
    rust_unsafe = true                  # optional: the Rust program uses `unsafe` (outside safe Rust's promise)
    [rust]
    errors = ["E0502"]                  # the exact set of rustc error codes of bug.rs (only when rejected)
    [expect]                            # one outcome (outcome.py) for every tool of the case's languages
    rust = "rejected"
    cpp_asan_ubsan = "caught"
    ...

Every fix is expected to be clean under every tool (silent: compiles without warnings, runs to completion
with nothing reported). Loading checks all of this and names the case and the key on a mistake.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .outcome import OUTCOMES, REJECTED, UNAVAILABLE

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"

# Bug classes, and which of them are memory-safety bugs (the kind the cited "70% of vulnerabilities" counts:
# spatial and temporal memory errors and uninitialised reads) or concurrency bugs.
MEMORY_SAFETY = ("use_after_free", "double_free", "dangling_reference", "use_after_move", "out_of_bounds",
                 "uninitialised_read", "null_dereference")
CONCURRENCY = ("data_race", "deadlock", "race_condition")
OTHER = ("integer_overflow", "aliasing")
CLASSES = MEMORY_SAFETY + CONCURRENCY + OTHER

# The programs of a case, by language: (language, file stem suffix).
SOURCES = {"rust": ".rs", "cpp": ".cc", "go": ".go"}


class CorpusError(Exception):
    """A case folder or case.toml that breaks the rules above."""


@dataclass(frozen=True)
class Case:
    id: str
    path: Path
    title: str
    bug: str
    classes: tuple[str, ...]
    languages: tuple[str, ...]  # languages with both bug and fix programs, in SOURCES order
    expect: dict[str, str] = field(hash=False)
    rust_errors: tuple[str, ...] = ()
    rust_unsafe: bool = False

    def source(self, language: str, program: str) -> Path:
        """The file of `program` ("bug" or "fix") in `language`."""
        return self.path / f"{program}{SOURCES[language]}"

    @property
    def memory_safety(self) -> bool:
        return any(c in MEMORY_SAFETY for c in self.classes)

    @property
    def concurrency(self) -> bool:
        return any(c in CONCURRENCY for c in self.classes)


def load_case(path: Path, tool_languages: dict[str, str]) -> Case:
    """The case in folder `path`. `tool_languages` maps every tool id to its language (toolchain.TOOLS);
    the case must expect something of exactly the tools of its languages. Raises CorpusError."""
    where = f"safety/cases/{path.name}"
    try:
        with open(path / "case.toml", "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise CorpusError(f"{where}: cannot read case.toml: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise CorpusError(f"{where}/case.toml: {error}") from error
    unknown = set(data) - {"title", "bug", "classes", "rust_unsafe", "rust", "expect"}
    if unknown:
        raise CorpusError(f"{where}/case.toml: unknown key '{sorted(unknown)[0]}'")
    for key in ("title", "bug"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise CorpusError(f"{where}/case.toml: '{key}' must be a non-empty string")
    classes = data.get("classes")
    if not isinstance(classes, list) or not classes or any(c not in CLASSES for c in classes):
        raise CorpusError(f"{where}/case.toml: 'classes' must list some of: {', '.join(CLASSES)}")
    languages = []
    for language in SOURCES:
        present = [(path / f"{p}{SOURCES[language]}").exists() for p in ("bug", "fix")]
        if any(present) and not all(present):
            raise CorpusError(f"{where}: has only one of bug{SOURCES[language]} and fix{SOURCES[language]}")
        if all(present):
            languages.append(language)
    if not languages:
        raise CorpusError(f"{where}: no bug and fix programs (bug.rs/fix.rs, bug.cc/fix.cc, bug.go/fix.go)")
    expect = data.get("expect")
    if not isinstance(expect, dict):
        raise CorpusError(f"{where}/case.toml: needs an [expect] table")
    wanted = {tool for tool, language in tool_languages.items() if language in languages}
    if set(expect) != wanted:
        missing, extra = sorted(wanted - set(expect)), sorted(set(expect) - wanted)
        raise CorpusError(f"{where}/case.toml: [expect] "
                          + (f"misses {', '.join(missing)}" if missing else f"names tools of no program: {extra}"))
    for tool, outcome in expect.items():
        if outcome not in OUTCOMES or outcome == UNAVAILABLE:
            raise CorpusError(f"{where}/case.toml: expect.{tool} = {outcome!r} is not an outcome "
                              f"({', '.join(o for o in OUTCOMES if o != UNAVAILABLE)})")
    errors = (data.get("rust") or {}).get("errors", [])
    if "rust" in languages and (expect.get("rust") == REJECTED) != bool(errors):
        raise CorpusError(f"{where}/case.toml: [rust] errors lists rustc's error codes exactly when "
                          "expect.rust = \"rejected\"")
    return Case(path.name, path, data["title"], data["bug"], tuple(classes), tuple(languages), dict(expect),
                tuple(sorted(errors)), bool(data.get("rust_unsafe", False)))


def load_corpus(tool_languages: dict[str, str], cases_dir: Path = CASES_DIR,
                only: list[str] | None = None) -> list[Case]:
    """Every case under `cases_dir` (sorted by id), or only those named in `only` (an unknown name is a
    CorpusError listing the known ones)."""
    folders = sorted(p for p in cases_dir.iterdir() if p.is_dir())
    if only:
        known = {p.name for p in folders}
        for name in only:
            if name not in known:
                raise CorpusError(f"no case '{name}' in safety/cases/ (known: {', '.join(sorted(known))})")
        folders = [p for p in folders if p.name in only]
    return [load_case(folder, tool_languages) for folder in folders]
