#!/usr/bin/env python
"""Django's command line, usable outside `make run`.

With DATABASE_URL / REDIS_URL unset it uses the embedded PostgreSQL and Redis the way `make run`
does: the running ones (`make run` in another terminal), else it starts them for the command and
stops them after it. With SECRET_KEY and DEBUG both unset it is a development machine: DEBUG=true
and the development secret `make run` keeps in .data/secret_key. A missing database, a server that
is not reachable or a missing setting is one line on stderr, not a traceback
(scripts/services.py, scripts/diagnose.py).
"""

import importlib.util
import os
import signal
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent / "scripts"


def _script(name: str) -> ModuleType:
    """Load scripts/<name>.py (a folder of scripts, not a package)."""
    module_name = f"billing_scripts_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SCRIPTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"scripts/{name}.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # run the `finally` that stops what this command started


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    services = _script("services")
    try:
        started = services.manage_py_environment(sys.argv)
    except services.ServiceError as exc:
        sys.exit(str(exc))
    if started is not None and (started.started_postgres or started.started_redis):
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except Exception as exc:
        line = _script("diagnose").explain(exc)
        if line is None:
            raise
        sys.exit(line)
    finally:
        try:
            services.release(started)
        except Exception as exc:  # the command's own outcome stands; say what was left running
            print(f"warning: could not stop the embedded servers: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
