"""The strictness table in the report: which HTTP proxy answers, rejects or forwards each row of
workloads/http_proxy/SPEC.md's strict-parsing table (request smuggling, framing, limits), side by side with
each proxy's version.

The answers are the run result's own: the http_proxy workload's `strictness` case (standard and full
profiles) records them in each benchmark's `conformance` (results/schema.json, docs/result_format.md), judged
by workloads/http_proxy/tools/strictness_table.py. Pure functions of the result dict.
"""

CASE = "strictness"
WORKLOAD = "http_proxy"
TITLE = "Strictness: SPEC.md's strict-parsing table, per proxy"
NOT_IN_CASE = "takes part only in "  # the harness's opening for an implementation without this case


def cell_text(check: dict) -> str:
    """A cell as the workload README writes it: the status, `fwd S` when the head reached the origin, `none`
    without an answer; **bold** where the answer is not the SPEC's."""
    text = f"fwd {check['status']}" if check["forwarded"] else check["status"]
    return text if check["agrees"] else f"**{text}**"


def version_text(bench: dict) -> str:
    """The implementation's version as the harness recorded it in `build`: a system peer's own version
    ("nginx 1.22.1"), else its toolchain's, after the library it is named after when it has one ("pingora
    0.9.1, rust 1.95.0"; rust_hyper: "hyper 1.13.0, ..."); "unknown" when the result has none."""
    build = bench.get("build") or {}
    impl = bench["implementation"]
    toolchain = build.get("toolchain") or ""
    version = build.get("toolchain_version") or ""
    text = f"{impl if toolchain in ('system', '') else toolchain} {version}" if version else "unknown"
    names = {impl, *impl.split("_")}
    named = [lib.split()[:2] for lib in build.get("libraries") or [] if lib.split()[0] in names]
    return f"{' '.join(named[0])}, {text}" if named and len(named[0]) == 2 else text


def _strictness_benches(result: dict) -> list[dict]:
    return [b for b in result.get("benchmarks") or []
            if b.get("workload") == WORKLOAD and b.get("case_name") == CASE]


def strictness_table(benches: list[dict]) -> tuple[list[str], list[list[str]]] | None:
    """(header, rows): one row per check in the order sent, one column per implementation that has answers,
    a version row first and the count of rows that agree with the SPEC last; None when none has answers.
    Implementations are matched on the check's name, so a check one of them lacks is an empty cell."""
    answered = [b for b in benches if b.get("conformance")]
    if not answered:
        return None
    checks: dict[str, dict] = {}
    for bench in answered:
        for check in bench["conformance"]:
            checks.setdefault(check["check"], check)
    by_impl = [{c["check"]: c for c in b["conformance"]} for b in answered]
    header = ["request", "SPEC", *(b["implementation"] for b in answered)]
    rows = [["version", "", *(version_text(b) for b in answered)]]
    for name, first in checks.items():
        expected = first["expected"] + (" (body)" if first["in_body"] else "")
        rows.append([name, expected, *(cell_text(a[name]) if name in a else "" for a in by_impl)])
    rows.append(["agrees with the SPEC", f"of {len(checks)}",
                 *(str(sum(1 for c in a.values() if c["agrees"])) for a in by_impl)])
    return header, rows


def strictness_section(results: list[dict]) -> tuple[str, list[str], tuple[list[str], list[list[str]]] | None,
                                                      list[str]] | None:
    """The report's strictness section as (title, paragraphs, (table header, rows) or None, bullets), from the
    newest run with a strictness case; for a run of http_proxy without one (the quick profile skips it), a
    paragraph saying so. None when no run measured http_proxy."""
    with_case = [r for r in results if _strictness_benches(r)]
    if not with_case:
        if not any(b.get("workload") == WORKLOAD for r in results for b in r.get("benchmarks") or []):
            return None
        note = ("Not in this run: the http_proxy `strictness` case runs in the standard and full profiles, unless "
                "`--case` leaves it out; the quick profile skips it (about 45 s for nine proxies, and its proxies are "
                "the same code). Run it with `./claimbench run --workload http_proxy --profile standard --case "
                "strictness`.")
        return TITLE, [note], None, []
    result = with_case[-1]
    benches = _strictness_benches(result)
    run_id = (result.get("claimbench") or {}).get("run_id", "?")
    paragraphs = [
        f"Run {run_id}. Each row of SPEC.md's strict-parsing table is sent as one request on a new connection to "
        "each proxy, in front of an origin that counts the request heads it receives. A cell is the proxy's "
        "status, `fwd S` when the request's head reached the origin (the origin's 200, or the proxy's own status "
        "after it forwarded the head), `none` without an answer; **bold** where it is not the SPEC's answer. A "
        "fault in a chunked body (SPEC marked `(body)`) is found after a streaming proxy has forwarded the valid "
        "head, so there only the status decides. The versions are the harness's record of each build."]
    bullets = []
    for bench in benches:
        build = bench.get("build") or {}
        if bench.get("conformance") and build.get("libraries"):
            bullets.append(f"{bench['implementation']}: {', '.join(build['libraries'])}")
    for bench in benches:
        # Like the harness's summary, leave out what has no such case (impl.toml `cases`: the C++ variants).
        if not bench.get("conformance") and not str(bench.get("error", "")).startswith(NOT_IN_CASE):
            bullets.append(f"{bench['implementation']}: no answers ({bench.get('status', '?')}"
                           + (f": {bench['error']}" if bench.get("error") else "") + ")")
    return TITLE, paragraphs, strictness_table(benches), bullets
