#!/usr/bin/env python
"""servtrade under load with faults: visitors, a publishing editor and an import at once.

It serves a database of the real fixtures plus --size generated cases (built once and kept,
keyed by size: bench/results/load-N.sqlite3, or the PostgreSQL database servtrade_i11_load_N)
with production settings through gunicorn (deploy/gunicorn.conf.py) on 127.0.0.1, with a
private Redis (--redis-port; never the shared one) as CACHE_URL. Then, for --duration seconds:

- wrk, --connections connections on 2 threads, over a mix of public pages: home, the case list
  with several filter combinations, searches in Chinese and English drawn from the catalogue,
  case, region and batch pages, CSV downloads of filtered lists of a few rows; its Lua script
  counts answers by status class (5xx apart) in each thread;
- an editor (a staff account with the Publisher role, signed in to /admin/ over HTTP) who
  publishes a batch of draft cases with the batch admin's action, then takes them back to draft
  with the case list's action (select all of the batch), again and again;
- an import through the admin (a CSV of --import-rows new cases: upload, preview, confirm), again
  and again, each file with new slugs;
- with --stop-redis-at S, Redis stopped (SIGTERM) S seconds in: pages must still be served.

It prints a summary and writes bench/results/load-<database>-<size>-<time>.json (the logs of
gunicorn, Redis and wrk go to the folder of the same name). It exits 1 on any 5xx or connection
error, on an editor's or import's failure.

    .venv/bin/python bench/load.py --database sqlite --size 100000
    .venv/bin/python bench/load.py --database postgresql --size 100000 --stop-redis-at 30
    .venv/bin/python bench/load.py --size 1000 --duration 10          # a quick try

wrk: `apt-get install wrk`. See docs/benchmarks.md ("Load with faults").
"""

import argparse
import concurrent.futures
import csv
import datetime
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402 -- the repository is on the path from here on
    GUNICORN,
    RESULTS,
    Site,
    csrf_token,
    lua_list,
    manage,
    shell,
    sign_in,
    start,
    wait_for,
    wrk_figures,
)

REAL_CASES = 34  # the catalogued cases in fixtures/cases.json
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "servtrade_i11_load")
# What this script adds to a database, and removes again before the next run.
PREFIX = "load-"
PUBLISHER = "load-publisher"
IMPORTER = "load-importer"
PASSWORD = "load-run-passphrase-" + secrets.token_hex(6)
CSV_COLUMNS = [
    "slug",
    "batch",
    "theme",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "lead_regions",
    "sectors",
    "published_on",
    "source_url",
]


# -- the database --------------------------------------------------------------------------


def database_url(kind, size):
    if kind == "sqlite":
        return f"sqlite:///{RESULTS / f'load-{size}.sqlite3'}"
    return f"{PG_SERVER}/{PG_PREFIX}_{size}"


def server_env(args):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))},
        "DATABASE_URL": database_url(args.database, args.size),
        "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "DJANGO_SETTINGS_MODULE": "servtrade.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{args.port}",
        "DJANGO_HTTPS": "0",
        "DJANGO_STATIC_ROOT": str(RESULTS / "load-static"),  # collected once for every run
        "BIND": f"127.0.0.1:{args.port}",
        **({"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}),
    }


def build(args, env):
    """The fixtures plus --size generated cases, reused when it holds them (and only them)."""
    if args.database == "postgresql":
        subprocess.run(
            ["psql", PG_SERVER + "/postgres", "-qc", f"CREATE DATABASE {PG_PREFIX}_{args.size}"],
            capture_output=True,
        )
    manage(env, "migrate", "--noinput", "-v0")
    count = int(
        shell(
            env,
            "from cases.models import Case\n"
            f"print(Case.objects.exclude(slug__startswith={PREFIX!r}).count())",
        ).splitlines()[-1]
    )
    if count != args.size + REAL_CASES:
        print(f"== building the database: fixtures + {args.size:,} generated cases")
        started = time.monotonic()
        if count:
            shell(env, "from cases.models import Case\nCase.objects.all().delete()")
        manage(env, "load_demo", "-v0")
        manage(env, "generate_cases", "--count", str(args.size), "--seed", "1")
        print(f"   built in {time.monotonic() - started:.0f} s")
    manage(env, "collectstatic", "--noinput", "-v0")


PREPARE = """
import json, random
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from cases.models import Case, CaseBatch, Theme, ServiceSector
from regions.models import Region

PREFIX, SIZE, BATCH_CASES = {prefix!r}, {size}, {batch_cases}
rng = random.Random(1)
User = get_user_model()
User.objects.filter(username__startswith=PREFIX).delete()
with transaction.atomic():
    Case.objects.filter(slug__startswith=PREFIX).delete()
    CaseBatch.objects.filter(title_en__startswith="Load run").delete()
    template = Case.objects.published().filter(slug__startswith="generated-").first()
    batch = CaseBatch.objects.create(
        program=template.batch.program, number=99, title_zh="负载测试批次",
        title_en="Load run batch")
    cases = Case.objects.bulk_create(
        Case(slug=f"{{PREFIX}}batch-{{n:04d}}", batch=batch, theme=template.theme,
             title_zh=f"负载测试案例{{n}}", title_en=f"Load run case {{n}}",
             status=Case.Status.DRAFT)
        for n in range(BATCH_CASES))
    Case.lead_regions.through.objects.bulk_create(
        Case.lead_regions.through(case_id=case.pk, region_id=region.pk)
        for case in cases for region in template.lead_regions.all()[:1])
if connection.vendor == "postgresql":
    connection.cursor().execute("VACUUM ANALYZE")
else:
    connection.cursor().execute("ANALYZE")
real = list(Case.objects.published().exclude(slug__startswith="generated-")
            .exclude(slug__startswith=PREFIX).order_by("pk"))
generated = [f"generated-1-{{n:06d}}" for n in rng.sample(range(SIZE), min(SIZE, 30))]
regions = Region.objects.filter(led_cases__status="published").distinct().order_by("pk")
batches = list(CaseBatch.objects.select_related("program").exclude(pk=batch.pk))
words_en = sorted({{w for case in real for w in case.title_en.replace(":", " ").split()
                    if len(w) >= 6 and w.isalpha()}})
# Downloads of a few rows (1 to 20): a word of a real case's title, narrowed to its lead region.
exports = []
for case in real:
    region = case.lead_regions.first()
    words = sorted({{w for w in case.title_en.split() if len(w) >= 6 and w.isalpha()}}, key=len)
    for word in reversed(words if region else []):
        if len(exports) < 3 and 1 <= Case.objects.published().search(word).filter(
                lead_regions=region).count() <= 20:
            exports.append([word, region.slug])
            break
themed = next(case for case in real if case.theme_id)
print(json.dumps({{
    "batch": batch.pk, "batch_case": cases[0].pk,
    "cases": [case.slug for case in real[:10]] + generated,
    "regions": [region.slug for region in regions[:12]],
    "region_codes": [region.code for region in regions if region.code][:20],
    "batches": [b.get_absolute_url().split("/", 2)[2] for b in batches],
    "batch_keys": [f"{{b.program.slug}}/{{b.number}}" for b in batches],
    "themes": list(Theme.objects.values_list("slug", flat=True)),
    "theme_names": list(Theme.objects.values_list("name_zh", flat=True)),
    "sectors": list(ServiceSector.objects.values_list("code", flat=True)),
    "years": sorted({{d.year for d in Case.objects.published().dates("published_on", "year")}}),
    "titles_zh": [case.title_zh for case in real],
    "words_en": rng.sample(words_en, min(6, len(words_en))),
    "exports": exports,
    "export_zh": [themed.title_zh[:4], themed.theme.slug],
}}, ensure_ascii=False))
"""


def prepare(args, env):
    """Clean up an earlier run; make the editor's batch of drafts and the staff accounts; read
    what the load mix names (cases, regions, batches, filters, search words)."""
    code = PREPARE.format(prefix=PREFIX, size=args.size, batch_cases=args.batch_cases)
    sample = json.loads(shell(env, code).splitlines()[-1])
    manage(env, "create_staff_user", PUBLISHER, "--role", "publisher", "--password", PASSWORD)
    manage(env, "create_staff_user", IMPORTER, "--role", "editor", "--password", PASSWORD)
    return sample


# -- the visitors' mix -----------------------------------------------------------------------


def quote(path):
    return urllib.parse.quote(path, safe="/?=&-_%")


def chinese_searches(titles, rng):
    """Two- and four-character words cut from real case titles."""
    words = []
    for title in rng.sample(titles, 3):
        han = "".join(ch for ch in title if "\u4e00" <= ch <= "\u9fff")
        if len(han) >= 4:
            at = rng.randrange(len(han) - 3)
            words += [han[at : at + 2], han[at : at + 4]]
    return words


def list_paths(sample, rng):
    theme, sector, region = sample["themes"], sample["sectors"], sample["regions"]
    filters = [
        {"theme": rng.choice(theme)},
        {"sector": rng.choice(sector)},
        {"region": rng.choice(region)},
        {"theme": rng.choice(theme), "sector": rng.choice(sector)},
        {"region": rng.choice(region), "year": rng.choice(sample["years"])},
        {"theme": rng.choice(theme), "sector": rng.choice(sector), "region": rng.choice(region)},
        {"sort": "-released_on", "page": 2},
        {"sector": rng.choice(sector), "sort": "title", "page": 3},
    ]
    paths = ["/en/cases/", "/zh-hans/cases/"]
    for n, params in enumerate(filters):
        paths.append(f"/{('en', 'zh-hans')[n % 2]}/cases/?{urllib.parse.urlencode(params)}")
    return paths


def search_paths(sample, rng):
    paths = []
    for word in chinese_searches(sample["titles_zh"], rng):
        paths.append("/zh-hans/cases/?" + urllib.parse.urlencode({"q": word}))
    for word in sample["words_en"]:
        paths.append("/en/cases/?" + urllib.parse.urlencode({"q": word}))
    return paths


def download_paths(sample):
    """CSV downloads of filtered lists of a few rows: a word of a real case's title narrowed
    to its lead region, and the start of a Chinese title narrowed to a theme."""
    paths = []
    for word, region in sample["exports"]:
        params = {"q": word, "region": region, "_export": "csv"}
        paths.append("/en/cases/?" + urllib.parse.urlencode(params))
    words, theme = sample["export_zh"]
    params = {"q": words, "theme": theme}
    paths.append("/zh-hans/cases/?" + urllib.parse.urlencode({**params, "_export": "csv"}))
    return paths


def public_paths(sample):
    """The load mix: each address once, some more than once (their share of the requests)."""
    rng = random.Random(1)
    page = {
        "home": ["/en/", "/zh-hans/"],
        "list": list_paths(sample, rng),
        "search": search_paths(sample, rng),
        "case": [f"/{('en', 'zh-hans')[n % 2]}/cases/{s}/" for n, s in enumerate(sample["cases"])],
        "region": [
            f"/{('en', 'zh-hans')[n % 2]}/regions/{s}/" for n, s in enumerate(sample["regions"])
        ],
        "batch": [f"/en/{path}" for path in sample["batches"]],
        "download": download_paths(sample),
    }
    mix = page["home"] * 3 + page["list"] * 2 + page["search"] * 2 + page["download"]
    mix += page["case"] + page["region"] + page["batch"]
    rng.shuffle(mix)
    return [quote(path) for path in mix]


WRK_SCRIPT = """
-- servtrade's load mix: an address drawn at random for each request (each thread with its own
-- seed; the mix repeats the addresses to be asked more often), answers counted by status class
-- in each thread, reported by done().
local paths = @PATHS@
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919)
  s2, s3, s4, s5, other = 0, 0, 0, 0, 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  elseif status >= 200 then s2 = s2 + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("thread %d: 2xx %d 3xx %d 4xx %d 5xx %d other %d\\n",
      t:get("id"), t:get("s2"), t:get("s3"), t:get("s4"), t:get("s5"), t:get("other")))
  end
  local e = summary.errors
  io.write(string.format("errors: connect %d read %d write %d timeout %d status %d\\n",
    e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("latency ms: p50 %.1f p90 %.1f p99 %.1f max %.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def run_wrk(args, paths, log_dir):
    script = log_dir / "mix.lua"
    script.write_text(WRK_SCRIPT.replace("@PATHS@", lua_list(paths)))
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{args.port}"]
    output = subprocess.run(command, text=True, capture_output=True, check=True).stdout
    (log_dir / "wrk.out").write_text(output)
    return output


def wrk_report(output):
    figures = wrk_figures(output)
    statuses = {"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "other": 0}
    for line in re.findall(r"thread \d+: (.*)", output):
        for name, count in re.findall(r"(\w+) (\d+)", line):
            statuses[name] += int(count)
    counted = re.search(r"errors: (.*)", output).group(1)
    errors = {name: int(count) for name, count in re.findall(r"(\w+) (\d+)", counted)}
    p90, maximum = re.search(r"latency ms: .* p90 ([\d.]+) .* max ([\d.]+)", output).groups()
    return {
        **figures,
        "p90_ms": float(p90),
        "max_ms": float(maximum),
        "statuses": statuses,
        "socket_errors": errors,
        "connection_errors": errors["connect"]
        + errors["read"]
        + errors["write"]
        + errors["timeout"],
    }


# -- the editor and the import (each in a process of its own) ---------------------------------


def admin_action(site, changelist, action, selected, select_across=False):
    """Run an admin action from a changelist over HTTP; (seconds, the messages it left)."""
    started = time.monotonic()
    _, _, page = site.get(changelist, timeout=120)
    data = {
        "csrfmiddlewaretoken": csrf_token(page),
        "action": action,
        "_selected_action": selected,
        "select_across": "1" if select_across else "0",
        "index": "0",
    }
    status, headers, answer = site.get(
        changelist, data=urllib.parse.urlencode(data).encode(), timeout=120
    )
    if status != 302:
        said = messages(answer) or [("error", answer[:300])]
        return time.monotonic() - started, [("error", f"HTTP {status}"), *said]
    _, _, after = site.get(headers["Location"], timeout=120)
    return time.monotonic() - started, messages(after)


def messages(page):
    """The admin's messages on a page: [(level, text)]."""
    listed = re.search(r'<ul class="messagelist">(.*?)</ul>', page, re.S)
    return (
        [
            (kind, re.sub(r"<[^>]+>", "", text).strip())
            for kind, text in re.findall(r'<li class="(\w+)">(.*?)</li>', listed.group(1), re.S)
        ]
        if listed
        else []
    )


def editor(base, sample, deadline, started):
    """Publish the batch of drafts, take it back to draft, and again, until the deadline."""
    site = sign_in(base, PUBLISHER, PASSWORD, {"Accept-Language": "en"})
    batch = sample["batch"]
    steps = [
        ("publish batch", "/admin/cases/casebatch/", "publish_batch", batch, False),
        (
            "unpublish its cases",
            f"/admin/cases/case/?batch__id__exact={batch}",
            "unpublish",
            sample["batch_case"],
            True,
        ),
    ]
    done = []
    while time.monotonic() < deadline:
        name, changelist, action, selected, across = steps[len(done) % 2]
        at = time.monotonic() - started
        try:
            seconds, said = admin_action(site, changelist, action, selected, across)
        except Exception as error:  # an error page, a timeout: reported, not fatal to the run
            seconds, said = time.monotonic() - started - at, [("error", repr(error))]
        ok = bool(said) and all(kind == "success" for kind, _ in said)
        done.append(
            {
                "action": name,
                "at_s": round(at, 1),
                "seconds": round(seconds, 2),
                "ok": ok,
                "messages": [text for _, text in said],
            }
        )
    return done


def spreadsheet(sample, rows, round_):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    codes, sectors = sample["region_codes"], sample["sectors"]
    for n in range(rows):
        writer.writerow(
            [
                f"{PREFIX}import-{round_}-{n:04d}",
                sample["batch_keys"][n % len(sample["batch_keys"])],
                sample["theme_names"][n % len(sample["theme_names"])],
                f"负载导入案例{round_}-{n}",
                f"Load import case {round_}-{n}",
                "摘要" * 20,
                "A summary. " * 10,
                ";".join(codes[n % len(codes) : n % len(codes) + 2]) or codes[0],
                sectors[n % len(sectors)],
                "2023-11-01",
                "https://example.org/case",
            ]
        )
    return out.getvalue().encode("utf-8")


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content) in files.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def hidden_fields(form):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def import_once(site, content):
    """Upload, preview and confirm one file through the admin; a record of how it went."""
    started = time.monotonic()
    _, _, page = site.get("/admin/cases/case/import/", timeout=120)
    csv_format = re.search(r'<option value="(\d+)"[^>]*>csv</option>', page, re.I).group(1)
    fields = {"csrfmiddlewaretoken": csrf_token(page), "format": csv_format}
    body, headers = multipart(fields, {"import_file": ("cases.csv", content)})
    status, _, preview = site.get(
        "/admin/cases/case/import/", data=body, headers=headers, timeout=300
    )
    previewed = time.monotonic()
    form = re.search(r'<form[^>]*action="([^"]*process_import[^"]*)"(.*?)</form>', preview, re.S)
    if status != 200 or not form:
        return {
            "ok": False,
            "preview_s": round(previewed - started, 2),
            "problem": f"preview HTTP {status}",
        }
    data = urllib.parse.urlencode(hidden_fields(form.group(2))).encode()
    status, headers, _ = site.get(form.group(1), data=data, timeout=300)
    confirmed = time.monotonic()
    said = messages(site.get(headers["Location"], timeout=120)[2]) if status == 302 else []
    return {
        "ok": status == 302 and any(kind == "success" for kind, _ in said),
        "preview_s": round(previewed - started, 2),
        "confirm_s": round(confirmed - previewed, 2),
        "messages": [text for _, text in said][:3] or [f"HTTP {status}"],
    }


def importer(base, sample, rows, deadline, started):
    """Import files of new cases, one after another, until the deadline."""
    site = sign_in(base, IMPORTER, PASSWORD, {"Accept-Language": "en"})
    done = []
    while time.monotonic() < deadline:
        at = time.monotonic() - started
        try:
            record = import_once(site, spreadsheet(sample, rows, len(done)))
        except Exception as error:  # an error page, a timeout: reported, not fatal to the run
            record = {"ok": False, "preview_s": 0, "messages": [repr(error)]}
        done.append({"rows": rows, "at_s": round(at, 1), **record})
    return done


# -- the run -------------------------------------------------------------------------------


class Services:
    """The private Redis and gunicorn, stopped (by their own ids) when the run ends."""

    def __init__(self, args, env, log_dir):
        self.args, self.env, self.log_dir = args, env, log_dir
        self.processes, self.logs = {}, []

    def start(self, name, command, env=None):
        log = (self.log_dir / f"{name}.log").open("w")
        self.logs.append(log)
        self.processes[name] = start(command, env or os.environ, log)

    def __enter__(self):
        self.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.args.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        command = [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "servtrade.wsgi"]
        self.start("gunicorn", command, self.env)
        wait_for(Site(f"http://127.0.0.1:{self.args.port}"), "/en/", seconds=120)
        return self

    def stop_redis(self):
        redis = self.processes["redis"]
        if redis.poll() is None:
            redis.send_signal(signal.SIGTERM)
            redis.wait(timeout=30)

    def __exit__(self, *exc):
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()


def check_paths(base, paths):
    """Every address of the mix answers 200 before the load (and every worker has warmed)."""
    site, problems, download_rows = Site(base), [], {}
    for path in dict.fromkeys(paths):
        status, _, body = site.get(path, timeout=120)
        if status != 200:
            problems.append(f"{path}: HTTP {status}")
        if "_export=csv" in path:
            download_rows[path] = max(0, body.count("\n") - 1)
    if problems:
        raise SystemExit(
            "the load mix has addresses that do not answer 200:\n" + "\n".join(problems)
        )
    return download_rows


def under_load(args, services, sample, paths):
    """wrk, the editor and the import at once (Redis stopped on time); their reports."""
    base = f"http://127.0.0.1:{args.port}"
    started = time.monotonic()
    deadline = started + args.duration
    timer = None
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        edits = pool.submit(editor, base, sample, deadline if args.editor else started, started)
        rows, until = args.import_rows, deadline if args.imports else started
        imports = pool.submit(importer, base, sample, rows, until, started)
        if args.stop_redis_at is not None:  # a thread only once the processes are forked
            timer = threading.Timer(
                args.stop_redis_at - (time.monotonic() - started), services.stop_redis
            )
            timer.start()
        output = run_wrk(args, paths, services.log_dir)
        report = {"wrk": wrk_report(output), "editor": edits.result(), "import": imports.result()}
    if timer:
        timer.join()
        report["redis_stopped_at_s"] = args.stop_redis_at
    report["after"] = {"readyz": Site(base).get("/readyz")[2]}
    return report


ACCESS = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d{3}) \S+ ".*?" ".*?" (\d+)ms')


def kind_of(method, path):
    if method == "POST" or path.startswith("/admin/"):
        return "admin (editor, import)"
    for kind, pattern in [
        ("download", r"_export="),
        ("search", r"[?&]q="),
        ("case list, filtered", r"/cases/\?"),
        ("case list", r"/cases/$"),
        ("case page", r"/cases/."),
        ("region page", r"/regions/"),
        ("home", r"^/[\w-]+/$"),
    ]:
        if re.search(pattern, path):
            return kind
    return "batch page" if "/batches/" in path or re.search(r"/\d+/$", path) else "other"


def access_log_figures(log_path, offset):
    """From gunicorn's access log, from ``offset`` on (the load itself, not the warm-up): per
    kind of page, requests, p50/p99/max ms and 5xx."""
    times, errors, slowest = {}, {}, []
    with log_path.open("rb") as log:
        log.seek(offset)
        text = log.read().decode(errors="replace")
    for method, path, status, ms in ACCESS.findall(text):
        kind = kind_of(method, path)
        times.setdefault(kind, []).append(int(ms))
        if status.startswith("5"):
            errors.setdefault(kind, []).append(f"{status} {method} {path}")
        slowest.append((int(ms), f"{status} {method} {urllib.parse.unquote(path)}"))
    figures = {}
    for kind, values in sorted(times.items()):
        values.sort()
        figures[kind] = {
            "requests": len(values),
            "p50_ms": values[len(values) // 2],
            "p99_ms": values[min(len(values) - 1, int(len(values) * 0.99))],
            "max_ms": values[-1],
            "5xx": len(errors.get(kind, [])),
        }
    return figures, sorted(slowest, reverse=True)[:10], errors


def cache_warnings(log_path):
    return [
        line for line in log_path.read_text(errors="replace").splitlines() if "Cache redis" in line
    ]


def summary(report):
    w = report["wrk"]
    lines = [
        f"wrk: {w['requests']} requests, {w['rps']:.1f} req/s, p50 {w['p50_ms']:.0f} ms, "
        f"p90 {w['p90_ms']:.0f} ms, p99 {w['p99_ms']:.0f} ms, max {w['max_ms']:.0f} ms",
        f"     statuses {w['statuses']}, socket errors {w['socket_errors']}",
    ]
    for action in report["editor"]:
        outcome = "ok" if action["ok"] else "FAILED"
        said = "; ".join(action["messages"])[:80]
        lines.append(
            f"editor at {action['at_s']:5.1f} s: {action['action']:<20} "
            f"{action['seconds']:6.2f} s  {outcome} {said}"
        )
    for done in report["import"]:
        outcome = "ok" if done["ok"] else "FAILED"
        said = "; ".join(done.get("messages", []))[:60]
        lines.append(
            f"import at {done['at_s']:5.1f} s: {done['rows']} rows, preview "
            f"{done['preview_s']:.1f} s, confirm {done.get('confirm_s', 0):.1f} s  {outcome} {said}"
        )
    for kind, f in report["pages"].items():
        lines.append(
            f"  {kind:<24} {f['requests']:6d} requests  p50 {f['p50_ms']:6d} ms  "
            f"p99 {f['p99_ms']:6d} ms  max {f['max_ms']:6d} ms  5xx {f['5xx']}"
        )
    lines.append(
        f"load average at start {report['load_at_start']}, after the warm-up "
        f"{report['load_before']}, at the end {report['load_after']}"
    )
    return "\n".join(lines)


def problems_of(report):
    w, problems = report["wrk"], []
    if w["statuses"]["5xx"] or w["statuses"]["other"]:
        problems.append(f"server errors: {w['statuses']}")
    if w["connection_errors"]:
        problems.append(f"connection errors: {w['socket_errors']}")
    if w["p99_ms"] >= 2000:
        problems.append(f"p99 {w['p99_ms']:.0f} ms (target under 2,000 ms)")
    editor_ran = report["editor"] or not report["settings"]["editor"]
    if not editor_ran or not all(action["ok"] for action in report["editor"]):
        problems.append("an editor's action failed (or none ran)")
    import_ran = report["import"] or not report["settings"]["imports"]
    if not import_ran or not all(done["ok"] for done in report["import"]):
        problems.append("an import failed (or none ran)")
    return problems


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--size", type=int, default=100_000, help="generated cases")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--stop-redis-at", type=float, help="seconds into the load")
    parser.add_argument("--port", type=int, default=9100, help="gunicorn's port")
    parser.add_argument("--redis-port", type=int, default=9111, help="the private Redis's")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config's)")
    parser.add_argument("--import-rows", type=int, default=500, help="rows per imported file")
    parser.add_argument("--batch-cases", type=int, default=200, help="cases the editor publishes")
    parser.add_argument("--no-editor", dest="editor", action="store_false", help="visitors only…")
    parser.add_argument("--no-import", dest="imports", action="store_false", help="…or no import")
    return parser.parse_args()


def main():
    args = parse_args()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed: apt-get install wrk redis-server")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    name = (
        f"load-{args.database}-{args.size}{'-redis-stopped' if args.stop_redis_at else ''}-{stamp}"
    )
    log_dir = RESULTS / name
    log_dir.mkdir(parents=True)
    env = server_env(args)
    build(args, env)
    sample = prepare(args, env)
    paths = public_paths(sample)
    report = {"command": " ".join(sys.argv), "settings": vars(args), "addresses": len(set(paths))}
    report["load_at_start"] = load_at_start  # before building and warming up
    with Services(args, env, log_dir) as services:
        started = time.monotonic()
        report["download_rows"] = check_paths(f"http://127.0.0.1:{args.port}", paths)
        report["warm_up_s"] = round(time.monotonic() - started, 1)
        offset = (log_dir / "gunicorn.log").stat().st_size
        report["load_before"] = [round(x, 2) for x in os.getloadavg()]
        report.update(under_load(args, services, sample, paths))
        report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    report["pages"], report["slowest"], report["errors"] = access_log_figures(
        log_dir / "gunicorn.log", offset
    )
    report["cache_warnings"] = cache_warnings(log_dir / "gunicorn.log")
    report["problems"] = problems_of(report)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(summary(report))
    print(f"wrote bench/results/{name}.json; logs in bench/results/{name}/")
    if report["problems"]:
        print("PROBLEMS:\n  " + "\n  ".join(report["problems"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
