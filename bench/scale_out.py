#!/usr/bin/env python
"""servtrade scaled out, for real: nginx caching in front of two gunicorn hosts, one PostgreSQL,
one Redis; then checks and a load run through it.

It starts Debian's nginx (/usr/sbin/nginx, its own process, prefix and configuration: the
repository's deploy/nginx.conf, filled in, in a temporary folder) on --port, and two gunicorn
instances (deploy/gunicorn.conf.py, production settings behind a proxy) on --port+1 and
--port+2, both using the PostgreSQL database --database-url (dropped and built again: the real
fixtures plus --generate generated cases) and the Redis --cache-url (cleared). Then it shows:

1. anonymous pages are served from nginx's cache (X-Cache-Status MISS, then HIT), static files too;
2. a signed-in editor's pages, the admin and a draft preview are never served from nor stored in
   the cache (BYPASS, Cache-Control private), and the public still gets a 404 for the draft;
3. a case published while anonymous load runs is visible to the public within the cache's
   lifetime (--lifetime seconds, DJANGO_HTTP_CACHE_SECONDS);
4. load (wrk): anonymous pages through nginx, the same pages straight from one gunicorn host
   (no cache), and a signed-in editor through nginx; req/s, p50/p99 and nginx's HIT/MISS counts.

    .venv/bin/python bench/scale_out.py \\
        --port 9010 --database-url postgres://postgres@127.0.0.1:5432/servtrade_scale \\
        --cache-url redis://127.0.0.1:6379/10

Needs nginx, wrk, PostgreSQL and Redis; as root (nginx's workers run as nobody). Prints a
summary and writes it to bench/results/scale-out-<time>.json. See docs/deploy.md and
docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402 -- the repository is on the path from here on
    GUNICORN,
    RESULTS,
    ROOT,
    Site,
    lua_list,
    manage,
    shell,
    sign_in,
    start,
    wait_for,
    wrk_figures,
)

NGINX = "/usr/sbin/nginx"
EDITOR, PASSWORD = "scale-editor", "scale-out-passphrase-" + secrets.token_hex(4)
DRAFT_SLUG, DRAFT_TITLE = "scale-out-preview", "Scale-out publication probe"


def env_for(args, tmp):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{args.port}",
        # nginx here speaks plain http on 127.0.0.1; in production it terminates TLS and sends
        # X-Forwarded-Proto: https, which DJANGO_BEHIND_PROXY=1 tells Django to believe.
        "DJANGO_HTTPS": "0",
        "DJANGO_BEHIND_PROXY": "1",
        "DJANGO_HTTP_CACHE_SECONDS": str(args.lifetime),
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "WEB_CONCURRENCY": str(args.workers),
    }


def build(args, env):
    """A fresh database: migrations, the real fixtures, generated cases, an editor, a draft."""
    url = urllib.parse.urlsplit(args.database_url)
    name = url.path.lstrip("/")
    server = args.database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    if args.generate:
        manage(env, "generate_cases", "--count", str(args.generate), "--seed", "1")
    manage(env, "collectstatic", "--noinput")
    return json.loads(
        shell(
            env,
            f"""
import json
from django.contrib.auth.models import User
from django.core.cache import cache
from cases.models import Case
cache.clear()
User.objects.create_superuser({EDITOR!r}, password={PASSWORD!r})
# A complete case (title in both languages, a lead region, a theme) can be published.
template = Case.objects.published().filter(
    lead_regions__isnull=False, theme__isnull=False, batch__isnull=False).first()
draft = Case.objects.create(
    slug={DRAFT_SLUG!r}, title_en={DRAFT_TITLE!r}, title_zh="扩展部署发布测试",
    batch=template.batch, theme=template.theme, status=Case.Status.DRAFT)
draft.lead_regions.set(template.lead_regions.all())
slugs = list(Case.objects.published().order_by("?").values_list("slug", flat=True)[:20])
regions = list(template.lead_regions.values_list("slug", flat=True))
print(json.dumps({{"cases": slugs, "regions": regions,
                   "batch": template.batch.get_absolute_url().split("/", 2)[2]}}))
""",
        ).splitlines()[-1]
    )


def public_paths(sample):
    paths = ["/zh-hans/", "/en/", "/en/cases/", "/zh-hans/cases/", "/en/regions/", "/en/programs/"]
    paths += [f"/en/cases/?{query}" for query in ("q=data", "q=数据", "sector=SI", "page=2")]
    paths += ["/zh-hans/cases/?sort=-published_on", f"/en/{sample['batch']}"]
    paths += [f"/en/regions/{slug}/" for slug in sample["regions"]]
    paths += [f"/{lang}/cases/{slug}/" for slug in sample["cases"] for lang in ("en", "zh-hans")]
    return [urllib.parse.quote(path, safe="/?=&-") for path in paths]


def nginx_config(args, prefix):
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for key, value in {
        "PREFIX": str(prefix),
        "PORT": args.port,
        "UPSTREAM_A": args.port + 1,
        "UPSTREAM_B": args.port + 2,
    }.items():
        text = text.replace(f"@{key}@", str(value))
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


def cache_statuses(site, path, times=3):
    return [site.get(path)[1].get("X-Cache-Status", "-") for _ in range(times)]


def checks(args, sample):
    """What is cached and what never is; returns the observations, fails on a wrong one."""
    anonymous = Site(f"http://127.0.0.1:{args.port}")
    found, problems = {}, []

    found["anonymous /en/cases/"] = cache_statuses(anonymous, "/en/cases/")
    found["anonymous case page"] = cache_statuses(anonymous, f"/en/cases/{sample['cases'][0]}/")
    _, _, home = anonymous.get("/en/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', home).group(1)
    found["static stylesheet"] = cache_statuses(anonymous, stylesheet)
    for name in ("anonymous /en/cases/", "anonymous case page", "static stylesheet"):
        if found[name][-1] != "HIT":
            problems.append(f"{name} is not served from the cache: {found[name]}")

    editor = sign_in(anonymous.base, EDITOR, PASSWORD)
    for name, path in (
        ("editor /en/cases/", "/en/cases/"),
        ("editor admin", "/admin/cases/case/"),
        ("editor draft preview", f"/en/cases/{DRAFT_SLUG}/"),
    ):
        statuses, controls = [], set()
        for _ in range(3):
            status, headers, body = editor.get(path)
            statuses.append(f"{status} {headers.get('X-Cache-Status', '-')}")
            controls.add(headers.get("Cache-Control", ""))
        found[name] = statuses
        found[name + " Cache-Control"] = sorted(controls)
        if any(not s.startswith("200") or s.endswith("HIT") for s in statuses):
            problems.append(f"{name}: {statuses}")
        if any("private" not in c and "no-cache" not in c for c in controls):
            problems.append(f"{name} is not private: {controls}")
        if name == "editor draft preview" and DRAFT_TITLE not in body:
            problems.append("the editor does not see the draft preview")

    public_draft = [anonymous.get(f"/en/cases/{DRAFT_SLUG}/") for _ in range(2)]
    found["anonymous draft address"] = [
        f"{s} {h.get('X-Cache-Status', '-')}" for s, h, _ in public_draft
    ]
    if any(status != 404 or DRAFT_TITLE in body for status, _, body in public_draft):
        problems.append(f"the public sees the draft: {found['anonymous draft address']}")
    return found, problems


def wrk(base, paths, duration, connections, cookie=None):
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        f"local paths = {lua_list(paths)}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [base], text=True, capture_output=True, check=True).stdout
    script.unlink()
    return wrk_figures(output)


def cache_counts(access_log, offset):
    """nginx's cache statuses for the log lines written since `offset`; the new offset."""
    with open(access_log, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        text = log.read()
        end = log.tell()
    counts = {}
    for status in re.findall(r" cache=(\S+) ", text):
        counts[status] = counts.get(status, 0) + 1
    return counts, end


def publish_under_load(args, env, anonymous):
    """Publish the draft while anonymous load runs; seconds until the public list shows it."""
    probe = f"/en/cases/?q={urllib.parse.quote('publication probe')}"
    before = cache_statuses(anonymous, probe, 2)
    if DRAFT_TITLE in anonymous.get(probe)[2]:
        raise SystemExit("the draft is listed before it is published")
    published_at = float(
        shell(
            env,
            "import time\nfrom cases.models import Case\n"
            f"Case.objects.filter(slug={DRAFT_SLUG!r}).publish()\nprint(time.time())",
        ).splitlines()[-1]
    )
    seen = []
    while time.time() - published_at < args.lifetime + 30:
        status, headers, body = anonymous.get(probe)
        seen.append(headers.get("X-Cache-Status", "-"))
        if DRAFT_TITLE in body:
            return {
                "seconds_until_visible": round(time.time() - published_at, 1),
                "cache_lifetime_s": args.lifetime,
                "statuses_before_publish": before,
                "statuses_while_waiting": compress(seen),
            }
        time.sleep(0.5)
    raise SystemExit(f"the published case was not visible after {args.lifetime + 30} s")


def compress(statuses):
    """["HIT", "HIT", "MISS"] -> ["HIT x2", "MISS"]"""
    out = []
    for status in statuses:
        if out and out[-1][0] == status:
            out[-1][1] += 1
        else:
            out.append([status, 1])
    return [f"{s} x{n}" if n > 1 else s for s, n in out]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9010, help="nginx; gunicorn on +1 and +2")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/servtrade_scale"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--generate", type=int, default=1000, help="generated cases to add")
    parser.add_argument("--lifetime", type=int, default=15, help="shared-cache lifetime (s)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def nginx_prefix(tmp):
    """nginx's folder under tmp; its workers run as nobody and write the cache and temporary
    files here."""
    tmp.chmod(0o755)
    prefix = tmp / "nginx"
    for sub in (
        "",
        "cache",
        "client_body",
        "proxy_temp",
        "fastcgi_temp",
        "uwsgi_temp",
        "scgi_temp",
    ):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
        (prefix / sub).chmod(0o777)
    return prefix


def start_site(args, env, tmp, prefix, processes, logs):
    """Two gunicorn hosts and nginx in front of them; returns nginx's address."""
    for offset in (1, 2):
        log = (tmp / f"gunicorn-{offset}.log").open("w")
        logs.append(log)
        host_env = {**env, "BIND": f"127.0.0.1:{args.port + offset}"}
        command = [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "servtrade.wsgi"]
        processes.append(start(command, host_env, log))
    config = nginx_config(args, prefix)
    subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(config)], check=True, capture_output=True
    )
    log = (tmp / "nginx.out").open("w")
    logs.append(log)
    processes.append(
        start([NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"], env, log)
    )
    base = f"http://127.0.0.1:{args.port}"
    for port in (args.port + 1, args.port + 2, args.port):
        wait_for(Site(f"http://127.0.0.1:{port}"), "/en/")
    print(f"== nginx on {base}, gunicorn on :{args.port + 1} and :{args.port + 2}")
    return base


def load_while_publishing(args, env, base, paths, access_log, offset, problems):
    """Anonymous load through nginx while an editor publishes; returns (results, offset)."""
    publication = {}

    def publish():
        try:
            publication.update(publish_under_load(args, env, Site(base)))
        except BaseException as error:  # reported below, not lost in the thread
            publication["error"] = str(error)
            problems.append(f"publication: {error}")

    worker = threading.Thread(target=publish)
    worker.start()
    through_nginx = wrk(base, paths, args.duration, args.connections)
    worker.join()
    through_nginx["cache"], offset = cache_counts(access_log, offset)
    return {"anonymous via nginx": through_nginx, "publication under load": publication}, offset


def load_signed_in(args, base, paths, access_log, offset, problems):
    """A signed-in editor through nginx: nothing may come from or go into the cache."""
    jar = sign_in(base, EDITOR, PASSWORD).jar
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    _, offset = cache_counts(access_log, offset)
    editor = wrk(base, paths, max(5, args.duration // 2), args.connections, cookie=cookie)
    editor["cache"], offset = cache_counts(access_log, offset)
    # "-": a request the cache never considered (the sign-in's POST, whose log line nginx may
    # write after the count above); neither served from nor stored in it.
    if set(editor["cache"]) - {"BYPASS", "-"}:
        problems.append("a signed-in editor's request was served from or stored in the cache")
    return editor


def measure(args, env, base, sample, access_log):
    """The checks and the three load runs; returns (results, problems)."""
    found, problems = checks(args, sample)
    paths = public_paths(sample)
    results = {"checks": found, "pages_in_load_mix": len(paths)}
    _, offset = cache_counts(access_log, 0)
    published, offset = load_while_publishing(args, env, base, paths, access_log, offset, problems)
    results |= published
    results["anonymous, one gunicorn host, no cache"] = wrk(
        f"http://127.0.0.1:{args.port + 1}", paths, args.duration, args.connections
    )
    results["signed-in editor via nginx"] = load_signed_in(
        args, base, paths, access_log, offset, problems
    )
    direct = results["anonymous, one gunicorn host, no cache"]["rps"]
    results["ratio nginx / one host"] = round(results["anonymous via nginx"]["rps"] / direct, 1)
    results["problems"] = problems
    results["settings"] = {
        "lifetime_s": args.lifetime,
        "connections": args.connections,
        "duration_s": args.duration,
        "gunicorn_hosts": 2,
        "workers_per_host": args.workers,
        "generated_cases": args.generate,
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
    }
    return results, problems


def stop(processes, logs):
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in logs:
        log.close()


def main():
    args = parse_args()
    for tool in (NGINX, "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed: apt-get install nginx-light wrk")

    tmp = Path(tempfile.mkdtemp(prefix="servtrade-scale-"))
    prefix = nginx_prefix(tmp)
    env = env_for(args, tmp)
    processes, logs = [], []
    print(f"== building {args.database_url} (fixtures + {args.generate} generated cases)")
    sample = build(args, env)
    try:
        base = start_site(args, env, tmp, prefix, processes, logs)
        results, problems = measure(args, env, base, sample, prefix / "access.log")
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"scale-out-{stamp}.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False)
        )
        print(json.dumps(results, indent=2, ensure_ascii=False))
        if problems:
            raise SystemExit("problems:\n" + "\n".join(problems))
        print("== all checks passed")
    finally:
        stop(processes, logs)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
