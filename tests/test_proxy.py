"""The reverse proxy of docker-compose (deploy/Caddyfile), run as a real Caddy in front of a recording upstream."""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml

CADDYFILE = Path(__file__).resolve().parent.parent / "deploy" / "Caddyfile"


class Recorder(BaseHTTPRequestHandler):
    """Answers with what it received, and keeps a list of it."""

    received: list[dict] = []

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = {"path": self.path, "forwarded_for": self.headers.get("X-Forwarded-For"), "length": len(body)}
        Recorder.received.append(seen)
        payload = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def proxy(tmp_path):
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is missing: install Debian's caddy package (make test does this as root)")
    Recorder.received = []
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = _free_port()
    env = os.environ | {
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "APP_HOST": "127.0.0.1",
        "APP_PORT": str(upstream.server_address[1]),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"caddy did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()


def test_the_proxy_passes_requests_on_with_the_address_it_saw_not_the_one_claimed(proxy):
    response = httpx.post(
        f"{proxy}/assessments/1/answers/", data={"notes": "x" * 1000}, headers={"X-Forwarded-For": "198.51.100.66"}
    )
    assert response.status_code == 200
    seen = response.json()
    assert seen["forwarded_for"] == "127.0.0.1"  # what the app reads with TRUSTED_PROXY_COUNT=1
    assert seen["length"] > 1000


def test_a_body_over_the_limit_is_refused_before_it_reaches_the_app_even_as_a_file_part(proxy):
    big_file = {"evidence": ("evidence.bin", b"\0" * (2 * 1024 * 1024), "application/octet-stream")}
    response = httpx.post(f"{proxy}/assessments/1/answers/", files=big_file, data={"notes": "hi"})
    assert response.status_code == 413
    assert all(seen["length"] < 1024 * 1024 for seen in Recorder.received)


def test_an_evidence_upload_may_be_larger_up_to_its_own_limit(proxy):
    url = f"{proxy}/assessments/1/challenges/data/practices/lineage/evidence/"
    runbook = {"file": ("runbook.pdf", b"%PDF-" + b"\0" * (5 * 1024 * 1024), "application/pdf")}
    assert httpx.post(url, files=runbook).status_code == 200
    too_big = {"file": ("dump.pdf", b"%PDF-" + b"\0" * (12 * 1024 * 1024), "application/pdf")}
    assert httpx.post(url, files=too_big).status_code == 413


def test_compose_puts_the_proxy_in_front_and_keeps_gunicorn_off_the_host_network():
    compose = (CADDYFILE.parent.parent / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    proxy = compose.split("\n  proxy:\n", 1)[1]
    assert "ports:" not in web and "expose:" in web
    assert "ports:" in proxy and "deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy
    assert 'TRUSTED_PROXY_COUNT: "1"' in compose


def test_compose_scales_web_and_worker_behind_the_proxy_with_redis_optional():
    services = yaml.safe_load((CADDYFILE.parent.parent / "docker-compose.yml").read_text())["services"]
    for name in ("web", "worker"):
        # A fixed container name or host port would stop `docker compose up --scale web=2 --scale worker=2`.
        assert "container_name" not in services[name] and "ports" not in services[name], name
    assert services["redis"]["profiles"] == ["redis"]
    assert {"TASKS_BACKEND", "REDIS_URL"} <= set(services["migrate"]["environment"])
    assert "rqworker --job-class django_tasks_rq.Job --with-scheduler" in services["worker"]["command"][-1]
    # Caddy looks the service name up again and again, so every replica of `web` gets requests.
    assert "dynamic a {$APP_HOST:web} {$APP_PORT:8000}" in CADDYFILE.read_text()
