"""Reading claims/claims.toml and checking it against its own rules (documented in the file's header), so a
typo in the registry is an error naming the claim, never a claim silently judged on nothing."""

import tomllib
from pathlib import Path

from .rules import CORPUS_RULES, RULES, VALUE_RULES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = REPO_ROOT / "claims" / "claims.toml"

CASE_KINDS = ("batch", "service", "build")
_TEST_KEYS = {"cases", "kind", "contender", "baseline", "metric", "rule", "factor", "range", "bound", "requires",
              "explain", "context"}
_REQUIREMENT_KEYS = {"parameter", "at_least", "why"}
_CORPUS_KEYS = {"rule", "tool", "classes", "explain"}


class RegistryError(Exception):
    """A claims registry that cannot be read or breaks its own rules."""


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_names(value) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def _check_test(test: dict, where: str) -> None:
    if "planned" in test:
        if set(test) != {"planned"} or not isinstance(test["planned"], str):
            raise RegistryError(f"{where}: a planned test has only 'planned' (a description)")
        return
    if test.get("rule") in CORPUS_RULES:
        if (not set(test) <= _CORPUS_KEYS or not isinstance(test.get("tool"), str) or not test["tool"]
                or not _is_names(test.get("classes")) or isinstance(test["classes"], str)):
            raise RegistryError(f"{where}: rule '{test['rule']}' needs 'tool' (a matrix column, e.g. \"rust\") and "
                                "'classes' (a list of bug classes), optionally 'explain', nothing else")
        return
    unknown = sorted(set(test) - _TEST_KEYS)
    if unknown:
        raise RegistryError(f"{where}: unknown key '{unknown[0]}' in a test (keys: {', '.join(sorted(_TEST_KEYS))})")
    on_value = test.get("rule") in VALUE_RULES
    for key in ("cases", "contender", "metric", "rule") + (() if on_value else ("baseline",)):
        if key not in test:
            raise RegistryError(f"{where}: a test is missing '{key}'")
    cases = test["cases"]
    if not isinstance(cases, list) or not cases:
        raise RegistryError(f"{where}: 'cases' must be a non-empty list of \"workload/case\" patterns")
    for pattern in cases:
        workload, slash, case = pattern.partition("/") if isinstance(pattern, str) else ("", "", "")
        if not slash or not workload or not case or any(c in workload for c in "*?["):
            raise RegistryError(f"{where}: case '{pattern}' is not \"workload/case\" (the case may use * and ?, "
                                "the workload may not)")
    if "context" in test and not isinstance(test["context"], bool):
        raise RegistryError(f"{where}: 'context' must be true or false")
    if "kind" in test and test["kind"] not in CASE_KINDS:
        raise RegistryError(f"{where}: kind '{test['kind']}' is not one of {', '.join(CASE_KINDS)}")
    for key in ("contender",) + (() if on_value else ("baseline",)):
        if not _is_names(test[key]):
            raise RegistryError(f"{where}: '{key}' must be an implementation name or a list of them")
    if not isinstance(test["metric"], str) or not test["metric"]:
        raise RegistryError(f"{where}: 'metric' must be \"primary\" or a metric name")
    rule = test["rule"]
    if rule not in RULES:
        raise RegistryError(f"{where}: rule '{rule}' is not one of {', '.join(RULES + CORPUS_RULES)}")
    if on_value:
        if not _is_number(test.get("bound")) or test["bound"] < 0 or {"factor", "range", "baseline"} & set(test):
            raise RegistryError(f"{where}: rule '{rule}' needs a 'bound' >= 0 (in the metric's unit) and no 'factor', "
                                "'range' or 'baseline'")
    elif rule == "within":
        bounds = test.get("range")
        if (not isinstance(bounds, list) or len(bounds) != 2 or not all(_is_number(b) for b in bounds)
                or not 0 < bounds[0] < bounds[1] or {"factor", "bound"} & set(test)):
            raise RegistryError(f"{where}: rule 'within' needs range = [low, high] with 0 < low < high, no factor")
    elif not _is_number(test.get("factor")) or test["factor"] <= 0 or {"range", "bound"} & set(test):
        raise RegistryError(f"{where}: rule '{rule}' needs a positive 'factor' and no 'range'")
    for requirement in test.get("requires", []):
        if (not isinstance(requirement, dict) or set(requirement) != _REQUIREMENT_KEYS
                or not _is_number(requirement["at_least"])):
            raise RegistryError(f"{where}: each of 'requires' is {{ parameter = \"name\", at_least = number, "
                                "why = \"...\" }")


def load_registry(path: Path = DEFAULT_REGISTRY) -> dict:
    """The registry as parsed TOML, after checking every claim and test. Raises RegistryError naming the file
    and the claim for an unreadable file, bad TOML or a broken rule."""
    try:
        with open(path, "rb") as handle:
            registry = tomllib.load(handle)
    except OSError as error:
        raise RegistryError(f"{path}: cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{path}: {error}") from error
    seen = set()
    for claim in registry.get("claim", []):
        where = f"{path}: claim {claim.get('id', '?')}"
        for key in ("id", "title", "quote", "sources"):
            if key not in claim:
                raise RegistryError(f"{where}: missing '{key}'")
        if claim["id"] in seen:
            raise RegistryError(f"{where}: duplicate id")
        seen.add(claim["id"])
        for source in claim["sources"]:
            if source not in registry.get("sources", {}):
                raise RegistryError(f"{where}: unknown source '{source}'")
        if claim.get("measurable", True) is False:
            if not claim.get("reason"):
                raise RegistryError(f"{where}: measurable = false needs a 'reason'")
            continue
        if not claim.get("test"):
            raise RegistryError(f"{where}: needs at least one [[claim.test]] or measurable = false")
        for test in claim["test"]:
            _check_test(test, where)
    return registry
