"""Verdicts for the claims registry (claims/claims.toml) from result files.

A verdict is computed only from ratios the harness measured in paired, interleaved repetitions (the
result's `comparisons`), never from absolute times, and always on the direction-normalised cost (rules.py),
so it cannot invert with a metric's direction. The one exception is a claim about what an implementation is
on its own (a value_at_most rule: one file to ship, nothing beyond the C library to install), judged on the
median of its own metric and that median's 95% interval (the benchmark's `statistics`). Every verdict
carries its evidence or the reason it has none.
Evidence from a run that may not give verdicts (eligibility.py) or on a self-reported metric is shown as
"indicative" and never counts. The rules are documented at the top of claims.toml.
"""

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from .eligibility import indicative_reasons
from .registry import DEFAULT_REGISTRY, REPO_ROOT, RegistryError, load_registry
from .rules import CORPUS_RULES, DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, Cost, Rule, cost_of
from .safety import corpus_shares, describe_corpus_test, judge_corpus_test

__all__ = ["DEFAULT_REGISTRY", "DOES_NOT_HOLD", "HOLDS", "INCONCLUSIVE", "INDICATIVE", "NOT_MEASURABLE",
           "ClaimVerdict", "Evidence", "RegistryError", "evaluate", "load_registry"]

INDICATIVE = "indicative"
NOT_MEASURABLE = "not measurable here"
# impl.toml's label for a build shown for scale only (cpp_asan): its evidence never counts.
DIAGNOSTIC_LABEL = "diagnostic"
CONTEXT_NOTE = "context, not part of the verdict"


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
    contender_label: str = ""  # the implementations' labels (idiomatic, tuned, faithful) when known
    baseline_label: str = ""
    contender_version: str = ""  # a packaged tool's own version (package_version), when known
    baseline_version: str = ""

    def _labels(self) -> str:
        """ ' (cpp is tuned)' when a side is not the idiomatic implementation claims are about, and
        ' (grep 3.8, ripgrep 13.0.0)' for packaged tools, whose version is what was measured."""
        odd = [f"{name} is {label}" for name, label in ((self.contender, self.contender_label),
                                                        (self.baseline, self.baseline_label))
               if name and label and label != "idiomatic"]
        odd += [f"{name} {version}" for name, version in ((self.contender, self.contender_version),
                                                          (self.baseline, self.baseline_version)) if version]
        return f" ({', '.join(odd)})" if odd else ""

    def describe(self) -> str:
        run = f" in {self.run_id}" if self.run_id else ""
        if self.rule.on_value:
            return (f"{self.workload}/{self.case} {self.metric}{run}: {self.contender} median {_number(self.ratio)} "
                    f"[{_number(self.ci95_low)}, {_number(self.ci95_high)}] (n = {self.pairs}): {self.outcome} "
                    f"({self.detail})")
        ratio = (f"{self.contender}/{self.baseline} = {_number(self.ratio)} "
                 f"[{_number(self.ci95_low)}, {_number(self.ci95_high)}] "
                 f"({self.pairs} pair{'' if self.pairs == 1 else 's'}){self._labels()}")
        direction = {True: "higher is better", False: "lower is better"}.get(self.higher_is_better, "")
        cost = f"cost {_number(self.cost.point)} [{_number(self.cost.low)}, {_number(self.cost.high)}]"
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
    contender, baseline = "|".join(_names(test["contender"])), "|".join(_names(test.get("baseline", [])))
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


def _statistic(bench: dict, metric: str) -> dict | None:
    for stat in bench.get("statistics") or []:
        if isinstance(stat, dict) and stat.get("metric") == metric:
            return stat
    return None


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _value_evidence(test: dict, results: list[dict]) -> list[Evidence]:
    """Evidence for a rule on the contender's own value: the median of its metric and that median's 95%
    interval, from each matching benchmark that ran ok."""
    rule = Rule.from_test(test)
    found = []
    for result in results:
        meta = result.get("claimbench") or {}
        not_eligible = indicative_reasons(result)
        for bench in result.get("benchmarks") or []:
            workload, case = bench.get("workload"), bench.get("case_name")
            if bench.get("implementation") not in _names(test["contender"]) or bench.get("status") != "ok":
                continue
            if not _in_cases(test, workload, case) or (test.get("kind") and bench.get("kind") != test["kind"]):
                continue
            metric = bench.get("primary_metric") if test["metric"] == "primary" else test["metric"]
            stat = _statistic(bench, metric)
            if stat is None:
                continue
            median, low, high = (stat.get(k) if _finite(stat.get(k)) else None
                                 for k in ("median", "ci95_low", "ci95_high"))
            cost = Cost(median, low, high)
            if median is None:
                outcome, detail = INCONCLUSIVE, "no median: not finite"
            elif low is None or high is None:
                outcome, detail = INCONCLUSIVE, f"no 95% interval of the median (n = {stat.get('n', 0)})"
            else:
                outcome, detail = rule.judge(cost)
            why_not = list(not_eligible)
            if _descriptor(bench, metric).get("self_reported"):
                why_not.append("self-reported metric (the implementation's own clock)")
            if why_not:
                detail = f"{'; '.join(why_not)}; on its own: {outcome}, {detail}"
                outcome = INDICATIVE
            found.append(Evidence(workload, case, bench["implementation"], "", metric, median, low, high,
                                  int(stat.get("n") or 0), _descriptor(bench, metric).get("higher_is_better"), cost,
                                  rule, outcome, detail, meta.get("run_id", "") if len(results) > 1 else ""))
    return found


def _evidence(test: dict, results: list[dict]) -> list[Evidence]:
    rule = Rule.from_test(test)
    if rule.on_value:
        return _value_evidence(test, results)
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
            why_not += [f"{b['implementation']} is a diagnostic build (context, never a claim's evidence)"
                        for b in (contender, baseline) if b and b.get("label") == DIAGNOSTIC_LABEL]
            if why_not:
                detail = f"{'; '.join(why_not)}; on its own: {outcome}, {detail}"
                outcome = INDICATIVE
            found.append(Evidence(workload, case, comp["contender"], comp["baseline"], wanted, comp.get("ratio"),
                                  comp.get("ci95_low"), comp.get("ci95_high"), comp.get("pairs") or 0,
                                  higher_is_better, cost, rule, outcome, detail,
                                  meta.get("run_id", "") if len(results) > 1 else "",
                                  (contender or {}).get("label", ""), (baseline or {}).get("label", ""),
                                  package_version(contender), package_version(baseline)))
    return found


def package_version(bench: dict | None) -> str:
    """The version of a tool used as shipped (its build's toolchain is "system": a Debian or PyPI package such
    as grep, ripgrep or ruff, whose version command reports the tool itself), else "" (a port's toolchain
    version is its compiler's, not the implementation's). Pure."""
    build = (bench or {}).get("build") or {}
    return str(build.get("toolchain_version") or "") if build.get("toolchain") == "system" else ""


def _why_missing(test: dict, results: list[dict], evidence: list[Evidence], repo_root: Path) -> list[str]:
    """For each workload of `test` without evidence: why (no such implementation yet, not run, unavailable,
    failed, or both ran but nothing matched)."""
    reasons = []
    for workload in _workloads(test):
        if any(e.workload == workload for e in evidence):
            continue
        all_ran = True
        sides = [_names(test["contender"])] + ([_names(test["baseline"])] if "baseline" in test else [])
        for names in sides:
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
        named = ", ".join(p for p in test["cases"] if p.startswith(workload + "/"))
        if all_ran and "baseline" not in test:
            reasons.append(f"{workload}: {'|'.join(_names(test['contender']))} ran, but without an ok "
                           f"{test['metric']} in the named cases ({named})")
        elif all_ran:
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


def _measured_workloads(evidence: list[Evidence]) -> list[str]:
    return list(dict.fromkeys(e.workload for e in evidence))


def evaluate(registry: dict, results: list[dict], repo_root: Path = REPO_ROOT,
             matrices: list[dict] | None = None) -> list[ClaimVerdict]:
    """Every claim of `registry` judged on `results` (parsed result files). A claim holds when each of its
    tests has eligible evidence in every workload it names and all of it holds; it does not hold when any
    eligible evidence does not (one counterexample is enough); it is inconclusive otherwise, naming any test
    without eligible evidence and any workload not measured. With no eligible evidence at all
    it is indicative (only indicative evidence) or not measurable here (none). A corpus_rejects test is
    judged on the newest of `matrices` (the bug corpus' detection matrices, safety.py). Pure; never raises on
    schema-valid results."""
    verdicts = []
    for claim in registry.get("claim", []):
        verdict = ClaimVerdict(claim["id"], claim["title"], claim["quote"], claim["sources"], NOT_MEASURABLE)
        verdicts.append(verdict)
        if claim.get("measurable", True) is False:
            verdict.reasons.append(f"out of reach on one machine: {claim['reason']}")
            if claim.get("context") == "safety_corpus" and matrices:
                verdict.reasons += [f"context: {line}" for line in corpus_shares(matrices[-1])]
            continue
        outcomes, missing = [], []
        # A claim of several tests (S5: one per tool pair) says each test's own outcome after its rule.
        several = sum("planned" not in test for test in claim["test"]) > 1
        for test in claim["test"]:
            if test.get("context"):
                # Shown beside the claim's own evidence for scale (F3: ASan's price beside hardening's); its
                # outcomes and its missing parts never change the verdict.
                verdict.rules.append(f"{CONTEXT_NOTE}: {_describe_test(test)}")
                for e in _evidence(test, results):
                    e.outcome, e.detail = INDICATIVE, f"{CONTEXT_NOTE}; {e.detail}"
                    verdict.evidence.append(e)
                continue
            if "planned" in test:
                verdict.reasons.append(f"not measured yet: {test['planned']}")
                missing.append(test["planned"])
                continue
            if test["rule"] in CORPUS_RULES:
                verdict.rules.append(describe_corpus_test(test))
                outcome, reasons = judge_corpus_test(test, matrices or [])
                verdict.reasons += reasons
                if outcome is None:
                    missing.append("the bug corpus' matrix")
                else:
                    outcomes.append(outcome)
                continue
            verdict.rules.append(_describe_test(test))
            evidence = _evidence(test, results)
            verdict.evidence += evidence
            outcome = _test_outcome(evidence)
            why = _why_missing(test, results, evidence, repo_root)
            if outcome is None:
                metric = "the primary metric" if test["metric"] == "primary" else test["metric"]
                against = f" against {'|'.join(_names(test['baseline']))}" if "baseline" in test else ""
                part = f"{metric} of {'|'.join(_names(test['contender']))}{against}"
                missing.append(part)
                indicative = " (only indicative evidence)" if evidence else ""
                verdict.reasons += [f"no eligible evidence for {part}{indicative}", *why]
            else:
                if why and outcome == HOLDS:
                    # It holds where it was measured, but the claim is about every workload the test names:
                    # until the others are measured, that is not a verdict.
                    outcome = INCONCLUSIVE
                    verdict.reasons.append(f"holds where measured ({', '.join(_measured_workloads(evidence))}), "
                                           "but not every workload the claim is tested on was measured")
                outcomes.append(outcome)
                verdict.reasons += [f"not measured: {reason}" for reason in why]
            if several:
                verdict.rules[-1] += f": {outcome or 'no eligible evidence'}"
        verdict.reasons = list(dict.fromkeys(verdict.reasons))  # several tests of one claim share their reasons
        if DOES_NOT_HOLD in outcomes:
            verdict.verdict = DOES_NOT_HOLD
        elif outcomes and not missing and set(outcomes) == {HOLDS}:
            verdict.verdict = HOLDS
        elif outcomes:
            verdict.verdict = INCONCLUSIVE
            verdict.reasons = [r.replace("no eligible evidence", "missing part: no eligible evidence", 1)
                               for r in verdict.reasons]
        elif any(not e.detail.startswith(CONTEXT_NOTE) for e in verdict.evidence):
            verdict.verdict = INDICATIVE
    return verdicts
