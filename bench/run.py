"""`make bench`: benchmark the app under gunicorn and PostgreSQL on 127.0.0.1.

It recreates the `mlops_bench` database, migrates, collects static files and
seeds it (bench/seed.py); counts each hot page's queries at 8 and 40 practices
in-process (bench/queries.py); starts gunicorn on a free loopback port; measures
throughput and latency with wrk, autosave with 20 clients and a workshop of 50
participants with Python threads (bench/web.py); then times the PDF report in a
process of its own (bench/pdf.py). Every load phase is bounded (wrk 10 s, the
thread phases 20 s). It prints a Markdown table against the targets and writes
var/bench/results.json. A missed target is reported, not fatal: the exit status
is non-zero only when the benchmark itself could not run.
"""

# ruff: noqa: S603 (every command is built here from constants and seeded values, never from outside input)

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/ runs as a script; import its sibling
from bench import web

ROOT = Path(__file__).resolve().parent.parent
HOST = web.HOST  # loopback only, for the database and the app alike
DATABASE = "mlops_bench"
ADMIN_DSN = f"host={HOST} port=5432 user=postgres dbname=postgres"
OUT = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "p95.lua"
THREADS_PER_WORKER = 2
# Each page gets WRK_ROUNDS short wrk runs, interleaved with the other pages, and reports the median:
# on a small shared machine one 10 s sample of the ceiling page swung from 400 to 950 requests/second.
WRK_SECONDS, WRK_ROUNDS = 5, 3
AUTOSAVE_CLIENTS, AUTOSAVE_SECONDS = 20, 10
# 20 people each choosing an answer every quarter of a second: faster than anyone reads a practice.
# The same load with no pause at all (saturation) is reported beside it, without a target.
AUTOSAVE_THINK_SECONDS = 0.25
PARTICIPANTS, WORKSHOP_SECONDS = 50, 20
PAGES = ("questionnaire", "results", "dashboard", "board")
QUESTIONNAIRE_BUDGET = 8


class BenchError(Exception):
    """The benchmark itself could not run (as opposed to a missed target)."""


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def recreate_database() -> None:
    connection = psycopg2.connect(ADMIN_DSN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            name = sql.Identifier(DATABASE)
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    finally:
        connection.close()


def count_ballots(workshop_pk: int) -> int:
    connection = psycopg2.connect(f"host={HOST} port=5432 user=postgres dbname={DATABASE}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM workshops_ballot WHERE workshop_id = %s", [workshop_pk])
            return cursor.fetchone()[0]
    finally:
        connection.close()


def bench_env(port: int) -> dict[str, str]:
    secret_key = ROOT / "var" / "secret-key"
    if not secret_key.exists():
        raise BenchError("var/secret-key is missing; run `make install-dev` first")
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_key.read_text().strip(),
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SITE_URL": f"http://{HOST}:{port}",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    }


def run_python(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    completed = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"`python {' '.join(args)[:80]}` failed:\n{completed.stderr[-4000:]}")
    return completed.stdout


def run_script(env: dict[str, str], script: str, *args: str) -> dict:
    """Run a bench/ script that prints its findings as JSON on its last line."""
    return json.loads(run_python(env, f"bench/{script}", *args).strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def git_state() -> tuple[str, bool]:
    """The short commit, and whether tracked files differ from it (then the commit alone does not name the code)."""
    git = shutil.which("git")
    if git is None:
        return "unknown", False
    commit = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    status = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return commit.stdout.strip() or "unknown", bool(status.stdout.strip())


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[None]:
    """gunicorn serving the app on 127.0.0.1:`port` until the block ends, however it ends."""
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi"),
        # Not ./gunicorn.conf.py: the benchmark measures the app, not the writing of an access-log line per request
        # (tests/test_access_log.py checks the production logging).
        *("--config", "/dev/null"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads", str(THREADS_PER_WORKER)),
        *("--access-logfile", "/dev/null"),
    ]
    with open(OUT / "gunicorn.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(process, port)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_serving(process: subprocess.Popen, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError("gunicorn exited during start-up; see var/bench/gunicorn.log")
        try:
            if web.Browser(port, timeout=2).get("/accounts/login/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {seconds:.0f} s; see var/bench/gunicorn.log")


def to_ms(number: str, unit: str) -> float:
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, path: str, cookie: str) -> dict:
    """wrk for WRK_SECONDS with 8 connections: requests/second, latency percentiles and non-200 answers."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    command = [
        *(wrk, "-t2", "-c8", f"-d{WRK_SECONDS}s", "--timeout", "5s", "--latency"),
        *("-s", str(LUA), "-H", f"Cookie: {cookie}", f"http://{HOST}:{port}{path}"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=WRK_SECONDS + 20, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    ours = re.search(r"bench p95_us=(\d+) not_200=(\d+)", output)
    if rps is None or ours is None:
        raise BenchError(f"could not read wrk's output:\n{output}")
    percentiles = {
        f"p{p}_ms": round(to_ms(n, unit), 2)
        for p, n, unit in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    timeouts = re.search(r"timeout (\d+)", output)
    return {
        "rps": round(float(rps.group(1)), 1),
        "p95_ms": round(int(ours.group(1)) / 1000, 2),
        **percentiles,
        "not_200": int(ours.group(2)),
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def http_phases(port: int, workers: int, seeded: dict) -> dict:
    """Everything measured through gunicorn: wrk on three pages, then autosave, then the workshop."""
    urls = seeded["urls"]
    lead = web.log_in(port, urls["login"], seeded["username"], seeded["password"])
    size = seeded["sizes"]["40"]
    targets = {
        "hello": urls["session"],
        "questionnaire": size["pages"]["questionnaire"],
        "results": size["pages"]["results"],
    }
    measured: dict = {"wrk": {}}
    for path in targets.values():
        for _ in range(workers * THREADS_PER_WORKER * 2):  # every worker has served the page once, and it answers 200
            status, _ = lead.get(path)
            if status != 200:
                raise BenchError(f"GET {path} as the lead answered {status}, not 200")
    rounds: dict[str, list[dict]] = {name: [] for name in targets}
    for round_number in range(1, WRK_ROUNDS + 1):
        for name, path in targets.items():
            say(f"wrk round {round_number}/{WRK_ROUNDS}: {WRK_SECONDS} s on {path}")
            rounds[name].append(run_wrk(port, path, f"sessionid={lead.cookies['sessionid']}"))
    for name, phases in rounds.items():
        median = sorted(phases, key=lambda phase: phase["rps"])[len(phases) // 2]
        median["rps_rounds"] = [phase["rps"] for phase in phases]
        median["not_200"] = sum(phase["not_200"] for phase in phases)
        median["timeouts"] = sum(phase["timeouts"] for phase in phases)
        measured["wrk"][name] = median
        measured[f"rps_{name}"] = median["rps"]
    measured["p95_ms_questionnaire"] = measured["wrk"]["questionnaire"]["p95_ms"]

    say(f"autosave: {AUTOSAVE_CLIENTS} clients for {AUTOSAVE_SECONDS} s, {AUTOSAVE_THINK_SECONDS} s between saves")
    answers = size["draft_answers"][:AUTOSAVE_CLIENTS]
    measured |= web.autosave_load(port, lead.cookies, answers, AUTOSAVE_SECONDS, AUTOSAVE_THINK_SECONDS)
    say(f"autosave: {AUTOSAVE_CLIENTS} clients for {AUTOSAVE_SECONDS} s, no pause (saturation)")
    # Other practices than the first phase's, whose revisions that phase has moved on.
    others = size["draft_answers"][AUTOSAVE_CLIENTS : 2 * AUTOSAVE_CLIENTS]
    saturated = web.autosave_load(port, lead.cookies, others, AUTOSAVE_SECONDS)
    measured["autosave_saturated_p95_ms"] = saturated["autosave_p95_ms"]
    measured["autosave_saturated_rps"] = round(saturated["autosave_requests"] / AUTOSAVE_SECONDS, 1)
    measured["autosave_errors"] += saturated["autosave_errors"]

    say(f"workshop: {PARTICIPANTS} participants x {len(seeded['workshop']['votes'])} practices")
    room = seeded["workshop"]
    measured |= web.workshop_load(port, urls["join"], room["code"], room["votes"], PARTICIPANTS, WORKSHOP_SECONDS)
    return measured


@dataclass(frozen=True)
class Check:
    metric: str
    value: str
    target: str
    ok: bool | None  # None: shown for information, no target


def checks(results: dict) -> list[Check]:
    queries = results["queries"]
    rows = []
    for page in PAGES:
        small, large = queries[f"{page}_8"], queries[f"{page}_40"]
        budget = page == "questionnaire"
        rows.append(
            Check(
                f"{page} queries (8 / 40 practices)",
                f"{small} / {large}",
                f"≤ {QUESTIONNAIRE_BUDGET}, equal" if budget else "equal",
                small == large and (not budget or large <= QUESTIONNAIRE_BUDGET),
            )
        )
    hello = results["rps_hello"]
    rows.append(Check("rps_hello (GET /session/)", f"{hello:.0f}", "reference", None))
    for name, share in (("questionnaire", 0.2), ("results", 0.1)):
        rps = results[f"rps_{name}"]
        rows.append(
            Check(f"rps_{name}", f"{rps:.0f} ({rps / hello:.2f} × hello)", f"≥ {share} × hello", rps >= share * hello)
        )
    wrk_errors = sum(phase["not_200"] + phase["timeouts"] for phase in results["wrk"].values())
    rows += [
        Check("p95_ms_questionnaire", f"{results['p95_ms_questionnaire']:.1f}", "", None),
        Check("wrk non-200 answers and timeouts", str(wrk_errors), "0", wrk_errors == 0),
        Check(
            f"autosave_p95_ms ({results['autosave_clients']} clients, {AUTOSAVE_THINK_SECONDS} s between saves)",
            f"{results['autosave_p95_ms']:.1f}",
            "< 100",
            results["autosave_p95_ms"] < 100,
        ),
        Check(
            "autosave_saturated_p95_ms (no pause between saves)",
            f"{results['autosave_saturated_p95_ms']:.1f} at {results['autosave_saturated_rps']:.0f} saves/s",
            "",
            None,
        ),
        Check(
            "autosave_errors",
            f"{results['autosave_errors']} of {results['autosave_requests']}",
            "0",
            results["autosave_errors"] == 0,
        ),
        Check(
            f"pdf_cold_s (40 practices, long notes, {results['pdf_pages']} pages)",
            f"{results['pdf_cold_s']:.2f}",
            "< 1.0",
            results["pdf_cold_s"] < 1.0,
        ),
        Check("pdf_cached_s", f"{results['pdf_cached_s']:.3f}", "< 0.05", results["pdf_cached_s"] < 0.05),
        Check("pdf_peak_mb", f"{results['pdf_peak_mb']:.0f}", "", None),
        Check(
            "pdf_warnings (resources WeasyPrint could not load)",
            str(results["pdf_warnings"]),
            "0",
            results["pdf_warnings"] == 0,
        ),
        Check(
            f"workshop_s ({PARTICIPANTS} x 40 ballots)",
            workshop_time(results),
            "< 30",
            workshop_finished(results) and results["workshop_s"] < 30,
        ),
        Check("workshop_lost", str(results["workshop_lost"]), "0", results["workshop_lost"] == 0),
        Check("workshop_errors", str(results["workshop_errors"]), "", None),
    ]
    return rows


def workshop_finished(results: dict) -> bool:
    return results["workshop_unsent"] == 0


def workshop_time(results: dict) -> str:
    if workshop_finished(results):
        return f"{results['workshop_s']:.1f}"
    return f"stopped at {WORKSHOP_SECONDS} s, {results['workshop_unsent']} ballots unsent"


def markdown_table(rows: list[Check]) -> str:
    lines = ["| metric | value | target | |", "|---|---:|---|---|"]
    for row in rows:
        verdict = "" if row.ok is None else "ok" if row.ok else "MISSED"
        lines.append(f"| {row.metric} | {row.value} | {row.target} | {verdict} |")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = bench_env(port)
    cores = os.cpu_count() or 1
    workers = min(2 * cores + 1, 16)  # 16 x 2 threads stays well inside PostgreSQL's default 100 connections
    commit, dirty = git_state()
    results: dict = {"commit": commit, "commit_dirty": dirty, "cores": cores, "gunicorn_workers": workers}
    results["gunicorn_threads"] = THREADS_PER_WORKER

    say(f"recreating database {DATABASE} on {HOST}")
    recreate_database()
    say("migrate, collectstatic, seed")
    run_python(env, "manage.py", "migrate", "--no-input", "-v", "0")
    run_python(env, "manage.py", "collectstatic", "--no-input", "-v", "0")
    seeded = run_script(env, "seed.py")
    say("counting queries per page")
    results["queries"] = run_script(env, "queries.py", json.dumps(seeded))

    say(f"gunicorn on {HOST}:{port} with {workers} workers x {THREADS_PER_WORKER} threads")
    with gunicorn(env, port, workers):
        results |= http_phases(port, workers, seeded)
    results["workshop_counted"] = count_ballots(seeded["workshop"]["pk"])
    # Lost: sent but not in the database. Ballots never sent because the phase hit its bound are workshop_unsent.
    results["workshop_lost"] = results["workshop_expected"] - results["workshop_unsent"] - results["workshop_counted"]

    say("PDF report in a process of its own")
    results |= run_script(env, "pdf.py", json.dumps(seeded))

    rows = checks(results)
    results["checks"] = [asdict(row) for row in rows]
    results["duration_s"] = round(time.monotonic() - started, 1)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    setup = f"{cores} cores, gunicorn {workers} workers x {THREADS_PER_WORKER} threads"
    code = f"{commit} with uncommitted changes" if dirty else commit
    print(f"\nBenchmark of {code} on {setup}")
    print(f"({results['duration_s']:.0f} s; var/bench/results.json)\n")
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        say(f"failed: {error}")
        sys.exit(1)
