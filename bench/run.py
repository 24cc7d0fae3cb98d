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
import http.client
import json
import os
import platform
import queue
import random
import re
import shutil
import statistics
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
PG_PREFIX = os.environ.get(
    "BENCH_PG_PREFIX", os.environ.get("BENCH_POSTGRES_PREFIX", "servtrade_bench")
)
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
        # The filtered list's download: one theme's (11,000 rows) is above the site's own limit
        # (EXPORT_ROW_LIMIT, it would point to the bulk files) and 8 of them at once did not
        # finish within a page's 5 s (0.0 req/s). The stream of every case is measured below.
        ("CSV export, filtered list", "/en/cases/" + query(**FILTER, _export="csv"), None),
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
        # The site sends lists above 10,000 rows to the bulk files (/data/); the benchmark still
        # measures streaming a large export (time and the workers' memory).
        "SERVTRADE_EXPORT_ROW_LIMIT": "100000000",
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


def run(kind, size, duration, cold=0, mix=0, warm=True):
    print(f"\n== {kind}, fixtures + {size:,} generated cases")
    url = build(kind, size)
    result = {"database": kind, "size": size, "load_average": [load_average()]}
    if cold:
        result["cold"] = run_cold(url, cold)
        result["load_average"].append(load_average())
    if mix:
        result["mix"] = run_mix(url, mix)
        result["load_average"].append(load_average())
    if warm:
        result.update(run_warm(url, duration))
        result["load_average"].append(load_average())
    print(f"  load average (1 min) before and after each part: {result['load_average']}")
    return result


def load_average():
    """The machine's 1-minute load average: how much else wanted the CPUs during the run."""
    return round(os.getloadavg()[0], 1)


def run_warm(url, duration):
    """Each page asked over and over by wrk (8 connections), beside the reference view."""
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
    return {"pages": rows, "export_memory": memory}


# ---- Cold mode: what a new visitor finds. Every query is new to the server (a fresh gunicorn,
# the cache cleared), asked once, by one client; the reference view is asked the same queries.

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
ENGLISH_WORD = re.compile("[A-Za-z]{4,}")
SEARCH_KINDS = ("1 CJK character", "2 CJK characters", "CJK phrase (3-6)", "English word")
# Sorts the list offers, for the concurrent mix.
SORTS = ["title", "-title", "theme", "batch", "-batch", "published_on", "-published_on"]


def vocabulary(url):
    code = "import json; from bench.context import bench_vocabulary as v; print(json.dumps(v()))"
    return json.loads(shell(url, code).splitlines()[-1])


def draw_search(rng, vocab, kind):
    """One search of ``kind``, made of words taken from the catalogue's own titles."""
    if kind == "English word":
        words = ENGLISH_WORD.findall(rng.choice(vocab["titles_en"]))
        return rng.choice(words).lower() if words else "trade"
    runs = CJK.findall(rng.choice(vocab["titles_zh"])) or ["服务"]
    run = max(runs, key=len)
    length = {"1 CJK character": 1, "2 CJK characters": 2}.get(kind) or rng.randint(3, 6)
    length = min(length, len(run))
    start = rng.randrange(len(run) - length + 1)
    return run[start : start + length]


def draw_filters(rng, vocab, facets=None):
    """Two or three facets of the list, each with one value (sometimes two), as URL params."""
    options = {name: keys for name, keys in vocab["options"].items() if keys}
    names = rng.sample(sorted(options), facets or rng.randint(2, 3))
    return {
        name: sorted(rng.sample(options[name], min(len(options[name]), rng.choice((1, 1, 1, 2)))))
        for name in sorted(names)
    }


def distinct(draw, count, seen, tries=200):
    """``count`` results of ``draw()`` never seen before (fewer if the vocabulary runs out)."""
    found = []
    for _ in range(count * tries):
        if len(found) == count:
            break
        value = draw()
        key = json.dumps(value, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            found.append(value)
    return found


def cold_queries(vocab, count, seed=SEED):
    """``count`` distinct searches (spread over SEARCH_KINDS) and ``count`` filter combinations."""
    rng, seen = random.Random(seed), {json.dumps(READY_PROBE, ensure_ascii=False)}
    searches = []
    for index, kind in enumerate(SEARCH_KINDS):
        share = count // len(SEARCH_KINDS) + (index < count % len(SEARCH_KINDS))
        searches += [(kind, {"q": q}) for q in distinct(
            lambda kind=kind: draw_search(rng, vocab, kind), share, seen)]  # fmt: skip
    filters = [("filters", params) for params in distinct(
        lambda: draw_filters(rng, vocab), count, seen)]  # fmt: skip
    return searches, filters


def mix_urls(vocab, count, seed=SEED + 1):
    """``count`` distinct list URLs as visitors make them: searches, filter combinations, later
    pages and other sorts, alone or together."""
    rng = random.Random(seed)

    def draw():
        params = {}
        if rng.random() < 0.4:
            params["q"] = draw_search(rng, vocab, rng.choice(SEARCH_KINDS))
        if rng.random() < 0.7:
            params.update(draw_filters(rng, vocab, rng.randint(1, 3)))
        if rng.random() < 0.3:
            params["sort"] = rng.choice(SORTS)
        if rng.random() < 0.3:
            params["page"] = str(rng.randint(2, 6))
        return params

    seen = {json.dumps(READY_PROBE, ensure_ascii=False)}
    return ["/en/cases/" + query(**params) for params in distinct(draw, count, seen)]


class Client:
    """One keep-alive HTTP connection, as a browser has; times each request."""

    def __init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)

    def get(self, path):
        """(seconds, HTTP status or the error's name)."""
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            status = type(error).__name__
        return time.perf_counter() - started, status


def percentiles(seconds):
    ms = sorted(1000 * s for s in seconds)
    at = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {"n": len(ms), "p50": round(statistics.median(ms), 1), "p90": round(at(0.9), 1),
            "p99": round(at(0.99), 1), "max": round(ms[-1], 1)}  # fmt: skip


def clear_cache(url):
    shell(url, "from django.core.cache import cache; cache.clear()")


# A search with more matches than the list ranks: its page says so only once the counting
# bitmaps are built (cases.counting), which tells the benchmark that the workers are ready.
READY_PROBE = {"q": "服务"}
READY_TEXT = "newest first"


def bitmaps_build_seconds(url):
    code = (
        "import time; from cases.counting import CaseBitmaps; t = time.perf_counter(); "
        "CaseBitmaps.build(); print(time.perf_counter() - t)"
    )
    return round(float(shell(url, code).splitlines()[-1]), 2)


def wait_for_bitmaps(timeout=300):
    """Until both workers count from bitmaps: several answers in a row say so."""
    client, in_a_row, deadline = Client(), 0, time.monotonic() + timeout
    started = time.perf_counter()
    while in_a_row < 6:
        if time.monotonic() > deadline:
            raise SystemExit("the workers never built their counting bitmaps")
        client.connection.request("GET", "/en/cases/" + query(**READY_PROBE))
        response = client.connection.getresponse()
        ready = READY_TEXT in response.read().decode()
        in_a_row = in_a_row + 1 if ready else 0
        client.connection.close()  # a new connection: maybe the other worker
        time.sleep(0 if ready else 0.5)
    return round(time.perf_counter() - started, 1)


def run_cold(url, count):
    """Each distinct search and filter combination once, page and reference, on a fresh server.

    Per-query caches are empty (a fresh server, the cache cleared); the measurement starts once
    the workers have built the catalogue's counting bitmaps, as it would once a search index
    exists. The time that takes is printed apart.
    """
    searches, filters = cold_queries(vocabulary(url), count)
    print(f"  counting bitmaps built in {bitmaps_build_seconds(url)} s (one process, alone)")
    clear_cache(url)
    times = {}
    with Server(url):
        print(f"  workers ready (bitmaps built) {wait_for_bitmaps()} s after start")
        client = Client()
        for index, (group, params) in enumerate(searches + filters):
            order = ("page", "reference") if index % 2 == 0 else ("reference", "page")
            for which in order:  # alternated, so neither always finds the other's disk reads
                base = "/en/cases/" if which == "page" else "/bench/reference/"
                seconds, status = client.get(base + query(**params))
                if status != 200:
                    raise SystemExit(f"{base + query(**params)} answered {status}")
                for name in (group, "all searches" if group != "filters" else None):
                    if name:
                        times.setdefault((name, which), []).append(seconds)
    rows = []
    for name in [*SEARCH_KINDS, "all searches", "filters"]:
        page, reference = percentiles(times[name, "page"]), percentiles(times[name, "reference"])
        rows.append({"queries": name, "page": page, "reference": reference,
                     "ratio_p50": round(reference["p50"] / page["p50"], 2)})  # fmt: skip
        print(f"  cold {name:<20} n={page['n']:<3} p50 {page['p50']:7.1f}  p90 {page['p90']:7.1f}"
              f"  max {page['max']:7.1f} ms | reference p50 {reference['p50']:7.1f}"
              f"  p90 {reference['p90']:7.1f}  max {reference['max']:7.1f} ms")  # fmt: skip
    return rows


def load(paths, clients=8):
    """Every path once, ``clients`` at a time: req/s, latency percentiles, errors."""
    work, done, lock = queue.Queue(), [], threading.Lock()
    for path in paths:
        work.put(path)

    def visitor():
        client = Client()
        while True:
            try:
                path = work.get_nowait()
            except queue.Empty:
                return
            seconds, status = client.get(path)
            with lock:
                done.append((path, seconds, status))

    started = time.perf_counter()
    threads = [threading.Thread(target=visitor) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    errors = [(path, status) for path, _s, status in done if status != 200]
    return {"rps": round(len(done) / wall, 1), "errors": len(errors), "error_sample": errors[:5],
            **percentiles([seconds for _p, seconds, _s in done])}  # fmt: skip


def run_mix(url, count, clients=8):
    """``count`` distinct URLs under ``clients`` concurrent visitors, cold, then each again."""
    paths = mix_urls(vocabulary(url), count)
    clear_cache(url)
    with Server(url):
        wait_for_bitmaps()
        cold = load(paths, clients)
        warm = load(paths, clients)  # each URL a second time
    for name, row in (("cold", cold), ("warm", warm)):
        print(f"  mix {name}: {row['n']} URLs, {clients} clients: {row['rps']:6.1f} req/s"
              f"  p50 {row['p50']:7.1f}  p99 {row['p99']:7.1f}  max {row['max']:7.1f} ms"
              f"  errors {row['errors']}")  # fmt: skip
    print(f"  mix cold/warm throughput {cold['rps'] / warm['rps']:.2f} (target 0.50)")
    return {"urls": len(paths), "clients": clients, "cold": cold, "warm": warm}


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
    parser.add_argument(
        "--cold",
        type=int,
        default=60,
        metavar="N",
        help="N distinct searches and N filter combinations, each once (0: skip)",
    )
    parser.add_argument(
        "--mix",
        type=int,
        default=1000,
        metavar="N",
        help="N distinct URLs under 8 concurrent clients, cold then warm (0: skip)",
    )
    parser.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="skip the warm pages (wrk), e.g. to repeat only the cold figures",
    )
    args = parser.parse_args()
    global PORT, BASE
    PORT, BASE = args.port, f"http://127.0.0.1:{args.port}"
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    runs = [
        run(kind, size, args.duration, args.cold, args.mix, args.warm)
        for kind in args.databases
        for size in args.sizes
    ]
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
    """The issues' targets, read off this run: cold latencies, the mix, ratios, growth."""
    for kind in dict.fromkeys(run["database"] for run in runs):
        mine = sorted((run for run in runs if run["database"] == kind), key=lambda r: r["size"])
        small, large = mine[0], mine[-1]
        print(f"\n== targets, {kind}, {large['size']:,} cases")
        for row in large.get("cold", ()):
            if row["queries"] in ("all searches", "filters"):
                p50, p90 = (150, 300) if row["queries"] == "all searches" else (100, 200)
                page = row["page"]
                print(f"  cold {row['queries']:<14} p50 {page['p50']:6.1f} ms (target {p50})"
                      f"  p90 {page['p90']:6.1f} ms (target {p90})"
                      f"  reference p50/page p50 {row['ratio_p50']:.2f}")  # fmt: skip
        if mix := large.get("mix"):
            cold, warm = mix["cold"], mix["warm"]
            ratio = cold["rps"] / warm["rps"]
            print(f"  mix: errors {cold['errors']} (target 0), p99 {cold['p99']:.0f} ms"
                  f" (target 1000), cold/warm req/s {ratio:.2f} (target 0.50)")  # fmt: skip
        if "pages" not in large:
            continue
        pages = {row["page"]: row for row in large["pages"]}
        for name, row in pages.items():
            if "ratio" in row:
                print(f"  {name:<32} {row['ratio']:.2f} of reference (target 0.50)")
        admin = pages["admin changelist, same filter"]["rps"]
        print(f"  filtered list / admin changelist  {pages['filtered list']['rps'] / admin:.2f}"
              " (target 1.5)")  # fmt: skip
        if small is not large and "pages" in small:
            before = {row["page"]: row["rps"] for row in small["pages"]}
            for name, row in pages.items():
                factor = before[name] / row["rps"] if row["rps"] else float("inf")
                print(f"  {name:<32} {small['size']:,} -> {large['size']:,}: x{factor:.2f} slower"
                      " (target 1.5)")  # fmt: skip
        print(f"  CSV of every case: peak RssAnon {large['export_memory']['peak_mb']} MB"
              " (target < 150)")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
