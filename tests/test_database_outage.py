"""Stop and start a throwaway PostgreSQL server under a running app: a friendly 503 while it is down,
and recovery without a restart once it is back."""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDIR = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:] or [""]
PG_BIN = Path(BINDIR[0])
pytestmark = pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="needs PostgreSQL server binaries (initdb)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback URL built by this test
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url: str, status: int, seconds: float = 20) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = fetch(url)
            if result[0] == status or time.monotonic() > deadline:
                return result
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


@pytest.fixture
def throwaway_postgres():
    directory = Path(tempfile.mkdtemp(prefix="mlops-outage-"))
    data, port = directory / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    subprocess.run(
        as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"),
        check=True,
        capture_output=True,
    )
    ctl = [
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        f"-p {port} -k {directory} -c listen_addresses=127.0.0.1",
        "-l",
        str(directory / "log"),
        "-w",
    ]

    def control(action: str) -> None:
        subprocess.run(
            as_postgres(*ctl, action, *(["-m", "fast"] if action == "stop" else [])), check=True, capture_output=True
        )

    control("start")
    try:
        yield port, control
    finally:
        subprocess.run(as_postgres(*ctl, "stop", "-m", "immediate"), capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def test_the_app_shows_a_friendly_page_while_postgresql_is_down_and_recovers_by_itself(
    throwaway_postgres, collected_static
):
    pg_port, control = throwaway_postgres
    web_port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-secret-key-outage-test-secret-key-0123456789",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/postgres",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
    }
    for command in (["migrate", "-v", "0"], ["load_playbook"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{web_port}"
    try:
        assert wait_for(f"{base}/healthz", 200)[0] == 200
        assert fetch(f"{base}/playbook/")[0] == 200

        control("stop")
        assert fetch(f"{base}/healthz")[0] == 503
        status, page = fetch(f"{base}/playbook/")
        assert status == 503 and "briefly unavailable" in page and "Traceback" not in page

        control("start")
        assert wait_for(f"{base}/healthz", 200)[0] == 200
        status, page = wait_for(f"{base}/playbook/", 200)
        assert status == 200 and "Playbook" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
