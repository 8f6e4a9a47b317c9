"""What first-time users tripped over, checked in Chromium at the sizes they used (issue: first-time users)."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, AnswerChange
from playbook.published import load_practices
from tests.factories import PASSWORD, submitted_assessment
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def questionnaire_url(assessment, challenge) -> str:
    return f"/assessments/{assessment.pk}/challenges/{challenge.slug}/"


def test_a_lead_starts_an_assessment_from_the_page_they_land_on(page, log_in, team, lead):
    log_in(page, lead.username, PASSWORD)
    page.get_by_role("link", name=f"Start an assessment for {team.name}").click()
    page.get_by_label("Title").fill("First look")
    page.get_by_label("Product or service assessed").fill("Card fraud scoring")
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("First look")


def test_a_member_who_keeps_typing_after_a_clash_replaces_nothing_until_they_choose(
    new_page, log_in, team, lead, member, playbook
):
    assessment = services.create_assessment(team=team, user=lead, title="Together")
    challenge = playbook.challenges.first()
    practice = load_practices(playbook, challenge)[0]
    alice, bob = new_page(), new_page()
    for person, user in ((alice, lead), (bob, member)):
        log_in(person, user.username, PASSWORD)
        person.goto(questionnaire_url(assessment, challenge))
    alice_card, bob_card = (p.locator(f"#practice-{practice.slug}") for p in (alice, bob))
    alice_card.locator(f"input[name='{practice.slug}-level'][value='3']").check()
    expect(alice_card.locator(".save-state")).to_have_text("Saved")

    bob_card.locator(f"input[name='{practice.slug}-level'][value='1']").check()
    expect(bob_card.locator(".save-state")).to_contain_text("changed by someone else")
    bob_card.locator("textarea").fill("Bob keeps typing his evidence")
    expect(bob_card.locator(".save-state")).to_contain_text("autosave is paused")
    bob.wait_for_timeout(2500)  # longer than the autosave delay
    stored = Answer.objects.get(assessment=assessment, practice=practice)
    assert (stored.option.level, stored.notes) == (3, "")

    bob_card.get_by_role("button", name="Replace theirs with mine").click()
    expect(bob_card.locator(".save-state")).to_have_text("Saved")
    stored.refresh_from_db()
    assert (stored.option.level, stored.notes) == (1, "Bob keeps typing his evidence")


@pytest.mark.parametrize("size", [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}])
def test_once_voting_starts_the_projector_fits_question_votes_and_disagreement_on_one_screen(
    new_page, log_in, team, lead, playbook, size
):
    assessment = services.create_assessment(team=team, user=lead, title="Room")
    challenge = playbook.challenges.first()
    workshop = workshop_services.create_workshop(
        assessment=assessment, user=lead, title="Room", challenge_slugs=[challenge.slug], hours=1
    )
    # The longest practice of the challenge, with votes far apart: the hardest case to fit.
    practice = max(load_practices(playbook, challenge), key=lambda p: len(p.question) + len(p.title))
    for name, level in (("Ann", 0), ("Bo", 4), ("Cy", 4)):
        participant = workshop_services.join_as_guest(workshop=workshop, display_name=name, address="192.0.2.1")
        workshop_services.cast_ballot(participant=participant, practice=practice, level=level, not_applicable=False)
    workshop_services.move_room(workshop=workshop, practice=practice)
    projector = new_page()
    projector.set_viewport_size(size)
    log_in(projector, lead.username, PASSWORD)
    projector.goto(f"/workshops/{workshop.pk}/projector/")
    expect(projector.locator(".disagree")).to_be_visible()
    assert projector.evaluate("document.documentElement.scrollHeight") <= size["height"]
    for element in [projector.locator("h1"), projector.locator(".disagree"), projector.locator(".vote-bars tr").last]:
        box = element.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], box
    # The join code is still on screen, small, in its corner.
    join = projector.locator(".projector-join").bounding_box()
    assert join["width"] < size["width"] / 4 and join["y"] + join["height"] < size["height"] / 2


def test_arrow_keys_through_the_levels_save_once_the_choice_settles(page, log_in, team, lead, playbook):
    assessment = services.create_assessment(team=team, user=lead, title="Keyboard")
    challenge = playbook.challenges.first()
    practice = load_practices(playbook, challenge)[0]
    saves = []
    page.on("request", lambda request: saves.append(request.url) if "/practices/" in request.url else None)
    log_in(page, lead.username, PASSWORD)
    page.goto(questionnaire_url(assessment, challenge))
    first = page.locator(f"input[name='{practice.slug}-level'][value='0']")
    first.focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator(f"#practice-{practice.slug} .save-state")).to_have_text("Saved")
    page.wait_for_timeout(1000)
    assert len(saves) == 1
    assert AnswerChange.objects.filter(assessment=assessment).count() == 1
    assert Answer.objects.get(assessment=assessment, practice=practice).option.level == 3


def test_the_focused_radio_has_a_clear_ring_and_is_never_hidden_under_the_save_bar(page, log_in, team, lead, playbook):
    assessment = services.create_assessment(team=team, user=lead, title="Focus")
    challenge = playbook.challenges.first()
    page.set_viewport_size(PHONE)
    page.emulate_media(reduced_motion="reduce")  # Bootstrap scrolls smoothly otherwise: measure where it ends
    log_in(page, lead.username, PASSWORD)
    page.goto(questionnaire_url(assessment, challenge))
    for practice in load_practices(playbook, challenge)[:4]:
        radio = page.locator(f"input[name='{practice.slug}-level'][value='0']")
        page.keyboard.press("Tab")
        while not radio.evaluate("element => element === document.activeElement"):
            page.keyboard.press("Tab")
        style = radio.evaluate("e => [getComputedStyle(e).outlineStyle, parseFloat(getComputedStyle(e).outlineWidth)]")
        assert style[0] == "solid" and style[1] >= 2
        box = radio.bounding_box()
        bar = page.locator(".sticky-actions").bounding_box()
        assert box["y"] + box["height"] <= bar["y"], (practice.slug, box, bar)


def test_on_a_phone_charts_are_readable_and_wide_tables_say_they_scroll(page, log_in, team, lead, playbook):
    submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    latest = submitted_assessment(team, lead, title="Summer", level_for=lambda p: 2)
    page.set_viewport_size(PHONE)
    log_in(page, lead.username, PASSWORD)
    for path, chart in (
        (f"/assessments/{latest.pk}/results/", ".radar-labels text"),
        (f"/teams/{team.pk}/history/", ".trend-legend text"),
    ):
        page.goto(path)
        heights = page.locator(chart).evaluate_all("texts => texts.map(t => t.getBoundingClientRect().height)")
        assert heights and min(heights) >= 11, (path, heights)
        expect(page.locator(".scroll-hint").first).to_be_visible()


def test_autosaving_logs_no_browser_errors_and_a_viewer_sees_the_chosen_answer(
    new_page, log_in, team, lead, viewer, playbook
):
    assessment = services.create_assessment(team=team, user=lead, title="Quiet")
    challenge = playbook.challenges.first()
    practice = load_practices(playbook, challenge)[0]
    errors = []
    page = new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, lead.username, PASSWORD)
    page.goto(questionnaire_url(assessment, challenge))
    card = page.locator(f"#practice-{practice.slug}")
    card.locator(f"input[name='{practice.slug}-level'][value='2']").check()
    expect(card.locator(".save-state")).to_have_text("Saved")
    card.locator("textarea").fill("Evidence")
    expect(card.locator(".save-state")).to_have_text("Saved")
    assert errors == []

    reader = new_page()
    log_in(reader, viewer.username, PASSWORD)
    reader.goto(questionnaire_url(assessment, challenge))
    chosen = reader.locator(f"label[for='id_{practice.slug}-level_2']")
    other = reader.locator(f"label[for='id_{practice.slug}-level_1']")
    assert chosen.evaluate("e => getComputedStyle(e).opacity") == "1"
    assert chosen.evaluate("e => getComputedStyle(e).fontWeight") == "600"
    assert float(other.evaluate("e => getComputedStyle(e).opacity")) < 1


def test_on_a_phone_a_share_link_is_wide_enough_to_read_and_has_a_copy_button(new_page, log_in, team, lead):
    from assessments import sharing

    assessment = submitted_assessment(team, lead, title="Shared")
    sharing.create_share_link(assessment=assessment, label="Head of data", days=7, user=lead)
    page = new_page()
    page.set_viewport_size(PHONE)
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/")
    link = page.get_by_label("Share link for Head of data")
    assert link.bounding_box()["width"] >= 250
    page.get_by_role("button", name="Copy link for Head of data").click()
    expect(page.locator(".copy-state")).not_to_be_empty()
