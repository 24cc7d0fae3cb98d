"""What the benchmark scripts share: paths, manage.py, HTTP as a browser does it, wrk's output.

bench/scale_out.py and bench/load.py import this (they put the repository on ``sys.path``).
"""

import http.cookiejar
import json
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Site:
    """HTTP against one base URL, with an optional cookie jar (a signed-in editor)."""

    def __init__(self, base, jar=None, headers=None):
        self.base = base
        self.jar = jar
        self.headers = headers or {}
        handlers = [NoRedirects()]
        if jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(jar))
        self.opener = urllib.request.build_opener(*handlers)

    def get(self, path, data=None, headers=None, timeout=60):
        """(status, headers, text); a POST when ``data`` is given."""
        headers = {**self.headers, **(headers or {})}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")

    def cookie(self, name):
        return next((c.value for c in self.jar or () if c.name == name), None)


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def sign_in(base, username, password, headers=None):
    """A signed-in staff member's Site (with its cookie jar), through the admin's login form."""
    site = Site(base, http.cookiejar.CookieJar(), headers)
    _, _, form = site.get("/admin/login/")
    data = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token(form),
            "next": "/admin/",
        }
    ).encode()
    status, _, _ = site.get("/admin/login/", data=data, headers={"Referer": base + "/admin/login/"})
    if status != 302 or not site.cookie("sessionid"):
        raise SystemExit(f"{username} could not sign in at {base}/admin/ (HTTP {status})")
    return site


def manage(env, *command):
    """``manage.py command`` with ``env``; its output, or the script stops with its errors."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *command], cwd=ROOT, env=env, text=True, capture_output=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{result.stderr}")
    return result.stdout.strip()


def shell(env, code):
    return manage(env, "shell", "--no-imports", "-c", code)


def start(command, env, log):
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(site, path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _, _ = site.get(path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{site.base} did not answer within {seconds} s")


def lua_list(paths):
    """A Lua table literal of the paths (URL-quoted: nothing to escape), for a wrk script."""
    return "{" + ", ".join(json.dumps(path, ensure_ascii=False) for path in paths) + "}"


def latency(output, percentile):
    """A percentile of wrk --latency's distribution, in milliseconds."""
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


def wrk_figures(output):
    """req/s, requests, p50/p99 and errors from wrk's own report (run with --latency)."""
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": latency(output, "50%"),
        "p99_ms": latency(output, "99%"),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }
