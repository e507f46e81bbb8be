"""The service end to end: started as the harness starts it, spoken to over TCP, stopped with SIGTERM."""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROGRAM = Path(__file__).resolve().parents[1] / "sync_engine.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(op, user, channel, message_id=0):
    return struct.pack("<B7xQQQ", op, user, channel, message_id)


def receive(sock, size=32):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def service():
    port = free_port()
    read_mark, write_mark = os.pipe()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(PROGRAM),
            "serve",
            "--listen",
            f"127.0.0.1:{port}",
            "--entries",
            "100",
            "--keys",
            "200",
            "--write-back-ms",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write_mark,),
        env=dict(os.environ, CLAIMBENCH_MARK_FD=str(write_mark)),
    )
    os.close(write_mark)
    with os.fdopen(read_mark) as marks:
        assert marks.readline().startswith("ready "), proc.stderr.read()
    yield port, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_pipelined_requests_are_answered_in_order_and_sigterm_prints_the_counters(service):
    port, proc = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        # key (5, 3) = 83: preloaded; (12, 0) = 192: loaded on a miss, evicting one entry.
        sock.sendall(request(1, 5, 3) + request(2, 5, 3, 1 << 45) + request(3, 5, 3) + request(1, 12, 0))
        answers = [receive(sock) for _ in range(4)]
    assert struct.unpack("<BBHIQQQ", answers[0]) == (0, 1, 0, 7, 5, 3, 699533833993)
    assert struct.unpack("<BBHIQQQ", answers[1]) == (0, 2, 0, 0, 5, 3, 1 << 45)
    assert struct.unpack("<BBHIQQQ", answers[2]) == (0, 3, 0, 1, 5, 3, 1 << 45)
    assert answers[3][0] == 0
    time.sleep(0.05)  # a write-back pass or more
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    counters = json.loads(out.decode().splitlines()[-1])
    assert counters["requests"] == 4 and counters["misses"] == 1 and counters["evictions"] == 1
    assert counters["entries"] == 100 and counters["keys"] == 200 and counters["written_back"] >= 1


def test_a_key_outside_the_space_is_refused_and_the_connection_stays_open(service):
    port, _ = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request(1, 12, 8))  # key 200
        assert receive(sock) == bytes([2, 1]) + bytes(30)
        sock.sendall(request(1, 0, 0))
        assert receive(sock)[0] == 0


def test_a_malformed_request_is_answered_then_the_connection_closed(service):
    port, proc = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request(9, 0, 0) + request(1, 0, 0))
        assert receive(sock) == bytes([1, 9]) + bytes(30)
        assert sock.recv(32) == b""  # closed without answering the second request
    assert proc.poll() is None  # and the service goes on


@pytest.mark.parametrize(
    "args, words",
    [
        (["serve", "--entries", "10"], "--listen"),
        (["serve", "--listen", "127.0.0.1:1", "--entries", "0"], "--entries"),
        (["serve", "--listen", "nowhere", "--entries", "10"], "HOST:PORT"),
        (["serve", "--listen", "127.0.0.1:1", "--entries", "10", "--bogus", "1"], "unrecognized"),
        (["serve", "--listen", "127.0.0.1:1", "--entries", "10", "--backing", "/nonexistent/dir/table"], "backing"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, words):
    proc = subprocess.run([sys.executable, str(PROGRAM), *args], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sync_engine: error: ") and words in lines[0], proc.stderr


def test_an_address_in_use_exits_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, str(PROGRAM), "serve", "--listen", f"127.0.0.1:{port}", "--entries", "10"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 2 and "cannot listen on" in proc.stderr, proc.stderr
