"""The command line (SPEC.md, "Command line"): usage errors are one line and exit 2; the process marks
ready, serves, and exits 0 on SIGTERM within two seconds, with one worker or several."""

import io
import signal
import socket
import time
from contextlib import redirect_stderr

import pytest
from pyproxy.cli import main

from conftest import exchange, start_proxy


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["run", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1"],
        ["serve", "--upstream", "127.0.0.1:1"],
        ["serve", "--listen", "127.0.0.1:0"],
        ["serve", "--listen", "nohost", "--upstream", "127.0.0.1:1"],
        ["serve", "--listen", "127.0.0.1:70000", "--upstream", "127.0.0.1:1"],
        ["serve", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--threads", "0"],
        ["serve", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--threads", "two"],
        ["serve", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--idle-timeout-ms", "-5"],
        ["serve", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--bogus"],
        ["serve", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--thread", "2"],
    ],
)
def test_bad_command_lines_exit_2_with_one_line(argv):
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(argv) == 2
    assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("http_proxy: ")


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = io.StringIO()
        with redirect_stderr(err):
            assert main(["serve", "--listen", f"127.0.0.1:{port}", "--upstream", "127.0.0.1:1"]) == 2
    assert "cannot listen" in err.getvalue() and err.getvalue().count("\n") == 1


@pytest.mark.parametrize("threads", ["1", "3"])
def test_serves_and_exits_0_on_sigterm(origin, threads):
    process, port = start_proxy(origin, "--threads", threads)
    for k in range(6):  # several connections, so that more than one worker can take them
        response, _ = exchange(port, b"GET /r/1?size=5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert response.startswith(b"HTTP/1.1 200 ") and response.endswith(b"abcde"), (k, response)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(2) == 0
    assert time.monotonic() - started < 2
    assert process.stderr.read() == b""
