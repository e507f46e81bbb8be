"""A run inside a container: the Environment table shows the engine and the limits the fingerprint found,
and the harness's warnings about them (what each does to the numbers) appear beside it; a host run shows
none of them."""

from claimbench_report import render_html, render_markdown
from result_builder import make_result

# What harness/src/fingerprint.cc writes for a Podman container limited to 1.5 cores and 2 GiB with the
# default seccomp profile, and the warnings FingerprintWarnings makes of it (abridged).
CONTAINER_WARNINGS = [
    "ran inside a container (podman-4.3.1): take figures for claims on the host (docker/README.md); the "
    "container's CPU and memory limits, seccomp filter, overlay filesystem and network namespace can all change "
    "timings",
    "cgroup CPU quota of 1.50 cores on 2 cpus: once the run's threads have used 150 ms of CPU in a 100 ms period "
    "the kernel stops them until the next one, so parallel timings stretch and latency tails jump by up to 100 ms",
    "seccomp filter active (1 filter): every system call first runs the filter, which adds to I/O-, network- and "
    "syscall-heavy timings",
]


def _container_result() -> dict:
    result = make_result(profile="quick")
    context = result["context"]
    context["virtualization"].update(container=True, container_engine="podman-4.3.1", seccomp="filter",
                                     seccomp_filters=1, speculation_store_bypass="thread vulnerable")
    context["cpu"].update(cgroup_quota_cores=1.5, cgroup_quota_period_us=100000)
    context["memory"]["cgroup_limit_bytes"] = 2 << 30
    result["claimbench"]["warnings"] = list(CONTAINER_WARNINGS)
    return result


def test_the_environment_table_shows_the_container_and_its_limits():
    text = render_markdown(_container_result())
    assert "| in a container | True |" in text
    assert "| container engine | podman-4.3.1 |" in text
    assert "| cgroup CPU quota (cores) | 1.5 |" in text
    assert "| cgroup memory limit | 2 GiB |" in text
    assert "| seccomp | filter |" in text


def test_the_harness_warnings_say_what_the_container_does_to_the_numbers():
    result = _container_result()
    for text in (render_markdown(result), render_html(result)):
        assert "take figures for claims on the host" in text
        assert "latency tails jump by up to 100 ms" in text
        assert "every system call first runs the filter" in text


def test_a_host_run_has_no_container_rows_or_warnings():
    result = make_result(profile="quick")
    context = result["context"]
    context["virtualization"].update(container=False, container_engine=None, seccomp="disabled")
    context["cpu"].update(cgroup_quota_cores=None, cgroup_quota_period_us=None)
    context["memory"]["cgroup_limit_bytes"] = None
    text = render_markdown(result)
    assert "| in a container | False |" in text
    assert "container engine" not in text
    assert "cgroup CPU quota" not in text and "cgroup memory limit" not in text
    assert "| seccomp | disabled |" in text
    assert "take figures for claims on the host" not in text
