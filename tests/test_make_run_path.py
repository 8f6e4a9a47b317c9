"""`make run` uses SQLite: a fresh database must migrate, load the content and demo data, and serve the main pages."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER_PAGES = """
from django.core.management import call_command
from io import StringIO
from django.test import Client
from assessments.models import Assessment
from workshops.models import Workshop
client = Client()
assert client.post("/accounts/login/", {"login": "lead", "password": "demo"}).status_code == 302
# The demo consultant is staff: after the password, the code `make demo-code` prints. Only once per test: a code
# is refused the second time within its 30-second window, as it should be.
if SIGN_IN_CONSULTANT:
    consultant = Client()
    second_step = consultant.post("/accounts/login/", {"login": "consultant", "password": "demo"})
    assert second_step.url == "/accounts/2fa/authenticate/", second_step
    code = StringIO()
    call_command("demo_code", stdout=code)
    assert consultant.post(second_step.url, {"code": code.getvalue().strip()}).status_code == 302
    heatmap = consultant.get("/organisations/acme-analytics/")
    print("/organisations/acme-analytics/", heatmap.status_code, heatmap["Content-Type"].split(";")[0])
pages = ["/", "/playbook/"]
for a in Assessment.objects.filter(team__slug="fraud-detection"):
    pages += [f"/assessments/{a.pk}/", f"/assessments/{a.pk}/results/", f"/assessments/{a.pk}/report.pdf"]
for workshop in Workshop.objects.all():
    pages += [workshop.get_absolute_url(), f"{workshop.get_absolute_url()}projector/"]
for page in pages:
    response = client.get(page)
    print(page, response.status_code, response["Content-Type"].split(";")[0])
"""


def test_a_fresh_sqlite_database_gets_the_playbook_and_demo_data_and_serves_pages(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--no-input", "-v", "0")
    assert "(created)" in manage("load_playbook")
    assert manage("load_demo").strip() == "demo data loaded"
    # A second run of `make run` must neither fail nor duplicate anything.
    assert "(unchanged)" in manage("load_playbook")
    assert "already present" in manage("load_demo")

    def render_pages(*, sign_in_consultant: bool):
        script = f"SIGN_IN_CONSULTANT = {sign_in_consultant}\n{RENDER_PAGES}"
        lines = manage("shell", "--no-imports", "-c", script).split("\n")
        return {page: (status, kind) for page, status, kind in (line.split() for line in lines if line.strip())}

    first = render_pages(sign_in_consultant=True)
    # home, playbook, three pages of each demo assessment, the workshop's board and projector, the consultant's heatmap
    assert len(first) == 14
    pdfs = [page for page in first if page.endswith(".pdf")]
    assert {first[page] for page in first if page not in pdfs} == {("200", "text/html")}
    # PDFs are queued for the background worker: a progress page first, the PDF once the worker ran.
    assert {first[page] for page in pdfs} == {("202", "text/html")}
    manage("db_worker", "--batch", "--no-startup-delay")
    second = render_pages(sign_in_consultant=False)
    assert {second[page] for page in pdfs} == {("200", "application/pdf")}
