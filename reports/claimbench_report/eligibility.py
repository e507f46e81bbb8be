"""Which runs may give claim verdicts: only a release build of the standard or full profile, with no case
parameter overridden. Any other run's ratios are still shown, marked "indicative" with the reasons returned
here, so that a quick, sanitizer or hand-tuned run is never mixed silently into a verdict.
"""

VERDICT_PROFILES = ("standard", "full")
VERDICT_VARIANT = "release"


def parameter_overrides(meta: dict) -> dict[str, str]:
    """The run's `--param` overrides: `parameter_overrides` (schema_version 2), else read from the command
    line of an older file."""
    if isinstance(meta.get("parameter_overrides"), dict):
        return {str(k): str(v) for k, v in meta["parameter_overrides"].items()}
    found: dict[str, str] = {}
    taking = False  # after `--param`: CLI11 takes every following KEY=VALUE up to the next option
    for arg in (str(a) for a in meta.get("command_line") or []):
        if arg.startswith("-"):
            taking = arg == "--param"
            if not arg.startswith("--param="):
                continue
            arg = arg.removeprefix("--param=")
        elif not taking:
            continue
        key, equals, value = arg.partition("=")
        if equals:
            found[key] = value
    return found


def indicative_reasons(result: dict) -> list[str]:
    """Why `result`'s evidence cannot give verdicts (empty when it can). Pure; never raises on a
    schema-valid result."""
    meta = result.get("claimbench") or {}
    reasons = []
    profile = meta.get("profile")
    if profile not in VERDICT_PROFILES:
        reasons.append(f"{profile or 'unknown'} profile (verdicts need {' or '.join(VERDICT_PROFILES)})")
    variant = meta.get("variant")
    if variant != VERDICT_VARIANT:
        reasons.append(f"{variant or 'unknown'} variant (verdicts need {VERDICT_VARIANT} builds)")
    overrides = parameter_overrides(meta)
    if overrides:
        listed = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        reasons.append(f"parameters overridden ({listed})")
    return reasons
