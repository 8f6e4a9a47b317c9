"""gunicorn, as the container runs it, writes no token of a URL into its logs."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
TOKENS = {
    "share": "eyJzaGFyZSI6MTJ9:1tSecretShareToken",
    "invitation": "InvitationSecret42xyz",
    "join": "K7QM-X4PA",
    "reset": "3-c4a1b2-resetkeysecret0987",
    "code": "oidcAuthorisationCode123",
    "state": "oidcStateValue456",
}
PATHS = [
    f"/shared/{TOKENS['share']}/",
    f"/shared/{TOKENS['share']}/report.pdf",
    f"/invitations/{TOKENS['invitation']}/",
    f"/join/{TOKENS['join']}/",
    f"/w/{TOKENS['join']}/",
    f"/accounts/password/reset/key/{TOKENS['reset']}/",
    f"/accounts/sso/company/login/callback/?code={TOKENS['code']}&state={TOKENS['state']}",
    f"/accounts/login/?next=/invitations/{TOKENS['invitation']}/",
    f"/accounts/login/?next=%2Finvitations%2F{TOKENS['invitation']}%2F",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback URL built by this test
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db
def test_no_token_of_a_url_reaches_any_log_line(tmp_path, collected_static):
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "access-log-test-key-not-the-example-one-xxxxxxxxxxxxxxxx",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        # The container's own command (Dockerfile CMD), on a free port: gunicorn reads ./gunicorn.conf.py.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if get(f"{base}/healthz") in (200, 503):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                time.sleep(0.2)
            for path in PATHS:
                get(base + path)
            get(f"{base}/playbook/", Referer=f"{base}/shared/{TOKENS['share']}/")
            # gunicorn writes an access line after the response is sent, so on a busy machine the last one can come
            # late; requests are sequential, so once the last request's line is there, every earlier one is too.
            deadline = time.monotonic() + 15
            while "GET /playbook/ HTTP/1.1" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=10)
    lines = log.read_text().splitlines()
    access = [line for line in lines if '"logger": "gunicorn.access"' in line]
    assert len(access) >= len(PATHS) + 2, lines  # every request above was logged, as JSON
    leaked = [(name, line) for line in lines for name, token in TOKENS.items() if token in line]
    assert leaked == []
    assert not [line for line in access if '\\" 500 ' in line], access  # every page rendered
    assert sum("[redacted]" in line for line in access) >= len(PATHS) + 1, access
