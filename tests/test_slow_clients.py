"""`medialib serve` under idle, trickling and non-reading clients, and bodies it never reads.

A real server subprocess on 127.0.0.1: hundreds of sockets that open and say nothing, send
headers a byte at a time, or ask for a large file and never read it; ordinary requests still
answer, and the silent sockets are closed once the idle timeout has passed.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from medialib.config import Settings
from medialib.serving import MAX_BODY, address_warning, fit_connections, server_options

IDLE = 300  # silent sockets: three times waitress' old connection limit of 100
TRICKLING = 50  # sockets that send half a request line and stop
NOT_READING = 6  # sockets that ask for a 48 MB file and never read it (threads: 2)
BIG = 48 * 2**20
WAIT = 60.0  # seconds a socket operation may wait before the test fails (liveness, not speed)


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[str]
    said: str = ""  # its stderr, once stopped

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=WAIT)
        return sock

    def request(self, raw: bytes) -> bytes:
        """Send a raw request on a new connection; the response head and as much body as came."""
        with self.connect() as sock:
            sock.sendall(raw)
            return _read_response(sock)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def get(path: str, host: str = "127.0.0.1") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


@contextmanager
def serve(library: Path, *args: str, **env: str) -> Iterator[Server]:
    """`medialib serve` on a free port, ready once it accepts a connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "medialib.cli", "--library", str(library), "serve",
         "--port", str(port), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env},
    )
    server = Server(port, proc)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=WAIT).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
        yield server
    finally:
        proc.terminate()
        server.said = proc.communicate(timeout=30)[1]


@pytest.fixture
def big_library(fresh_library: Path) -> Path:
    """The sample library, indexed, with a large file in media/ to download slowly."""
    from medialib.library import Library

    lib = Library(Settings(library=fresh_library))
    lib.reindex()
    lib.close()
    folder = fresh_library / "media" / "big-file"
    folder.mkdir(parents=True)
    with open(folder / "video.mp4", "wb") as fh:
        fh.truncate(BIG)
    return fresh_library


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_idle_trickling_and_non_reading_clients_lock_nobody_out(big_library: Path) -> None:
    with serve(big_library, "--threads", "2", MEDIALIB_IDLE_TIMEOUT="3") as server, \
            ExitStack() as stack:
        idle = [stack.enter_context(server.connect()) for _ in range(IDLE)]
        trickling = [stack.enter_context(server.connect()) for _ in range(TRICKLING)]
        for sock in trickling:
            sock.sendall(b"GET / HT")
        readers = [stack.enter_context(server.connect()) for _ in range(NOT_READING)]
        for sock in readers:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(get("/media/big-file/video.mp4"))
        # Ordinary visitors, while all of those hold their sockets.
        for path in ("/", "/webcasts/role-of-radiation-mbc", "/static/site.css"):
            head = server.request(get(path))
            assert head.startswith(b"HTTP/1.1 200"), (path, head[:200])
        # The silent sockets are closed once the idle timeout has passed.
        for sock in idle + trickling:
            sock.settimeout(WAIT)
            assert _closed_by_server(sock)
        assert server.request(get("/")).startswith(b"HTTP/1.1 200")


def test_a_request_trickled_a_byte_at_a_time_is_cut_off(big_library: Path) -> None:
    line = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    with serve(big_library, MEDIALIB_REQUEST_TIMEOUT="2", MEDIALIB_IDLE_TIMEOUT="600") as server, \
            ExitStack() as stack:
        open_ = [stack.enter_context(server.connect()) for _ in range(TRICKLING)]
        for sent in range(len(line)):  # a byte each 0.2 s: never idle, never done
            for sock in list(open_):
                try:
                    sock.send(line[sent:sent + 1])
                except OSError:
                    open_.remove(sock)
            if not open_:
                break
            assert sent * 0.2 < WAIT, f"{len(open_)} trickling connections still open"
            time.sleep(0.2)
        assert server.request(get("/")).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("head", [
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 104857600\r\n\r\n",
    b"GET /search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n",
])
def test_a_request_body_is_refused_before_it_is_read(big_library: Path, head: bytes) -> None:
    with serve(big_library) as server:
        # Only the headers (and one chunk) are sent: a server that waited for the body would
        # never answer.
        response = server.request(head)
        assert response.startswith(b"HTTP/1.1 413"), response[:200]


def test_serve_warns_without_a_public_address_beyond_loopback(big_library: Path) -> None:
    with serve(big_library, "--host", "0.0.0.0") as server:
        assert server.request(get("/")).startswith(b"HTTP/1.1 200")
        for host in ("evil.example", "a" * 64 + ".example"):
            refused = server.request(get("/feed.xml", host=host))
            assert refused.startswith(b"HTTP/1.1 400") and b"Content-Security-Policy" in refused
    assert "without public_base_url" in server.said, server.said
    assert "MEDIALIB_PUBLIC_BASE_URL" in server.said
    with serve(big_library) as server:
        pass
    assert "public_base_url" not in server.said


def test_the_server_settings_carry_the_limits() -> None:
    settings = Settings(max_connections=1500, idle_timeout=7)
    options = server_options(settings)
    assert options["connection_limit"] == 1500 and options["channel_timeout"] == 7
    assert options["asyncore_use_poll"] and options["max_request_body_size"] == MAX_BODY
    fitted, note = fit_connections(settings)  # raises this process's soft limit if it must
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= fitted.max_connections
    assert note is None or "open-file limit" in note
    for host in ("127.0.0.1", "::1", "localhost", "[::1]"):
        assert address_warning(host, settings) is None
    assert "public_base_url" in (address_warning("0.0.0.0", settings) or "")
    assert address_warning("0.0.0.0", settings.with_(public_base_url="https://x.org")) is None


def test_media_sent_by_the_servers_file_wrapper_is_exact(big_library: Path) -> None:
    pattern = bytes(range(256)) * 4096  # 1 MiB
    (big_library / "media" / "big-file" / "audio.m4a").write_bytes(pattern)
    with serve(big_library) as server, server.connect() as sock:
        for first, last in ((0, 9), (1000, 300_000), (len(pattern) - 5, len(pattern) - 1)):
            sock.sendall(f"GET /media/big-file/audio.m4a HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         f"Range: bytes={first}-{last}\r\n\r\n".encode())
            head = _read_response(sock)
            top, _, body = head.partition(b"\r\n\r\n")
            assert top.startswith(b"HTTP/1.1 206")
            length = last - first + 1
            assert f"Content-Length: {length}".encode() in top
            while len(body) < length:
                body += sock.recv(65536)
            assert body == pattern[first:last + 1]  # and nothing after it on the connection
        sock.sendall(get("/media/big-file/audio.m4a"))
        top, _, body = _read_response(sock).partition(b"\r\n\r\n")
        assert top.startswith(b"HTTP/1.1 200")
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        assert body == pattern
