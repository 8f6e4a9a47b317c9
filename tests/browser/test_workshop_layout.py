"""Workshop pages as the room sees them: a phone's ballot, the projector at 1080p, and a workshop closing."""

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from tests.factories import PASSWORD
from workshops import services
from workshops.board import workshop_practices

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workshop(team, lead, playbook):
    assessment = assessment_services.create_assessment(team=team, user=lead, title="Room in a browser")
    slugs = [c.slug for c in playbook.challenges.all()[:2]]
    return services.create_workshop(assessment=assessment, user=lead, title="Layout", challenge_slugs=slugs, hours=1)


@pytest.fixture
def open_context(browser, live_server):
    contexts = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.url, reduced_motion="reduce", **options)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


def join(page, workshop, name):
    page.goto(f"/join/{workshop.join_code}/")
    page.get_by_label("Your name, as the room should see it").fill(name)
    page.locator("main").get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"You are in as {name}")).to_be_visible()


def test_on_a_phone_the_room_banner_does_not_cover_the_practice_it_links_to(open_context, workshop):
    practice = workshop_practices(workshop)[-2]
    services.move_room(workshop=workshop, practice=practice)
    phone = open_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    join(phone, workshop, "Pocket")
    phone.locator("#room-now").get_by_role("link", name=practice.title).click()
    phone.wait_for_url(f"**#vote-{practice.slug}")
    banner = phone.locator("#room-now").bounding_box()
    title = phone.locator(f"#vote-title-{practice.slug}").bounding_box()
    assert title["y"] >= banner["y"] + banner["height"], (title, banner)


def test_the_projector_qr_code_is_large_at_1080p(open_context, log_in, workshop, lead):
    projector = open_context(viewport={"width": 1920, "height": 1080})
    log_in(projector, lead.username, PASSWORD)
    projector.goto(f"/workshops/{workshop.pk}/projector/")
    assert projector.locator(".qr svg").bounding_box()["width"] >= 320


def test_guests_see_that_the_workshop_closed_and_their_phone_stops_asking(open_context, log_in, workshop, lead):
    guest = open_context()
    join(guest, workshop, "Stayer")
    expect(guest.locator("input[type=radio]").first).to_be_visible()
    polls = []
    guest.on("request", lambda request: polls.append(request.url) if "now=1" in request.url else None)
    facilitator = open_context()
    log_in(facilitator, lead.username, PASSWORD)
    facilitator.goto(f"/workshops/{workshop.pk}/")
    facilitator.get_by_role("link", name="Close workshop…").click()
    facilitator.get_by_role("button", name="Close the workshop").click()
    expect(facilitator.get_by_text("Workshop closed")).to_be_visible()

    # Within a poll or two the guest's page turns read-only: no voting control is left to tap.
    expect(guest.get_by_text("closed by its facilitator")).to_be_visible(timeout=8000)
    expect(guest.locator("input[type=radio]")).to_have_count(0)
    expect(guest.get_by_role("button", name="Vote")).to_have_count(0)
    expect(guest.get_by_text("The room did not record an answer to this one.").first).to_be_visible()
    polled = len(polls)
    guest.wait_for_timeout(4000)
    assert len(polls) == polled
