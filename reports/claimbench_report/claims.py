"""Verdicts for the claims registry (claims/claims.toml) from result files.

A verdict is computed only from ratios the harness measured in paired, interleaved repetitions (the
result's `comparisons`), never from absolute times, and every verdict carries its evidence or the reason it
has none. The rules are documented at the top of claims.toml.
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = REPO_ROOT / "claims" / "claims.toml"

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
INCONCLUSIVE = "inconclusive"
NOT_MEASURABLE = "not measurable here"


class RegistryError(Exception):
    """A claims registry that cannot be read or breaks its own rules."""


@dataclass
class Evidence:
    workload: str
    case: str
    contender: str
    baseline: str
    metric: str
    ratio: float
    ci95_low: float
    ci95_high: float
    pairs: int
    outcome: str  # holds, does not hold, inconclusive

    def describe(self) -> str:
        return (f"{self.workload}/{self.case} {self.metric}: {self.contender}/{self.baseline} = {self.ratio:.3g} "
                f"[{self.ci95_low:.3g}, {self.ci95_high:.3g}] ({self.pairs} pairs): {self.outcome}")


@dataclass
class ClaimVerdict:
    id: str
    title: str
    quote: str
    sources: list[str]
    verdict: str
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def load_registry(path: Path = DEFAULT_REGISTRY) -> dict:
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
            if "planned" in test:
                continue
            for key in ("workloads", "contender", "baseline", "metric", "rule", "factor"):
                if key not in test:
                    raise RegistryError(f"{where}: a test is missing '{key}'")
            if test["rule"] not in ("at_most", "at_least"):
                raise RegistryError(f"{where}: rule '{test['rule']}' is not at_most or at_least")
    return registry


def _outcome(rule: str, factor: float, low: float, high: float) -> str:
    if rule == "at_most":
        return HOLDS if high <= factor else DOES_NOT_HOLD if low > factor else INCONCLUSIVE
    return HOLDS if low >= factor else DOES_NOT_HOLD if high < factor else INCONCLUSIVE


def _names(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _why_missing(test: dict, results: list[dict], repo_root: Path) -> list[str]:
    reasons = []
    for workload in test["workloads"]:
        for names in (_names(test["contender"]), _names(test["baseline"])):
            present = [n for n in names if (repo_root / "workloads" / workload / n / "impl.toml").exists()]
            impl = present[0] if present else names[0]
            benches = [b for r in results for b in r.get("benchmarks", [])
                       if b["workload"] == workload and b["implementation"] == impl]
            if any(b["status"] == "ok" for b in benches):
                continue
            if benches:
                b = benches[-1]
                reasons.append(f"{workload}/{impl}: {b['status']}" + (f" ({b['error']})" if b.get("error") else ""))
            elif (repo_root / "workloads" / workload / impl / "impl.toml").exists():
                reasons.append(f"{workload}/{impl}: exists but was not run")
            else:
                reasons.append(f"{workload}: no '{impl}' implementation yet")
    return sorted(set(reasons))


def _evidence(test: dict, results: list[dict]) -> list[Evidence]:
    found = []
    for result in results:
        primary = {(b["workload"], b["case_name"], b["implementation"]): b.get("primary_metric")
                   for b in result.get("benchmarks", [])}
        for comp in result.get("claimbench", {}).get("comparisons", []):
            if comp["workload"] not in test["workloads"]:
                continue
            if comp["contender"] not in _names(test["contender"]) or comp["baseline"] not in _names(test["baseline"]):
                continue
            wanted = test["metric"]
            if wanted == "primary":
                wanted = primary.get((comp["workload"], comp["case_name"], comp["contender"]))
            if comp["metric"] != wanted:
                continue
            found.append(Evidence(comp["workload"], comp["case_name"], comp["contender"], comp["baseline"],
                                  comp["metric"], comp["ratio"], comp["ci95_low"], comp["ci95_high"],
                                  comp["pairs"], _outcome(test["rule"], test["factor"], comp["ci95_low"],
                                                          comp["ci95_high"])))
    return found


def evaluate(registry: dict, results: list[dict], repo_root: Path = REPO_ROOT) -> list[ClaimVerdict]:
    verdicts = []
    for claim in registry.get("claim", []):
        verdict = ClaimVerdict(claim["id"], claim["title"], claim["quote"], claim["sources"], NOT_MEASURABLE)
        if claim.get("measurable", True) is False:
            verdict.reasons.append(f"out of reach on one machine: {claim['reason']}")
            verdicts.append(verdict)
            continue
        for test in claim["test"]:
            if "planned" in test:
                verdict.reasons.append(f"not measured yet: {test['planned']}")
                continue
            sign = "<=" if test["rule"] == "at_most" else ">="
            verdict.rules.append(f"{'|'.join(_names(test['contender']))}/{'|'.join(_names(test['baseline']))} "
                                 f"{test['metric']} {sign} "
                                 f"{test['factor']:g} ({test.get('explain', '')})")
            evidence = _evidence(test, results)
            verdict.evidence += evidence
            if not evidence:
                verdict.reasons += _why_missing(test, results, repo_root)
        outcomes = {e.outcome for e in verdict.evidence}
        if DOES_NOT_HOLD in outcomes:
            verdict.verdict = DOES_NOT_HOLD
        elif outcomes == {HOLDS}:
            verdict.verdict = HOLDS
        elif outcomes:
            verdict.verdict = INCONCLUSIVE
        verdicts.append(verdict)
    return verdicts
