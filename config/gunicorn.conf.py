"""gunicorn settings for `make run`, the benchmarks and production (override any with
GUNICORN_CMD_ARGS or flags). Threaded workers keep HTTP connections alive; the app is loaded
once before forking and its objects are frozen out of the garbage collector's scans, which keeps
tail latency low."""

import gc
import os

wsgi_app = "config.wsgi:application"
workers = int(os.environ.get("WEB_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = 5
graceful_timeout = 10
timeout = 60
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")


def when_ready(server: object) -> None:
    gc.freeze()
