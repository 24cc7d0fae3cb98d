#!/usr/bin/env python
"""The open-data figures of issue 14, measured in one run against one database:

- the API's filtered case list against the public filtered list (req/s, wrk);
- a conditional GET that matches (304) against the full page, where pages send an ETag;
- one download of the bulk CSV (a file on disk) against ``?_export=csv`` of every case.

    .venv/bin/python bench/open_data.py                      # 100,000 cases, SQLite
    .venv/bin/python bench/open_data.py --size 1000 --database postgresql --port 9402

Reuses bench/run.py's database builder, gunicorn server and wrk settings (see its docstring).
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as base  # noqa: E402 (bench/run.py, beside this file)


def wrk(path, duration, headers=()):
    """req/s and p50 (ms); 304 counts as an answer here (wrk reports it as non-2xx)."""
    args = ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", "--timeout", "60s"]
    for header in headers:
        args += ["-H", header]
    output = subprocess.run(
        args + [base.BASE + path], check=True, text=True, capture_output=True
    ).stdout
    if "Socket errors" in output:
        raise SystemExit(f"{path} gave socket errors under load:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"rps": rps, "p50": base.latency(output, "50%")}


def fetch(path, headers=None):
    """(status, headers, seconds) of one whole download."""
    request = urllib.request.Request(base.BASE + path, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            size = len(response.read())
            return response.status, dict(response.headers), time.perf_counter() - started, size
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), time.perf_counter() - started, 0
    except http.client.IncompleteRead as error:
        # The worker was stopped mid-download (gunicorn's timeout): the time it held on.
        print(f"  {path}: cut off after {len(error.partial) / 1e6:.1f} MB")
        return 0, {}, time.perf_counter() - started, len(error.partial)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=base.PORT)
    args = parser.parse_args()
    base.PORT, base.BASE = args.port, f"http://127.0.0.1:{args.port}"
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    bulk_dir = base.RESULTS / f"bulk-{args.database}-{args.size}"
    # Read by the server and by the commands through base.server_env(): no API throttling in a
    # load test, no row limit (to time the old full export), bulk files of this database.
    os.environ.update(
        SERVTRADE_API_ANON_RATE="100000000/minute",
        SERVTRADE_EXPORT_ROW_LIMIT="100000000",
        SERVTRADE_BULK_FILES_DIR=str(bulk_dir),
        SERVTRADE_SITE_URL=base.BASE,
    )
    url = base.build(args.database, args.size)
    started = time.perf_counter()
    # Skipped when the files are up to date with this database already (the command says so).
    base.manage(url, "build_bulk_files")
    build_seconds = time.perf_counter() - started
    filtered = base.query(**base.FILTER)
    results = {}
    with base.Server(url):
        for path in ["/en/cases/" + filtered, "/api/v1/cases/" + filtered, "/en/"]:
            base.check(path)
        results["page"] = wrk("/en/cases/" + filtered, args.duration)
        results["api"] = wrk("/api/v1/cases/" + filtered, args.duration)
        etag = fetch("/en/")[1].get("ETag")
        if etag:
            results["304_status"] = fetch("/en/", {"If-None-Match": etag})[0]
            results["full_home"] = wrk("/en/", args.duration)
            results["304_home"] = wrk("/en/", args.duration, [f"If-None-Match: {etag}"])
            # The same for the filtered list, whose full page costs more than home's.
            list_etag = fetch("/en/cases/" + filtered)[1]["ETag"]
            results["304_list"] = wrk(
                "/en/cases/" + filtered, args.duration, [f"If-None-Match: {list_etag}"]
            )
        bulk_status, bulk_headers, _s, _z = fetch("/data/files/servtrade-cases.csv")
        results["bulk_304_status"] = fetch(
            "/data/files/servtrade-cases.csv", {"If-None-Match": bulk_headers["ETag"]}
        )[0]
        results["bulk_csv"] = [fetch("/data/files/servtrade-cases.csv")[2:] for _ in range(3)]
        results["export_csv"] = [fetch("/en/cases/?_export=csv")[2:] for _ in range(1)]

    page, api = results["page"], results["api"]
    print(f"\n{args.database}, {args.size:,} generated cases (+{base.REAL_CASES} catalogued)")
    print(f"build_bulk_files: {build_seconds:.1f} s (near 0: the files were up to date)")
    print(f"filtered list {filtered}:")
    print(f"  public page  {page['rps']:8.1f} req/s  p50 {page['p50']} ms")
    print(f"  API          {api['rps']:8.1f} req/s  p50 {api['p50']} ms")
    print(f"  API ÷ page   {api['rps'] / page['rps']:8.2f}")
    if "304_home" in results:
        full, cond = results["full_home"], results["304_home"]
        print(f"home: full {full['rps']:.1f} req/s, conditional ({results['304_status']}) "
              f"{cond['rps']:.1f} req/s, ratio {cond['rps'] / full['rps']:.1f}")  # fmt: skip
        cond = results["304_list"]
        print(f"filtered list: full {page['rps']:.1f} req/s, conditional {cond['rps']:.1f} req/s,"
              f" ratio {cond['rps'] / page['rps']:.1f}")  # fmt: skip
    else:
        print("home: no ETag on pages in this build (the caching middleware is not here)")
    bulk_best = min(seconds for seconds, _size in results["bulk_csv"])
    export_seconds, export_size = results["export_csv"][0]
    bulk_size = results["bulk_csv"][0][1]
    print(f"bulk CSV ({bulk_size / 1e6:.1f} MB, status {bulk_status}, conditional "
          f"{results['bulk_304_status']}): best of 3 {bulk_best:.3f} s")  # fmt: skip
    print(f"?_export=csv of every case ({export_size / 1e6:.1f} MB): {export_seconds:.1f} s")
    print(f"export ÷ bulk: {export_seconds / bulk_best:.0f}×")


if __name__ == "__main__":
    main()
