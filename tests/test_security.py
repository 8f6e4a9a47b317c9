"""Security defaults: CSP, throttled logins, private caching, request limits, escaping, logs."""

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import membership, services, sharing
from playbook.published import load_practices
from tests.factories import PASSWORD, submitted_assessment
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes and on* handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        self.found += [f"{name} on <{tag}>" for name in names if name == "style" or name.startswith("on")]


@pytest.fixture
def assessment(team, lead, playbook):
    assessment = services.create_assessment(team=team, user=lead, title="Secure")
    practice = load_practices(playbook)[0]
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(practice, practice.options.all()[1], notes='<img src=x onerror="alert(1)">')],
    )
    return assessment


def pages(assessment, playbook):
    challenge = playbook.challenges.first().slug
    return [
        reverse("assessments:home"),
        assessment.team.get_absolute_url(),
        assessment.get_absolute_url(),
        reverse("assessments:questionnaire", args=[assessment.pk, challenge]),
        reverse("assessments:results", args=[assessment.pk]),
        reverse("playbook:index"),
        reverse("playbook:challenge", args=[playbook.version, challenge]),
    ]


def test_every_page_sends_a_strict_content_security_policy(client_for, lead, assessment, playbook):
    client = client_for(lead)
    for url in pages(assessment, playbook):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_pages_carry_no_inline_scripts_or_styles_that_the_policy_would_block(client_for, lead, assessment, playbook):
    client = client_for(lead)
    for url in pages(assessment, playbook):
        finder = InlineCodeFinder()
        finder.feed(client.get(url).text)
        assert finder.found == [], url


def test_html_typed_into_notes_is_shown_as_text(client_for, lead, assessment, playbook):
    client = client_for(lead)
    for url in pages(assessment, playbook)[2:5]:
        html = client.get(url).text
        assert '<img src=x onerror="alert(1)">' not in html
    # The questionnaire shows the notes in their text area, escaped: no "<" inside, and the typed text once unescaped.
    notes = re.findall(r"<textarea [^>]*>([^<]*)</textarea>", client.get(pages(assessment, playbook)[3]).text)
    assert '<img src=x onerror="alert(1)">' in [unescape(text) for text in notes]


def test_private_pages_and_downloads_are_never_cached_but_the_playbook_may_be(client_for, lead, assessment, playbook):
    client = client_for(lead)
    for url in pages(assessment, playbook)[:5] + [
        reverse("assessments:report_pdf", args=[assessment.pk]),
        reverse("assessments:export_csv", args=[assessment.pk]),
    ]:
        assert "no-store" in client.get(url)["Cache-Control"], url
    assert "no-store" not in Client().get(reverse("playbook:index")).get("Cache-Control", "")


def test_pages_opened_by_a_token_without_signing_in_are_never_cached(team, lead):
    shared = sharing.create_share_link(assessment=submitted_assessment(team, lead), label="Board", days=3, user=lead)
    invitation = membership.invite(team=team, email="new@example.com", role="member", invited_by=lead)
    workshop = workshop_services.create_workshop(
        assessment=services.create_assessment(team=team, user=lead, title="Room"),
        user=lead,
        title="Room",
        challenge_slugs=[team.assessments.first().playbook.challenges.first().slug],
        hours=1,
    )
    for url in [
        reverse("assessments:shared_results", args=[sharing.share_token(shared)]),
        reverse("assessments:accept_invitation", args=[invitation.token]),
        reverse("workshops:join_code", args=[workshop.join_code]),
        reverse("account_login"),
        "/healthz",
    ]:
        assert "no-store" in Client().get(url)["Cache-Control"], url


def test_logging_out_needs_a_post(client_for, lead):
    client = client_for(lead)
    assert client.get(reverse("account_logout")).status_code == 200  # a page asking to confirm, no more
    assert client.get(reverse("assessments:home")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("assessments:home")).status_code == 302


def _log_in(address: str, username: str, password: str, **headers):
    return Client(REMOTE_ADDR=address, **headers).post(
        reverse("account_login"), {"login": username, "password": password}
    )


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _cool_off_passes() -> None:
    """The failures recorded so far become older than the cool-off, as if a quarter of an hour went by."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


def test_one_username_guessed_from_many_addresses_is_paused_for_every_address(throttled, lead):
    for address in ("198.51.100.1", "198.51.100.2"):
        page = _log_in(address, lead.username, "wrong")
        assert "not correct" in page.text and f'value="{lead.username}"' in page.text
    assert _log_in("198.51.100.3", lead.username, "wrong").status_code == 429
    locked = _log_in("198.51.100.4", lead.username, PASSWORD)
    assert locked.status_code == 429 and "Too many failed log-in attempts" in locked.text
    _cool_off_passes()
    assert _log_in("198.51.100.4", lead.username, PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_paused(throttled, lead, member):
    for username in ("alice", "bob"):
        assert _log_in("203.0.113.7", username, "wrong").status_code == 200
    assert _log_in("203.0.113.7", member.username, "wrong").status_code == 429
    assert _log_in("203.0.113.7", lead.username, PASSWORD).status_code == 429
    # Someone else, elsewhere, is not affected.
    assert _log_in("203.0.113.8", lead.username, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_failures_count_against_the_client_it_names(throttled, settings, lead, member):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # Whatever a client writes into X-Forwarded-For itself, the proxy appends the address it heard from.
    for username in ("alice", "bob", "carol"):
        _log_in(proxy, username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{len(username)}, 198.51.100.9")
    assert _log_in(proxy, lead.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429
    # Everyone else behind the same proxy still logs in.
    assert _log_in(proxy, member.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(throttled, lead):
    for n in range(3):
        _log_in("198.51.100.20", f"user{n}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _log_in("198.51.100.20", lead.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_the_default_throttle_cools_off_instead_of_locking_forever(settings):
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    # Counted per username and, separately, per address: neither a username nor an address escapes the count.
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"] and settings.AXES_FAILURE_LIMIT == 10
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


def test_an_oversized_request_body_is_refused_cleanly(client_for, lead, assessment, playbook):
    challenge = playbook.challenges.first().slug
    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge])
    response = client_for(lead).post(url, {"filler": "x" * 600_000})
    assert response.status_code == 400
    assert "could not be accepted" in response.text


def test_health_check_reports_the_database(client, monkeypatch):
    healthy = client.get("/healthz").json()
    assert (healthy["status"], healthy["database"], healthy["failed"]) == ("ok", "up", [])

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "down"
    assert response.json()["failed"] == ["database"]


def test_a_database_outage_gets_a_friendly_page(client_for, lead, monkeypatch):
    client = client_for(lead)

    def outage(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("assessments.team_views.access.visible_teams", outage)
    response = client.get(reverse("assessments:home"))
    assert response.status_code == 503
    assert "briefly unavailable" in response.text and "Traceback" not in response.text


def test_responses_carry_a_request_id_and_ignore_a_malformed_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123def456")
    assert response["X-Request-ID"] == "abc123def456"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id_and_no_tokens():
    from config.logging import JsonFormatter, RedactSecretsFilter, RequestIdFilter, request_id_var

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/shared/abc:def/",), None
    )
    token = request_id_var.set("req-42")
    try:
        RequestIdFilter().filter(record)
        RedactSecretsFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "req-42"
    assert line["message"] == "Not Found: /shared/[redacted]/"


def test_authorisation_failures_are_logged_by_id_only(client_for, outsider, assessment, caplog):
    caplog.set_level(logging.WARNING, logger="assessments.access")
    client_for(outsider).get(assessment.get_absolute_url())
    [record] = [r for r in caplog.records if r.name == "assessments.access"]
    assert f"user {outsider.pk} asked for assessment {assessment.pk}" in record.getMessage()
    assert outsider.username not in record.getMessage()


def test_a_failed_write_leaves_nothing_half_written(assessment, lead, playbook, monkeypatch):
    practices = load_practices(playbook)[1:4]
    before = assessment.answers.count()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("assessments.services.AnswerChange.objects.bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.save_answers(
            assessment=assessment, user=lead, answers=[services.AnswerInput(p, p.options.all()[2]) for p in practices]
        )
    assert assessment.answers.count() == before


def test_every_page_has_a_short_plain_title(client_for, lead, assessment, playbook):
    client = client_for(lead)
    for url in pages(assessment, playbook):
        title = client.get(url).text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title.endswith("· MLOps Maturity") and "<" not in title and len(title) < 120, (url, title)


def test_every_response_switches_off_browser_features_the_app_never_uses(client):
    policy = client.get(reverse("account_login"))["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


def test_security_txt_says_where_to_report_and_has_not_expired(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@example.com"
    settings.SITE_URL = "https://assessment.example.com"
    response = client.get("/.well-known/security.txt")
    fields = dict(line.split(": ", 1) for line in response.text.splitlines())
    assert response["Content-Type"].startswith("text/plain") and fields["Contact"] == "mailto:security@example.com"
    expires = datetime.fromisoformat(fields["Expires"])
    assert timedelta(days=300) < expires - datetime.now(UTC) <= timedelta(days=366)
    assert fields["Canonical"] == "https://assessment.example.com/.well-known/security.txt"


def test_links_handed_out_use_site_url_not_the_hosts_header(client_for, settings, lead, team):
    submitted = submitted_assessment(team, lead)
    settings.SITE_URL = "https://assessment.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "internal-name.local"]
    client = client_for(lead)
    client.post(
        reverse("assessments:members", args=[team.pk]),
        {"invite": "", "email": "new@example.com", "role": "member"},
        HTTP_HOST="internal-name.local",
    )
    [email] = mail.outbox
    assert "https://assessment.example.com/invitations/" in email.body and "internal-name" not in email.body
    client.post(
        reverse("assessments:share_create", args=[submitted.pk]),
        {"label": "Board", "days": 7},
        HTTP_HOST="internal-name.local",
    )
    page = client.get(reverse("assessments:share_create", args=[submitted.pk]), HTTP_HOST="internal-name.local")
    assert "https://assessment.example.com/shared/" in page.text and "internal-name.local/shared" not in page.text
