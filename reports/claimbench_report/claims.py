"""Verdicts for the claims registry (claims/claims.toml) from result files.

A verdict is computed only from ratios the harness measured in paired, interleaved repetitions (the
result's `comparisons`), never from absolute times, and always on the direction-normalised cost (rules.py),
so it cannot invert with a metric's direction. Every verdict carries its evidence or the reason it has none.
Evidence from a run that may not give verdicts (eligibility.py) or on a self-reported metric is shown as
"indicative" and never counts. The rules are documented at the top of claims.toml.
"""

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from .eligibility import indicative_reasons
from .registry import DEFAULT_REGISTRY, REPO_ROOT, RegistryError, load_registry
from .rules import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, Cost, Rule, cost_of

__all__ = ["DEFAULT_REGISTRY", "DOES_NOT_HOLD", "HOLDS", "INCONCLUSIVE", "INDICATIVE", "NOT_MEASURABLE",
           "ClaimVerdict", "Evidence", "RegistryError", "evaluate", "load_registry"]

INDICATIVE = "indicative"
NOT_MEASURABLE = "not measurable here"


def _number(value) -> str:
    return f"{value:.3g}" if isinstance(value, int | float) and math.isfinite(value) else "-"


@dataclass
class Evidence:
    """One comparison of the result files judged by one test's rule."""

    workload: str
    case: str
    contender: str
    baseline: str
    metric: str
    ratio: float | None  # contender/baseline of the metric, as the result file gives it
    ci95_low: float | None
    ci95_high: float | None
    pairs: int
    higher_is_better: bool | None
    cost: Cost  # how many times worse the contender is (rules.py); None parts: not known
    rule: Rule
    outcome: str  # holds, does not hold, inconclusive, indicative
    detail: str  # where the cost lies against the rule, or why there is no verdict
    run_id: str = ""

    def describe(self) -> str:
        ratio = (f"{self.contender}/{self.baseline} = {_number(self.ratio)} "
                 f"[{_number(self.ci95_low)}, {_number(self.ci95_high)}] "
                 f"({self.pairs} pair{'' if self.pairs == 1 else 's'})")
        direction = {True: "higher is better", False: "lower is better"}.get(self.higher_is_better, "")
        cost = f"cost {_number(self.cost.point)} [{_number(self.cost.low)}, {_number(self.cost.high)}]"
        run = f" in {self.run_id}" if self.run_id else ""
        return (f"{self.workload}/{self.case} {self.metric}{run}: {ratio}"
                f"{', ' + direction if direction else ''}; {cost}: {self.outcome} ({self.detail})")


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


def _names(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _workloads(test: dict) -> list[str]:
    return list(dict.fromkeys(pattern.split("/", 1)[0] for pattern in test["cases"]))


def _in_cases(test: dict, workload: str, case: str) -> bool:
    return any(fnmatchcase(f"{workload}/{case}", pattern) for pattern in test["cases"])


def _impl_exists(repo_root: Path, workload: str, name: str) -> bool:
    """Implementation folders are `workloads/<w>/impls/<name>/`, formerly `workloads/<w>/<name>/`."""
    base = repo_root / "workloads" / workload
    return (base / "impls" / name / "impl.toml").exists() or (base / name / "impl.toml").exists()


def _descriptor(bench: dict | None, metric: str) -> dict:
    for descriptor in (bench or {}).get("metrics") or []:
        if isinstance(descriptor, dict) and descriptor.get("name") == metric:
            return descriptor
    return {}


def _describe_test(test: dict) -> str:
    rule = Rule.from_test(test)
    contender, baseline = "|".join(_names(test["contender"])), "|".join(_names(test["baseline"]))
    kind = f" ({test['kind']} cases)" if test.get("kind") else ""
    text = f"{', '.join(test['cases'])}{kind}, {test['metric']} metric: {rule.describe(contender, baseline)}"
    return text + (f" ({test['explain']})" if test.get("explain") else "")


def _unmet_requirement(test: dict, benches: list[dict]) -> str | None:
    for requirement in test.get("requires", []):
        name, at_least = requirement["parameter"], requirement["at_least"]
        values = [(b.get("parameters") or {}).get(name) for b in benches]
        try:
            numbers = [float(v) for v in values if v is not None]
        except ValueError:
            numbers = []
        if not numbers:
            return f"parameter {name} not recorded; needs at least {at_least:g}: {requirement['why']}"
        if min(numbers) < at_least:
            return f"{name} = {min(numbers):g} is below {at_least:g}: {requirement['why']}"
    return None


def _different_parameters(contender: dict | None, baseline: dict | None) -> str | None:
    if contender is None or baseline is None:
        return None
    ours, theirs = contender.get("parameters") or {}, baseline.get("parameters") or {}
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) != theirs.get(key):
            return (f"{contender.get('implementation')} and {baseline.get('implementation')} ran with different "
                    f"parameters ({key}: {ours.get(key)!r} against {theirs.get(key)!r})")
    return None


def _judge(comp: dict, test: dict, rule: Rule, cost: Cost, higher_is_better, benches: list) -> tuple[str, str]:
    """The outcome of one comparison on its own merits, before eligibility."""
    if higher_is_better is None:
        return INCONCLUSIVE, f"the direction of {comp.get('metric')} is not recorded"
    if cost.point is None:
        return INCONCLUSIVE, "no ratio: the result file has none (not finite or not measured)"
    pairs, min_pairs = comp.get("pairs") or 0, comp.get("min_pairs")
    if isinstance(min_pairs, int) and pairs < min_pairs:
        return INCONCLUSIVE, f"too few pairs ({pairs}; an interval needs {min_pairs})"
    if cost.low is None or cost.high is None:
        return INCONCLUSIVE, f"too few pairs ({pairs}): no 95% interval"
    unmet = _unmet_requirement(test, [b for b in benches if b is not None])
    if unmet:
        return INCONCLUSIVE, unmet
    different = _different_parameters(*benches)
    if different:
        return INCONCLUSIVE, different
    return rule.judge(cost)


def _evidence(test: dict, results: list[dict]) -> list[Evidence]:
    rule = Rule.from_test(test)
    contenders, baselines = _names(test["contender"]), _names(test["baseline"])
    found = []
    for result in results:
        meta = result.get("claimbench") or {}
        not_eligible = indicative_reasons(result)
        by_key = {(b.get("workload"), b.get("case_name"), b.get("implementation")): b
                  for b in result.get("benchmarks") or []}
        for comp in meta.get("comparisons") or []:
            workload, case = comp.get("workload"), comp.get("case_name")
            if comp.get("contender") not in contenders or comp.get("baseline") not in baselines:
                continue
            if not _in_cases(test, workload, case):
                continue
            contender = by_key.get((workload, case, comp["contender"]))
            baseline = by_key.get((workload, case, comp["baseline"]))
            either = contender or baseline or {}
            if test.get("kind") and either.get("kind") != test["kind"]:
                continue  # also when the case's kind is not known: the test names only cases of that kind
            wanted = either.get("primary_metric") if test["metric"] == "primary" else test["metric"]
            if not wanted or comp.get("metric") != wanted:
                continue
            higher_is_better = comp.get("higher_is_better")
            if not isinstance(higher_is_better, bool):
                higher_is_better = _descriptor(either, wanted).get("higher_is_better")
            if not isinstance(higher_is_better, bool):
                higher_is_better = None
            cost = (cost_of(comp.get("ratio"), comp.get("ci95_low"), comp.get("ci95_high"), higher_is_better)
                    if higher_is_better is not None else Cost(None, None, None))
            outcome, detail = _judge(comp, test, rule, cost, higher_is_better, [contender, baseline])
            why_not = list(not_eligible)
            if any(_descriptor(b, wanted).get("self_reported") for b in (contender, baseline)):
                why_not.append("self-reported metric (the implementation's own clock)")
            if why_not:
                detail = f"{'; '.join(why_not)}; on its own: {outcome}, {detail}"
                outcome = INDICATIVE
            found.append(Evidence(workload, case, comp["contender"], comp["baseline"], wanted, comp.get("ratio"),
                                  comp.get("ci95_low"), comp.get("ci95_high"), comp.get("pairs") or 0,
                                  higher_is_better, cost, rule, outcome, detail,
                                  meta.get("run_id", "") if len(results) > 1 else ""))
    return found


def _why_missing(test: dict, results: list[dict], evidence: list[Evidence], repo_root: Path) -> list[str]:
    """For each workload of `test` without evidence: why (no such implementation yet, not run, unavailable,
    failed, or both ran but nothing matched)."""
    reasons = []
    for workload in _workloads(test):
        if any(e.workload == workload for e in evidence):
            continue
        all_ran = True
        for names in (_names(test["contender"]), _names(test["baseline"])):
            benches = [b for r in results for b in r.get("benchmarks") or []
                       if b.get("workload") == workload and b.get("implementation") in names
                       and _in_cases(test, workload, b.get("case_name", ""))
                       and b.get("kind", test.get("kind")) == test.get("kind", b.get("kind"))]
            if any(b.get("status") == "ok" for b in benches):
                continue
            all_ran = False
            present = [n for n in names if _impl_exists(repo_root, workload, n)]
            if benches:
                b = benches[-1]
                reasons.append(f"{workload}/{b.get('implementation')}: {b.get('status')}"
                               + (f" ({b['error']})" if b.get("error") else ""))
            elif present:
                reasons.append(f"{workload}/{present[0]}: exists but was not run")
            else:
                listed = " or ".join(f"'{n}'" for n in names)
                reasons.append(f"{workload}: no {listed} implementation yet")
        if all_ran:
            kind = f" {test['kind']}" if test.get("kind") else ""
            reasons.append(f"{workload}: both ran, but no paired {test['metric']} ratio in the named{kind} cases "
                           f"({', '.join(p for p in test['cases'] if p.startswith(workload + '/'))})")
    return sorted(set(reasons))


def _test_outcome(evidence: list[Evidence]) -> str | None:
    """holds, does not hold or inconclusive from a test's eligible evidence; None when it has none."""
    outcomes = {e.outcome for e in evidence if e.outcome != INDICATIVE}
    if not outcomes:
        return None
    if DOES_NOT_HOLD in outcomes:
        return DOES_NOT_HOLD
    return HOLDS if outcomes == {HOLDS} else INCONCLUSIVE


def evaluate(registry: dict, results: list[dict], repo_root: Path = REPO_ROOT) -> list[ClaimVerdict]:
    """Every claim of `registry` judged on `results` (parsed result files). A claim holds when each of its
    tests has eligible evidence and all of it holds; it does not hold when any eligible evidence does not;
    it is inconclusive otherwise, naming any test without eligible evidence. With no eligible evidence at all
    it is indicative (only indicative evidence) or not measurable here (none). Pure; never raises on
    schema-valid results."""
    verdicts = []
    for claim in registry.get("claim", []):
        verdict = ClaimVerdict(claim["id"], claim["title"], claim["quote"], claim["sources"], NOT_MEASURABLE)
        verdicts.append(verdict)
        if claim.get("measurable", True) is False:
            verdict.reasons.append(f"out of reach on one machine: {claim['reason']}")
            continue
        outcomes, missing = [], []
        for test in claim["test"]:
            if "planned" in test:
                verdict.reasons.append(f"not measured yet: {test['planned']}")
                missing.append(test["planned"])
                continue
            verdict.rules.append(_describe_test(test))
            evidence = _evidence(test, results)
            verdict.evidence += evidence
            outcome = _test_outcome(evidence)
            why = _why_missing(test, results, evidence, repo_root)
            if outcome is None:
                metric = "the primary metric" if test["metric"] == "primary" else test["metric"]
                part = f"{metric} of {'|'.join(_names(test['contender']))} against {'|'.join(_names(test['baseline']))}"
                missing.append(part)
                indicative = " (only indicative evidence)" if evidence else ""
                verdict.reasons += [f"no eligible evidence for {part}{indicative}", *why]
            else:
                outcomes.append(outcome)
                verdict.reasons += [f"not measured: {reason}" for reason in why]
        if DOES_NOT_HOLD in outcomes:
            verdict.verdict = DOES_NOT_HOLD
        elif outcomes and not missing and set(outcomes) == {HOLDS}:
            verdict.verdict = HOLDS
        elif outcomes:
            verdict.verdict = INCONCLUSIVE
            verdict.reasons = [r.replace("no eligible evidence", "missing part: no eligible evidence", 1)
                               for r in verdict.reasons]
        elif verdict.evidence:
            verdict.verdict = INDICATIVE
    return verdicts
