"""Huge URLs and headers get 414 / 431 from the real server (daphne, as `make run` runs it),
not a dropped connection; ordinary requests are unaffected."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ask(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    var = tmp_path_factory.mktemp("limits")
    drop = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(PEERLEARN_VAR_DIR=str(var), PEERLEARN_BACKGROUND="inprocess", CELERY_TASK_ALWAYS_EAGER="true")
    p = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(p), "peerlearn.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", p), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, "daphne exited"
            time.sleep(0.1)
    yield p
    proc.terminate()
    proc.wait(timeout=20)


def test_a_100_kb_url_gets_414(port: int) -> None:
    answer = _ask(port, b"GET /sessions/?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 URI Too Long\r\n")


def test_a_100_kb_header_gets_431(port: int) -> None:
    answer = _ask(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=" + b"b" * 100_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")


def test_many_headers_over_the_total_get_431(port: int) -> None:
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"x" * 100) for i in range(300))
    answer = _ask(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")


def test_an_ordinary_request_is_served(port: int) -> None:
    answer = _ask(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")
