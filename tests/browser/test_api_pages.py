"""The API's pages in Chromium: making a token, and the browsable documentation under the site's CSP."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_makes_a_token_reads_the_docs_and_uses_the_token(page, log_in, lead, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, lead.username, PASSWORD)
    page.goto("/account/")
    page.get_by_role("link", name="Manage API tokens").click()
    page.get_by_label("What is it for?").fill("Dashboard")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_label("The new token").input_value()
    assert re.fullmatch(r"mma_[0-9a-f]{8}_[\w-]{40,}", secret)
    expect(page.get_by_role("row", name=re.compile("Dashboard"))).to_contain_text("never")

    page.goto("/api/v1/docs/")
    expect(page.locator("#swagger-ui")).to_contain_text("MLOps Maturity Assessment API")
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/assessments/{id}/answers/{practice}/")
    assert errors == []

    answer = page.request.get(f"{live_server.url}/api/v1/teams/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["results"][0]["role"] == "lead"
