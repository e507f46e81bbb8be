"""The implementations that run a Rust port built with its `unchecked` feature (rust_unchecked: the port's own
bounds checks' price, claim F3's context) declare by hand what they build; these tests keep that in step with the
port they rebuild, so a result never names a build it is not, and the port's own build never gets the feature.
They read files only (no build): the feature's build is linted by each port's [test]."""

import tomllib

import pytest

from claimbench_testing import ROOT

DIAGNOSTICS = sorted(p.parent for p in ROOT.glob("workloads/*/impls/rust_unchecked/impl.toml"))


def test_the_batch_workloads_with_a_rust_port_have_the_unchecked_build():
    assert {d.parent.parent.name for d in DIAGNOSTICS} >= {"tokenizer", "columnar_scan"}


@pytest.mark.parametrize("impl_dir", DIAGNOSTICS, ids=lambda p: p.parent.parent.name)
def test_it_builds_the_ports_own_crate_with_the_feature_into_its_own_folder(impl_dir):
    impl = tomllib.loads((impl_dir / "impl.toml").read_text())
    port_dir = impl_dir.parent / "rust"
    port = tomllib.loads((port_dir / "impl.toml").read_text())
    assert impl["label"] == "diagnostic" and impl["role"] == "port"
    # The port's crate, built from the port's folder (its toolchain file and .cargo/config.toml apply), with the
    # port's own build arguments and the feature, into {out_dir}: no copy of the code.
    build = impl["build"]["command"]
    assert build[:3] == ["env", "-C", "../rust"]
    without_feature = [arg for arg in build[3:] if arg not in ("--features", "unchecked")]
    assert without_feature == port["build"]["command"]
    assert build[build.index("--features") + 1] == "unchecked"
    assert impl["command"] == port["command"], "the same program, from its own {out_dir}"
    assert impl["build"]["flags"] == port["build"].get("flags", []) + ["--features unchecked"]
    assert impl["build"]["profile"] == port["build"]["profile"]
    assert impl["toolchain"] == port["toolchain"]
    assert (impl_dir / "rust-toolchain.toml").read_text().split("[toolchain]")[1] == \
        (port_dir / "rust-toolchain.toml").read_text().split("[toolchain]")[1], "the toolchain the version is asked of"
    assert sorted(p.name for p in impl_dir.iterdir()) == ["impl.toml", "rust-toolchain.toml"], "no sources of its own"
    assert impl["profiles"] == ["standard", "full"], "a diagnostic's build must not cost the quick run"
    hardened = tomllib.loads((impl_dir.parent / "cpp_hardened" / "impl.toml").read_text())
    assert impl["cases"] == hardened["cases"], "measured on the cases the C++ reference's price is"


@pytest.mark.parametrize("impl_dir", DIAGNOSTICS, ids=lambda p: p.parent.parent.name)
def test_the_ports_own_build_never_gets_the_feature(impl_dir):
    cargo = tomllib.loads((impl_dir.parent / "rust" / "Cargo.toml").read_text())
    assert cargo["features"]["unchecked"] == []
    assert "unchecked" not in cargo["features"].get("default", [])
    port = tomllib.loads((impl_dir.parent / "rust" / "impl.toml").read_text())
    assert "unchecked" not in " ".join(port["build"]["command"])
    assert "--features unchecked" in " ".join(port["test"]["command"]), "the port's [test] lints the feature's build"


def test_f3_shows_the_rust_ports_bounds_checks_as_context_only():
    claims = tomllib.loads((ROOT / "claims" / "claims.toml").read_text())
    f3 = next(c for c in claims["claim"] if c["id"] == "F3")
    tests = [t for t in f3["test"] if "rust_unchecked" in (t.get("contender"), t.get("baseline"))]
    assert len(tests) == 1
    test = tests[0]
    assert test["context"] is True, "a diagnostic build never decides the verdict"
    # The checked port's time over the unchecked build's: above 1 is what the checks cost, as cpp_hardened / cpp.
    assert (test["contender"], test["baseline"]) == ("rust", "rust_unchecked")
    workloads = {d.parent.parent.name for d in DIAGNOSTICS}
    assert {case.split("/")[0] for case in test["cases"]} == workloads
