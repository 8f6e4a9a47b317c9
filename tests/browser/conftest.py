"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server."""

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from identity.totp import DEMO_TOTP_SECRET, totp_code

# Playwright's sync API keeps an event loop running in the main thread for the rest of the session, and the
# ORM calls of every later test are synchronous. Process-wide, so tests/test_settings.py drops it again.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session", autouse=True)
def close_connections_opened_beside_playwrights_loop(playwright):
    """While Playwright's loop is marked as running in the main thread, Django keeps that thread's connections
    apart from those it opened before (asgiref's Local turns context-local), and the test database's teardown closes
    only the earlier ones. A connection opened by a test after the first browser test would stay open, and dropping
    the test database at the end would fail with "being accessed by other users". Torn down before Playwright stops
    its loop, so these are the connections it closes."""
    yield
    connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does this as root)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without these Chromium keeps trying to reach Google's services, which this network refuses.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # Chromium would otherwise try HTTPS first for the plain-HTTP live server.
            "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForTypicallySecureUsers",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages open paths on the live server. Defined here because pytest-playwright's own fallback is a fixture on a
    plugin instance, which pytest deprecates (PytestRemovedIn10Warning) on every run."""
    return live_server.url


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "accept_downloads": True}


@pytest.fixture
def log_in():
    def log_in(page, username: str, password: str):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.locator("main").get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/$|/accounts/2fa/authenticate/$"))
        if page.url.endswith("/accounts/2fa/authenticate/"):
            # Staff have the tests' authenticator (tests/conftest.py's consultant).
            page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
            page.locator("main").get_by_role("button").first.click()
            # "**/" would match the second-factor page itself and return before the code is accepted; a test that
            # then navigates away can abort that post and go on signed out (seen under a loaded full run).
            page.wait_for_url(lambda url: not url.endswith("/accounts/2fa/authenticate/"))

    return log_in


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page, axe_source: str) -> list[dict]:
    """Serious and critical axe-core violations of the page as it is now."""
    page.evaluate(axe_source)  # evaluated over the DevTools protocol, so the page's CSP does not apply
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh browser context (its own cookies), closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
