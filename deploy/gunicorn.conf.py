"""gunicorn's configuration for servtrade (`make serve`, deploy/scale-out).

Every value can be changed from the environment without editing this file:
  BIND (default 127.0.0.1:$PORT, PORT default 8000), WEB_CONCURRENCY (workers),
  GUNICORN_TIMEOUT (seconds a request may take), GUNICORN_MAX_REQUESTS (recycle a worker after
  this many requests). Graceful restart after a deployment: `kill -HUP <master pid>` starts new
  workers with the new code and lets the old ones finish their requests first.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")

# Django's views are synchronous and mostly wait on the database: (2 x cores) + 1 sync workers
# is gunicorn's own advice, capped so that a big machine does not open hundreds of connections.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 12)))
worker_class = "sync"

# A request taking longer than this is a bug (the heaviest, a full download, takes seconds):
# the worker is killed and replaced rather than held hostage.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM or SIGHUP, workers finish what they are serving for up to this long.
graceful_timeout = 30
# Behind nginx, keep the proxy's connections open a little while between requests.
keepalive = 5
# Recycle workers now and then (jittered, so not all at once): bounds any slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Logs to stdout/stderr, for the service manager (systemd's journal, a container's log).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Gunicorn's usual line, plus the time taken.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# Only the proxy on this host may say which scheme and client a request came from; Django
# itself believes X-Forwarded-Proto only with DJANGO_BEHIND_PROXY=1 (servtrade/settings.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn 24+ opens a control socket at one fixed path per user, which several instances on a
# host (bench/scale_out.py, a blue/green deploy) would fight over; signals do the same job.
control_socket_disable = True
