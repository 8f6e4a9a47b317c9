"""The team lead's whole journey and a workshop with a facilitator and two participants, in Chromium."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from playbook.published import load_practices
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# A page's saves go one after another (static/js/autosave.js); on a busy 2-core machine seven of them have taken
# longer than the default 5 s. A save that never arrives still fails the journey.
SAVE_MS = 15_000


def test_a_lead_answers_with_autosave_sees_results_and_downloads_the_pdf(page, log_in, team, lead, playbook):
    # Any error the browser reports on the way (a script error, a resource the CSP blocked) fails the journey.
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, lead.username, PASSWORD)
    page.get_by_role("link", name=team.name).first.click()
    page.get_by_label("Title").fill("Browser review")
    page.get_by_label("Product or service assessed").fill("Card fraud scoring")
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", name=re.compile("Browser review"))).to_be_visible()

    challenges = list(playbook.challenges.filter(is_module=False))  # the core every assessment includes
    page.get_by_role("link", name=re.compile("^Start")).first.click()
    for index, challenge in enumerate(challenges):
        expect(page.get_by_role("heading", level=1, name=challenge.title)).to_be_visible()
        for practice in load_practices(playbook, challenge):
            page.locator(f"input[name='{practice.slug}-level'][value='2']").check()
        for practice in load_practices(playbook, challenge):
            expect(page.locator(f"#practice-{practice.slug} .save-state")).to_have_text("Saved", timeout=SAVE_MS)
        answered = len(load_practices(playbook, challenge))
        expect(page.locator(f"#progress-{challenge.slug}")).to_contain_text(f"{answered}/{answered}")
        if index == 0:
            first = load_practices(playbook, challenge)[0]
            notes = page.locator(f"#practice-{first.slug} textarea")
            notes.fill("Evidence <b>typed</b> in the browser")
            expect(page.locator(f"#practice-{first.slug} .save-state")).to_have_text("Unsaved changes…")
            expect(page.locator(f"#practice-{first.slug} .save-state")).to_have_text("Saved", timeout=SAVE_MS)
            # Leaving the notes sends a save that changes nothing: the card keeps its answer and the
            # next change is saved, not reported as a clash with the person's own save.
            notes.press("Tab")
            expect(page.locator(f"input[name='{first.slug}-level'][value='2']")).to_be_checked()
            page.locator(f"input[name='{first.slug}-level'][value='3']").check()
            expect(page.locator(f"#practice-{first.slug} .save-state")).to_have_text("Saved", timeout=SAVE_MS)
            page.locator(f"input[name='{first.slug}-level'][value='2']").check()
            expect(page.locator(f"#practice-{first.slug} .save-state")).to_have_text("Saved", timeout=SAVE_MS)
            # Leaving and coming back finds the answers kept, without pressing any button.
            page.reload()
            expect(page.locator(f"#practice-{first.slug} textarea")).to_have_value(
                "Evidence <b>typed</b> in the browser"
            )
            expect(page.locator(f"input[name='{first.slug}-level'][value='2']")).to_be_checked()
        page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results: overall")
    expect(page.locator("svg[role=img]").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF report").click()
    download = download_info.value
    assert re.fullmatch(
        rf"mlops-maturity-{team.slug}-browser-review-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", download.suggested_filename
    )
    with open(download.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert team.name in text and "Remediation plan" in text
    assert errors == []


def test_a_facilitator_runs_a_workshop_with_two_participants(
    new_page, log_in, team, lead, member, consultant, playbook
):
    facilitator = new_page()
    log_in(facilitator, consultant.username, PASSWORD)
    from assessments import services

    assessment = services.create_assessment(team=team, user=lead, title="Workshop in a browser")
    facilitator.goto(f"/assessments/{assessment.pk}/workshops/new/")
    facilitator.get_by_role("button", name="Create workshop").click()
    code = facilitator.locator(".join-code").inner_text().strip()
    expect(facilitator.locator(".qr svg")).to_be_visible()

    guest = new_page()
    guest.goto("/join/")
    guest.get_by_label("Join code").fill(code.lower())
    guest.get_by_label("Your name, as the room should see it").fill("Guest Grace")
    guest.locator("main").get_by_role("button", name="Join").click()
    expect(guest.get_by_text("You are in as Guest Grace")).to_be_visible()

    teammate = new_page()
    log_in(teammate, member.username, PASSWORD)
    teammate.goto(f"/join/{code}/")
    teammate.locator("main").get_by_role("button", name=f"Join as {member.username}").click()
    expect(teammate.get_by_text(f"You are in as {member.username}")).to_be_visible()

    practice = load_practices(playbook, playbook.challenges.first())[0]
    for participant, level in ((guest, 1), (teammate, 3)):
        card = participant.locator(f"#vote-{practice.slug}")
        card.locator(f"input[value='{level}']").check()
        expect(participant.locator(f"#vote-{practice.slug}")).to_contain_text("Vote saved")

    # The board refreshes itself: both votes arrive and the disagreement is flagged.
    expect(facilitator.locator("#board-summary")).to_contain_text(
        "2 joined (60 places) · 1 guest from 1 address · 1 practice where the room disagrees"
    )
    expect(facilitator.locator(f"#tally-{practice.slug}")).to_contain_text("Disagreement: votes 2 levels apart")
    assert "Guest Grace" not in facilitator.content()

    row = facilitator.locator(f"#row-{practice.slug}")
    row.get_by_role("button", name=re.compile("Move the room here")).click()
    expect(guest.locator("#room-now")).to_contain_text(practice.title)
    row = facilitator.locator(f"#row-{practice.slug}")
    row.get_by_label("Agreed answer").select_option("2")
    row.get_by_label("Note").fill("We settled on 2 after discussion")
    row.get_by_role("button", name=re.compile("Record agreed answer")).click()
    expect(facilitator.get_by_text(f"Recorded the room's answer to “{practice.title}”")).to_be_visible()

    guest.reload()
    expect(guest.locator(f"#vote-{practice.slug}")).to_contain_text("The room agreed: level 2")
    answer = assessment.answers.select_related("option").get(practice=practice)
    assert answer.option.level == 2 and answer.notes == "We settled on 2 after discussion"


def test_an_autosave_after_signing_out_keeps_the_answer_and_says_why(page, log_in, team, lead, playbook):
    from assessments import services

    assessment = services.create_assessment(team=team, user=lead, title="Signed out")
    challenge = playbook.challenges.first()
    practice = load_practices(playbook, challenge)[0]
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/challenges/{challenge.slug}/")
    page.context.clear_cookies(name="sessionid")  # the session ends, as after a timeout
    page.locator(f"input[name='{practice.slug}-level'][value='2']").check()
    card = page.locator(f"#practice-{practice.slug}")
    expect(card.locator(".save-state")).to_contain_text("signed out")
    expect(card.locator(f"input[name='{practice.slug}-level'][value='2']")).to_be_checked()
    expect(page.locator("form#login-form, input[name='password']")).to_have_count(0)


def test_the_reason_fields_appear_only_when_they_apply(page, log_in, team, lead, playbook):
    from assessments import services

    assessment = services.create_assessment(team=team, user=lead, title="Not applicable")
    practice = next(p for p in load_practices(playbook) if p.allows_not_applicable)
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/challenges/{practice.challenge.slug}/")
    card = page.locator(f"#practice-{practice.slug}")
    reason = card.locator("select")
    detail = card.locator(f"input[type=text][name='{practice.slug}-not_applicable_detail']")
    expect(reason).to_be_hidden()
    card.locator("input[value='na']").check()
    expect(reason).to_be_visible()
    expect(detail).to_be_hidden()
    reason.select_option("other")
    expect(detail).to_be_visible()


def test_notes_over_the_limit_are_kept_and_the_count_stays_inside_a_phone_screen(page, log_in, team, lead, playbook):
    from assessments import services
    from assessments.models import NOTES_MAX_LENGTH

    assessment = services.create_assessment(team=team, user=lead, title="Long notes")
    challenge = playbook.challenges.first()
    practice = load_practices(playbook, challenge)[0]
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/challenges/{challenge.slug}/")
    card = page.locator(f"#practice-{practice.slug}")
    typed = "x" * (NOTES_MAX_LENGTH + 100)
    card.locator("textarea").fill(typed)
    card.locator("textarea").press("Tab")
    expect(card.locator(".save-state")).to_contain_text("Not saved")
    expect(card.locator("textarea")).to_have_value(typed)
    expect(card.locator(".char-count")).to_contain_text("100 characters over the limit")
    # The count's longer wording past the limit wraps below the help text instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not assessment.answers.filter(practice=practice).exists()
