"""How `medialib serve` runs its WSGI server so that slow and idle clients cannot lock others out.

The protection is a handful of server settings, kept here as plain data so another server (a
pre-forking one) can be given the same limits:
- idle and trickling connections cost a socket, never a worker thread: waitress reads headers
  and bodies on its event loop, and media files are handed to that loop to send (see
  web/media.py), so a visitor who reads a download slowly, or not at all, holds no thread;
- `max_connections` sockets are held at once (waitress' own default, 100, let a hundred
  silent sockets lock every visitor out), with poll() so more than 1,024 descriptors work, and
  the open-file limit raised to fit;
- a connection that sends and receives nothing for `idle_timeout` seconds is closed, and one
  whose request has not arrived in full `request_timeout` seconds after it began (headers sent
  a byte at a time) is closed at its next byte;
- no page takes a request body, so one is refused with 413 as soon as its headers say so,
  before a byte of it is read.
Pages stay far below waitress' output buffer (16 MB, outbuf_high_watermark) thanks to the page
budget (web/transcript_parts.py), so a slow reader of a page never blocks the thread that wrote
it either.
Per-client limits (connections and requests per address, header and body timeouts) belong in
the reverse proxy; the README's nginx section shows them.

More than one core: with `workers` above 1 (where the system can fork) the listening socket is
bound once, then that many worker processes are forked, each running waitress with the limits
above on the inherited socket (the kernel hands each new connection to one of them), each with
its own threads, database connections and page cache; the search index's files are shared
through the page cache of the OS. The parent only watches: a worker that dies is replaced, and
SIGTERM or Ctrl-C stops them all. A pre-forking server with synchronous workers (gunicorn's
default) would give each worker one connection at a time, so idle clients would lock it out;
waitress workers keep the slow-client protection whole.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import resource
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server

from .allocator import settle_heap
from .config import Settings

# Descriptors beyond the connections: the listening socket, database, index, log files.
SPARE_FILES = 256
# Bytes of request body accepted: none (every route is GET or HEAD). waitress refuses a body
# of this many bytes or more at its headers; 1 is its smallest meaningful value.
MAX_BODY = 1
# Seconds between waitress' sweeps for idle connections: a bounded share of the timeout.
SWEEP_SECONDS = 2
LISTEN_BACKLOG = 2048
LOOPBACK_NAMES = {"localhost"}


def server_options(settings: Settings) -> dict[str, Any]:
    """waitress.serve() keyword arguments carrying the library's connection limits."""
    return {
        "connection_limit": settings.max_connections,
        "channel_timeout": settings.idle_timeout,
        "cleanup_interval": max(1, min(SWEEP_SECONDS, settings.idle_timeout)),
        "asyncore_use_poll": True,  # select() stops at 1,024 descriptors
        "backlog": LISTEN_BACKLOG,
        "max_request_body_size": MAX_BODY,
        "ident": "medialib",
    }


class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
    """waitress' connection, closed when a request takes longer than `deadline` seconds to
    arrive: the idle timeout never fires for a client that sends a byte every few seconds."""

    deadline = 30.0
    began: float | None = None  # when the request now arriving sent its first byte

    def received(self, data: bytes) -> bool:
        now = time.monotonic()
        if self.request is None or self.began is None:
            self.began = now
        elif now - self.began > self.deadline:
            self.will_close = True  # the event loop closes it; its thread was never taken
            return False
        result = bool(super().received(data))
        if self.request is None:  # every request in `data` arrived whole
            self.began = None
        return result


# A worker that dies sooner than this after it started is replaced only after this pause, so
# a worker that cannot start is not forked again in a tight loop.
RESPAWN_PAUSE = 1.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_server(app: Any, host: str, port: int, threads: int, settings: Settings,
               workers: int = 1, say: Callable[[str], None] | None = None,
               each_process: Callable[[], None] = lambda: None) -> None:
    """Serve `app` with waitress and the library's limits until interrupted: in this process,
    or in `workers` forked processes sharing one listening socket. `each_process` runs first in
    every serving process (threads do not survive a fork)."""
    logging.basicConfig()  # waitress' own warnings reach stderr, as waitress.serve() does
    settle_heap()  # before any thread or worker: memory flat across library changes
    if workers <= 1 or not hasattr(os, "fork"):
        server = _waitress(app, threads, settings, host=host, port=port)
        each_process()
        server.run()
        return
    listening = listening_socket(host, port)

    def serve_one() -> None:
        each_process()
        _waitress(app, threads, settings, sockets=[listening]).run()

    prefork(serve_one, workers, say or (lambda _message: None))


def _waitress(app: Any, threads: int, settings: Settings, **where: Any) -> Any:
    listeners: dict[int, Any] = {}
    server = create_server(app, map=listeners, threads=threads, **where,
                           **server_options(settings))
    channel = type("LibraryChannel", (DeadlineChannel,),
                   {"deadline": float(settings.request_timeout)})
    for listener in list(listeners.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    return server


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening, for the workers to share."""
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    if name == "localhost":
        name = "127.0.0.1"
    return socket.create_server((name, port), family=family, backlog=LISTEN_BACKLOG)


def prefork(serve_one: Callable[[], None], workers: int, say: Callable[[str], None]) -> None:
    """Fork `workers` processes running `serve_one`; replace any that dies; on SIGTERM or
    SIGINT stop them all and return once every one has exited."""
    children: dict[int, float] = {}  # pid -> when it started
    stopping = False

    def spawn() -> None:
        # Signals wait while forking: a SIGTERM then reaches the child with the default action
        # (it stops), never the parent's handler copied into it.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = os.fork()
        if pid == 0:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            code = 0
            try:
                serve_one()
            except KeyboardInterrupt:
                pass
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        for _ in range(workers):
            if not stopping:
                spawn()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            started = children.pop(pid, None)
            if started is None or stopping:
                continue
            say(f"warning: worker {pid} stopped ({_exit_reason(status)}); starting another")
            if time.monotonic() - started < RESPAWN_PAUSE:
                time.sleep(RESPAWN_PAUSE)
            if not stopping:
                spawn()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft open-file limit towards `wanted` (never past the hard limit);
    the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < ceiling:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
            soft = ceiling
        except (ValueError, OSError):
            pass
    return int(soft)


def fit_connections(settings: Settings) -> tuple[Settings, str | None]:
    """Settings whose max_connections fit the open-file limit (raised if it can be), and a note
    when they had to be lowered."""
    limit = raise_open_file_limit(settings.max_connections + SPARE_FILES)
    if limit >= settings.max_connections + SPARE_FILES:
        return settings, None
    fitted = max(1, limit - SPARE_FILES)
    note = (f"the open-file limit is {limit}: holding at most {fitted} connections "
            f"(max_connections {settings.max_connections}); raise it with ulimit -n")
    return settings.with_(max_connections=fitted), note


def is_loopback(host: str) -> bool:
    """The address only this machine can reach ("127.0.0.1", "::1", "localhost")."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address_warning(host: str, settings: Settings) -> str | None:
    """What to tell staff who serve beyond this machine without a public base URL."""
    if is_loopback(host) or settings.public_base_url:
        return None
    return (f"serving on {host} without public_base_url: links in feeds, the sitemap and shared "
            "pages are built from each request's Host header, and only loopback names and "
            "trusted_hosts are answered (others get a 400); set MEDIALIB_PUBLIC_BASE_URL to "
            "the site's public address")
