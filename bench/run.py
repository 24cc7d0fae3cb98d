#!/usr/bin/env python
"""servtrade's benchmark: throughput and latency of the public pages against a reference view.

For each database (SQLite, PostgreSQL) and each size (the fixtures plus N generated cases) it
builds a database, serves the site with gunicorn (production settings, 2 workers, 127.0.0.1),
loads each page with wrk (8 connections) and prints req/s, p50 and p99, and each page's ratio to
the reference view: a minimal hand-written view of the same filtered query (bench/reference.py).
It also measures the private memory (RssAnon) of the workers while they stream a CSV export of
every case. Ratios are measured in one run, on one machine, so they compare like with like.

    .venv/bin/python bench/run.py                       # 1,000 / 10,000 / 100,000, both DBs
    .venv/bin/python bench/run.py --sizes 1000 --databases sqlite --duration 5
    .venv/bin/python bench/run.py --port 8767           # when 8765 is taken

Databases are kept under bench/results/ (SQLite) or as servtrade_bench_<N> (PostgreSQL) and
reused when they already hold the right number of cases. See docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORT = 8765  # --port changes both
BASE = f"http://127.0.0.1:{PORT}"
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# PostgreSQL databases are <prefix>_<size>; a shared server needs a prefix of one's own.
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "servtrade_bench")
REAL_CASES = 34  # the catalogued cases in fixtures/cases.json
SEED = 1

# The filter every filtered page uses: a theme, a sector and a province (with its cities).
FILTER = {"theme": "institutional-opening-up", "sector": "SI", "region": "guangdong"}
SEARCHES = {
    "search, 2 Chinese characters": "数据",
    "search, 4 Chinese characters": "服务贸易",
    "search, English word": "sports",
}


def query(**params):
    return "?" + urllib.parse.urlencode(params, doseq=True)


def pages(admin_filter, detail_slug):
    """(name, path, reference path or None). The reference serves the same query, bare."""
    listed = [
        ("home", "/en/", None),
        ("case list", "/en/cases/", "/bench/reference/"),
        ("filtered list", "/en/cases/" + query(**FILTER), "/bench/reference/" + query(**FILTER)),
    ]
    for name, text in SEARCHES.items():
        listed.append((name, "/en/cases/" + query(q=text), "/bench/reference/" + query(q=text)))
    listed += [
        ("case detail", f"/en/cases/{detail_slug}/", None),
        ("admin changelist, same filter", "/admin/cases/case/" + query(**admin_filter), None),
        ("CSV export, one theme", "/en/cases/" + query(theme=FILTER["theme"], _export="csv"), None),
    ]
    return listed


def server_env(database_url):
    """The production settings the benchmark serves with (plus the reference view's URL)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
    }


def manage(database_url, *args, capture=False):
    # The same settings as the server: a session made here must be valid there.
    env = server_env(database_url)
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else None


def shell(database_url, code):
    return manage(database_url, "shell", "--no-imports", "-c", code, capture=True).strip()


def database_url(kind, size):
    if kind == "sqlite":
        return f"sqlite:///{RESULTS / f'servtrade-{size}.sqlite3'}"
    return f"{PG_SERVER}/{PG_PREFIX}_{size}"


def build(kind, size):
    """A database with the fixtures plus `size` generated cases; reused when already right."""
    url = database_url(kind, size)
    if kind == "postgresql":
        subprocess.run(
            ["psql", PG_SERVER + "/postgres", "-qc", f"CREATE DATABASE {PG_PREFIX}_{size}"],
            capture_output=True,
        )
    manage(url, "migrate", "--noinput", "-v0")
    count = int(shell(url, "from cases.models import Case; print(Case.objects.count())"))
    if count != size + REAL_CASES:
        if count:
            shell(url, "from cases.models import Case; Case.objects.all().delete()")
        started = time.perf_counter()
        manage(url, "load_demo", "-v0")
        manage(url, "generate_cases", "--count", str(size), "--seed", str(SEED))
        print(f"  built {kind} with {size} cases in {time.perf_counter() - started:.0f} s")
    if kind == "postgresql":
        subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    else:
        shell(url, "from django.db import connection; connection.cursor().execute('ANALYZE')")
    return url


def admin_session_and_filter(url):
    """A logged-in superuser's session key, and the admin's query string for FILTER."""
    code = (
        "import json; from bench.context import bench_context; "
        f"print(json.dumps(bench_context({FILTER['theme']!r}, {FILTER['sector']!r}, 'guangzhou')))"
    )
    return json.loads(shell(url, code).splitlines()[-1])


class Server:
    """gunicorn with production settings, 2 workers, on 127.0.0.1."""

    def __init__(self, url):
        self.env = server_env(url)

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(GUNICORN), "servtrade.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{PORT}", "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/en/", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start: " + self.process.stderr.read().decode()[-2000:])

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(path, cookie=None):
    """The page must answer 200 itself: a redirect (to a login page, say) is not a result."""
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirects).open(request, timeout=300) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{path} answered {error.code}, not 200") from error


def wrk(path, duration, cookie=None):
    """req/s, p50 and p99 (ms) of wrk with 8 connections on 2 threads."""
    args = ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", "--timeout", "60s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(args + [BASE + path], check=True, text=True, capture_output=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{path} gave errors under load:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"rps": rps, "p50": latency(output, "50%"), "p99": latency(output, "99%")}


def latency(output, percentile):
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def export_memory(server, path):
    """Peak RssAnon (MB) of the workers while one request streams the export at `path`."""
    peak, done = {}, threading.Event()

    def sample():
        while not done.is_set():
            for pid in server.workers():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                rss = int(re.search(r"RssAnon:\s+(\d+) kB", status).group(1)) / 1024
                peak[pid] = max(peak.get(pid, 0), rss)
            time.sleep(0.05)

    before = {}
    for pid in server.workers():
        status = Path(f"/proc/{pid}/status").read_text()
        before[pid] = int(re.search(r"RssAnon:\s+(\d+) kB", status).group(1)) / 1024
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with urllib.request.urlopen(BASE + path, timeout=600) as response:
        size = sum(len(chunk) for chunk in iter(lambda: response.read(1 << 16), b""))
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "before_mb": round(max(before.values()), 1),
        "peak_mb": round(max(peak.values()), 1),
        "bytes": size,
        "seconds": round(seconds, 2),
    }


def run(kind, size, duration):
    print(f"\n== {kind}, fixtures + {size:,} generated cases")
    url = build(kind, size)
    admin = admin_session_and_filter(url)
    cookie = f"sessionid={admin['session']}"
    rows = []
    with Server(url) as server:
        for name, path, reference in pages(admin["filter"], admin["detail"]):
            needs_cookie = cookie if path.startswith("/admin/") else None
            check(path, needs_cookie)
            check(path, needs_cookie)  # warm both workers' caches as a visitor would find them
            result = {"page": name, "path": path, **wrk(path, duration, needs_cookie)}
            if reference:
                check(reference)
                result["reference_rps"] = wrk(reference, duration)["rps"]
                result["ratio"] = round(result["rps"] / result["reference_rps"], 2)
            rows.append(result)
            print(format_row(result))
        memory = export_memory(server, "/en/cases/?_export=csv")
        print(f"  CSV export of every case: {memory}")
    return {"database": kind, "size": size, "pages": rows, "export_memory": memory}


def format_row(row):
    line = (
        f"  {row['page']:<32} {row['rps']:8.1f} req/s"
        f"  p50 {row['p50']:7.1f} ms  p99 {row['p99']:7.1f} ms"
    )
    if "ratio" in row:
        line += f"  {row['ratio']:.2f} of reference ({row['reference_rps']:.0f}/s)"
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])  # fmt: skip
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--port", type=int, default=8765, help="port gunicorn listens on")
    args = parser.parse_args()
    global PORT, BASE
    PORT, BASE = args.port, f"http://127.0.0.1:{args.port}"
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    runs = [run(kind, size, args.duration) for kind in args.databases for size in args.sizes]
    report = {
        "date": started.isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {os.cpu_count()} cores · {platform.machine()} · "
        f"Python {platform.python_version()}",
        "duration_per_page_s": args.duration,
        "runs": runs,
    }
    out = RESULTS / f"bench-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_targets(runs)
    print(f"\nwrote {out.relative_to(ROOT)}")


def print_targets(runs):
    """The issue's targets, read off this run: ratios at the largest size, growth factors."""
    for kind in dict.fromkeys(run["database"] for run in runs):
        mine = sorted((run for run in runs if run["database"] == kind), key=lambda r: r["size"])
        small, large = mine[0], mine[-1]
        pages = {row["page"]: row for row in large["pages"]}
        print(f"\n== targets, {kind}, {large['size']:,} cases")
        for name, row in pages.items():
            if "ratio" in row:
                print(f"  {name:<32} {row['ratio']:.2f} of reference (target 0.50)")
        admin = pages["admin changelist, same filter"]["rps"]
        print(f"  filtered list / admin changelist  {pages['filtered list']['rps'] / admin:.2f}"
              " (target 1.5)")  # fmt: skip
        if small is not large:
            before = {row["page"]: row["rps"] for row in small["pages"]}
            for name, row in pages.items():
                factor = before[name] / row["rps"] if row["rps"] else float("inf")
                print(f"  {name:<32} {small['size']:,} -> {large['size']:,}: x{factor:.2f} slower"
                      " (target 1.5)")  # fmt: skip
        print(f"  CSV of every case: peak RssAnon {large['export_memory']['peak_mb']} MB"
              " (target < 150)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
