#!/usr/bin/env python
"""One page's throughput in this tree against another commit's, on the same database, in one run.

For a change that must not slow a page down ("the home page keeps its throughput within 10%"):
it exports ``--base`` (a commit, default ``main``) with ``git archive`` into a temporary folder,
serves it and this tree with gunicorn (production settings, 2 workers each, one at a time) on
the same benchmark database, and loads the page with wrk in turns (base, this tree, base, ...)
so that the noise of a shared machine falls on both alike. Prints req/s and p50 of every round
and the ratio of the medians (this tree / base).

``--against-sqlite`` compares this tree on PostgreSQL with this tree on SQLite instead (the
same 100,000 cases, same seed), in turns page by page (SQLite, PostgreSQL, SQLite, ...): the
question "is PostgreSQL at least as fast as SQLite on every page" (issue 13) asked so that the
machine's drift between two runs of bench/run.py does not answer it. ``--path`` takes several.

``--against-sqlite --cold N`` first asks bench/run.py's N cold searches and N filter
combinations (distinct, each once, caches empty) of both databases in turns: both served at
once, one client, which goes first alternating; p50/p90/max of each.

``--cpu`` measures instead the CPU time one process spends per request (Django's test client,
warm cache, ``time.process_time``): on a machine shared with other work, wall-clock throughput
swings by a factor of two from one round to the next, CPU time much less.

    .venv/bin/python bench/compare.py --size 100000 --path /en/ --port 9510
    .venv/bin/python bench/compare.py --base 019d04f --rounds 5 --duration 10
    .venv/bin/python bench/compare.py --against-sqlite --path /en/ /en/cases/ --rounds 3

The database is bench/run.py's (built there, and here when missing): SQLite under
bench/results/, or PostgreSQL with ``--database postgresql``. Both trees must share its schema.
"""

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: database building and the server's settings)


def serve(tree, database_url, port):
    env = run.server_env(database_url)
    env["PYTHONPATH"] = str(tree)  # the tree's own code, ahead of the installed package
    process = subprocess.Popen(
        [str(run.GUNICORN), "servtrade.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--chdir", str(tree), "--timeout", "120"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def collect_static(tree, database_url):
    """Production settings serve hashed, collected files: collect ``tree``'s."""
    env = {**run.server_env(database_url), "PYTHONPATH": str(tree)}
    subprocess.run(
        [str(run.PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=tree, env=env, check=True,
    )  # fmt: skip


def measure(tree, database_url, port, path, duration):
    process = serve(tree, database_url, port)
    try:
        run.BASE = f"http://127.0.0.1:{port}"
        for _ in range(20):  # warm the workers and their caches
            urllib.request.urlopen(run.BASE + path, timeout=60).read()
        time.sleep(3)  # the counting bitmaps are built in the background after a first page
        for _ in range(20):
            urllib.request.urlopen(run.BASE + path, timeout=60).read()
        return run.wrk(path, duration)
    finally:
        process.terminate()
        process.wait(timeout=30)


CPU_SCRIPT = """
import os, sys, time, django
django.setup()
from django.test import Client
client = Client()
path, count = sys.argv[1], int(sys.argv[2])
for _ in range(20):
    assert client.get(path).status_code == 200
started = time.process_time()
for _ in range(count):
    client.get(path)
print((time.process_time() - started) / count * 1000)
"""


def cpu_per_request(tree, database_url, path, count):
    """Milliseconds of CPU one process spends per request of ``path``, warm."""
    env = run.server_env(database_url)
    env["PYTHONPATH"] = str(tree)
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    result = subprocess.run(
        [str(run.PYTHON), "-c", CPU_SCRIPT, path, str(count)],
        cwd=tree, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"{path} failed in {tree}:\n{result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main")
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--path", nargs="+", default=["/en/"])
    parser.add_argument(
        "--against-sqlite",
        action="store_true",
        help="this tree on PostgreSQL against this tree on SQLite, in turns",
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--cpu", type=int, metavar="REQUESTS", help="CPU time per request")
    parser.add_argument(
        "--cold",
        type=int,
        default=0,
        metavar="N",
        help="with --against-sqlite: bench/run.py's N cold searches and N filter combinations, "
        "each once on each database in turns",
    )
    args = parser.parse_args()

    run.RESULTS.mkdir(parents=True, exist_ok=True)
    if args.against_sqlite:
        compare_databases(args)
        return
    database_url = run.build(args.database, args.size)
    with tempfile.TemporaryDirectory(prefix="servtrade-base-") as base_tree:
        archive = subprocess.run(
            ["git", "archive", args.base], cwd=run.ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", base_tree], input=archive, check=True)
        trees = {"base": Path(base_tree), "this": run.ROOT}
        for tree in trees.values():
            collect_static(tree, database_url)
        results = {"base": [], "this": []}
        path = args.path[0]
        for round_number in range(1, args.rounds + 1):
            for name, tree in trees.items():
                if args.cpu:
                    ms = cpu_per_request(tree, database_url, path, args.cpu)
                    # As requests per CPU-second, so that the ratio reads like throughput.
                    results[name].append({"rps": 1000 / ms, "p50": ms, "p99": ms})
                    print(f"round {round_number} {name:4} {ms:7.2f} ms CPU per request")
                    continue
                result = measure(tree, database_url, args.port, path, args.duration)
                results[name].append(result)
                print(
                    f"round {round_number} {name:4} {result['rps']:8.1f} req/s"
                    f"  p50 {result['p50']:7.2f} ms  p99 {result['p99']:7.2f} ms",
                    flush=True,
                )
    unit = "requests per CPU-second" if args.cpu else "req/s"
    medians = {name: statistics.median(r["rps"] for r in got) for name, got in results.items()}
    print(
        f"{path} at {args.size:,} cases ({args.database}): base {args.base} "
        f"{medians['base']:.1f} {unit}, this tree {medians['this']:.1f} {unit}, "
        f"ratio {medians['this'] / medians['base']:.3f}"
    )


def cold_in_turns(urls, count, port):
    """bench/run.py's cold queries, each asked once of each database in turns: both served at
    once on fresh servers (caches cleared), one client, which database goes first alternating.
    Prints p50/p90/max of each and the ratio of the p50s (PostgreSQL / SQLite)."""
    searches, filters = run.cold_queries(run.vocabulary(urls["sqlite"]), count)
    clients, times = {}, {}
    with contextlib.ExitStack() as servers:
        for offset, (kind, url) in enumerate(urls.items()):
            run.clear_cache(url)
            run.PORT, run.BASE = port + offset, f"http://127.0.0.1:{port + offset}"
            servers.enter_context(run.Server(url))
            run.wait_for_bitmaps()
            clients[kind] = run.Client()
        for index, (group, params) in enumerate(searches + filters):
            names = [group] if group == "filters" else [group, "all searches"]
            for kind in list(urls)[:: 1 if index % 2 == 0 else -1]:
                path = "/en/cases/" + run.query(**params)
                seconds, status = clients[kind].get(path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status} on {kind}")
                for name in names:
                    times.setdefault((name, kind), []).append(seconds)
    print(f"\ncold, {count} distinct searches and {count} filter combinations, each once:")
    for name in [*run.SEARCH_KINDS, "all searches", "filters"]:
        got = {kind: run.percentiles(times[name, kind]) for kind in urls}
        print(
            f"  {name:17}"
            + "".join(
                f"  {kind} p50 {got[kind]['p50']:6.1f} p90 {got[kind]['p90']:6.1f}"
                f" max {got[kind]['max']:6.1f} ms"
                for kind in urls
            )
            + f"  PostgreSQL / SQLite p50 {got['postgresql']['p50'] / got['sqlite']['p50']:.2f}"
        )


def compare_databases(args):
    """Each path on SQLite and on PostgreSQL in turns, ``args.rounds`` times; the ratio of the
    medians (PostgreSQL / SQLite) per path. With ``--cold``, the cold queries first."""
    urls = {kind: run.build(kind, args.size) for kind in ("sqlite", "postgresql")}
    collect_static(run.ROOT, urls["sqlite"])
    if args.cold:
        cold_in_turns(urls, args.cold, args.port)
    medians = {}
    for path in args.path:
        got = {kind: [] for kind in urls}
        for round_number in range(1, args.rounds + 1):
            for kind, url in urls.items():
                result = measure(run.ROOT, url, args.port, path, args.duration)
                got[kind].append(result["rps"])
                print(
                    f"{path} round {round_number} {kind:10} {result['rps']:8.1f} req/s"
                    f"  p50 {result['p50']:7.2f} ms  p99 {result['p99']:7.2f} ms",
                    flush=True,
                )
        medians[path] = {kind: statistics.median(values) for kind, values in got.items()}
    print(f"\n{args.size:,} cases, median of {args.rounds} rounds, req/s:")
    for path, median in medians.items():
        ratio = median["postgresql"] / median["sqlite"]
        print(
            f"  {path:60} SQLite {median['sqlite']:7.1f}  PostgreSQL {median['postgresql']:7.1f}"
            f"  PostgreSQL / SQLite {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
