"""`make serve`'s server for real: gunicorn with deploy/gunicorn.conf.py and production settings
(debug off), static files collected under content-hashed names and served with far-future
caching and compressed copies, the access log on stdout, and no debug page."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SECRET_KEY": "serve-test-secret-key-" + "x" * 40,
        "DJANGO_HTTPS": "0",  # plain http on 127.0.0.1, as `make demo`
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (tmp / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "servtrade.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/en/", timeout=20)
                break
            except OSError:  # not listening yet, or still starting its workers
                time.sleep(0.3)
        yield {"url": base, "log": log, "static": tmp / "static"}
    finally:
        # Also when it never came up: no server outlives the tests.
        process.terminate()
        process.wait(timeout=60)
        log.close()


def test_pages_link_static_files_by_content_hashed_names(server):
    status, _, body = fetch(server["url"] + "/en/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the stylesheet is not linked under a hashed name"
    status, headers, css = fetch(server["url"] + stylesheet.group(1).decode())
    assert status == 200 and b"{" in css
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 86400
    _, compressed, _ = fetch(
        server["url"] + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"}
    )
    assert compressed["Content-Encoding"] == "gzip"
    assert (server["static"] / "staticfiles.json").exists()


def test_no_debug_page_but_the_friendly_404(server):
    status, _, body = fetch(server["url"] + "/en/no-such-page/")
    assert status == 404
    assert b"Page not found" in body
    assert b"Traceback" not in body and b"DEBUG = True" not in body


def test_the_access_log_goes_to_stdout(server):
    fetch(server["url"] + "/en/programs/")
    time.sleep(0.5)
    server["log"].seek(0)
    assert '"GET /en/programs/ HTTP/1.1" 200' in server["log"].read()
