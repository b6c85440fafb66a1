"""Regenerate the typed Python client (clients/python/) from the API's OpenAPI schema.

`make client` runs it; tests/integrations/test_python_client.py runs it into a temporary folder and
compares, so the checked-in client never lags behind the schema. The same schema always gives the
same files: the schema comes from `manage.py spectacular` (no dates in it), the generator writes no
dates, and the project's pinned ruff formats the output.

    python clients/generate.py [--output DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "clients" / "openapi-python-client.yaml"
OUTPUT = ROOT / "clients" / "python"
# Settings the schema is generated with; the rest comes from the environment (DATABASE_URL,
# REDIS_URL), which the schema does not depend on.
SCHEMA_ENV = {
    "SECRET_KEY": "insecure-key-for-static-checks-only-never-served-0123456789abcdef",
}


def schema(path: Path) -> None:
    """Write the validated OpenAPI schema (YAML) to path."""
    env = {**SCHEMA_ENV, **os.environ}
    command = [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn"]
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [*command, "--file", str(path)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def generate(output: Path = OUTPUT) -> str:
    """Generate the client into output, replacing the folder and all it held (no stale module of a
    removed endpoint stays behind); returns the generator's warnings."""
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    with tempfile.TemporaryDirectory() as tmp:
        document, fresh = Path(tmp) / "openapi.yaml", Path(tmp) / "python"
        schema(document)
        generator = [str(Path(bindir) / "openapi-python-client"), "generate", "--meta", "setup"]
        options = ["--config", str(CONFIG), "--output-path", str(fresh)]
        done = subprocess.run(  # noqa: S603 (the generator installed beside our interpreter)
            [*generator, *options, "--path", str(document)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"openapi-python-client failed:\n{done.stdout}{done.stderr}")
        shutil.rmtree(output, ignore_errors=True)
        shutil.copytree(fresh, output)
    return done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: clients/python")
    args = parser.parse_args()
    print(generate(args.output), end="")


if __name__ == "__main__":
    main()
