"""Human formatting of quantities in the units result files use (metric names carry the unit)."""


def format_quantity(value: float, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ns":
        for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "us")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value:.3g} ns"
    if unit == "bytes":
        for scale, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if abs(value) >= scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value:.0f} B"
    if unit.endswith("_per_s"):
        return f"{value:.3g}/s"
    return f"{value:.4g}"
