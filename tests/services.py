"""Throw-away services the fault tests start, break and restore: never the shared ones.

``OwnRedis`` is a redis-server of the test's own on a free port; ``TcpProxy`` stands between
Django and the shared PostgreSQL, and ``cut()`` makes the database go away for Django alone.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Nothing answers on port {port} after {timeout} s.")


class OwnRedis:
    """``redis-server`` on a free port, without persistence; ``stop()`` and ``start()`` again."""

    binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` closes every connection and refuses new
    ones (as a database that went away), ``hang()`` closes them and holds new ones without an
    answer (a black-holed network), ``restore()`` forwards again."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, int(target_port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = "open"
        self.held = []
        self.sockets = set()
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self.mode == "cut":
                client.close()
                continue
            if self.mode == "hang":
                self.held.append(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source, destination):
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        for sock in (source, destination):
            self._close(sock)

    def _close(self, sock):
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self, mode="cut"):
        self.mode = mode
        with self.lock:
            sockets = list(self.sockets)
        for sock in sockets:
            self._close(sock)

    def hang(self):
        self.cut(mode="hang")

    def restore(self):
        self.mode = "open"
        for client in self.held:
            client.close()
        self.held = []

    def close(self):
        self.running = False
        self.restore()
        self.cut()
        self.listener.close()


class SiteServer:
    """The site under gunicorn in a process of its own, as in production (debug off)."""

    def __init__(self, database_url, workers=1, timeout=60, **env):
        self.port = free_port()
        self.workers, self.timeout = workers, timeout
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "test-only-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            # The tests say X-Forwarded-Proto: https, as the TLS proxy production has in front.
            "DJANGO_BEHIND_PROXY": "1",
            "DATABASE_URL": database_url,
            "CACHE_URL": "dummy://",
            **env,
        }
        self.process = None
        # The server's error log, read by log_text(); closed with the object.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log_text(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "servtrade.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                "4",
                "--timeout",
                str(self.timeout),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_for_port(self.port, timeout=60)
        return self

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own (and carries cookies)


def http_get(url, timeout=30, data=None, cookies=None, headers=None):
    """(status, body, seconds) of one request; an HTTP error status or a redirect is an answer.

    ``cookies``, a dict, is sent and then updated from the answer: the site's cookies are
    Secure (debug off), which urllib's cookie jar would keep to itself on plain HTTP.
    """
    started = time.monotonic()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as response:
            status, body, answer = response.status, response.read(), response
    except urllib.error.HTTPError as error:
        status, body, answer = error.code, error.read(), error
    if cookies is not None:
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    return status, body.decode(), time.monotonic() - started
