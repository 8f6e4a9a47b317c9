"""Participants: joining without losing what was typed, presence, and the ballot once a workshop ends."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.services import AnswerInput
from tests.workshops.conftest import join_as_guest
from workshops import services
from workshops.board import load_board, workshop_practices
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def typed_value(page_text, name):
    match = re.search(rf'<input type="text" name="{name}"[^>]*value="([^"]*)"', page_text)
    return match.group(1) if match else ""


def test_a_wrong_code_keeps_the_code_and_the_name(guest_client):
    page = guest_client.post("/join/", {"code": "ZZZZ-ZZZZ", "display_name": "Alex"})
    assert page.status_code == 404
    assert (typed_value(page.text, "code"), typed_value(page.text, "display_name")) == ("ZZZZ-ZZZZ", "Alex")


def test_a_closed_code_keeps_the_code_and_the_name(guest_client, workshop):
    services.close_workshop(workshop=workshop)
    page = guest_client.post("/join/", {"code": workshop.join_code, "display_name": "Alex"})
    assert page.status_code == 410 and "closed by its facilitator" in page.text
    assert (typed_value(page.text, "code"), typed_value(page.text, "display_name")) == (workshop.join_code, "Alex")


def test_an_empty_code_asks_for_one(guest_client):
    page = guest_client.post("/join/", {"code": "  ", "display_name": "Alex"})
    assert page.status_code == 400
    assert "Enter the join code" in page.text and "No workshop has that code" not in page.text
    assert typed_value(page.text, "display_name") == "Alex"


def test_the_board_counts_only_people_still_in_the_room(client_for, lead, workshop):
    here = services.join_as_guest(workshop=workshop, display_name="Here")
    gone = services.join_as_guest(workshop=workshop, display_name="Gone")
    Participant.objects.filter(pk=gone.pk).update(last_seen_at=timezone.now() - timedelta(minutes=30))
    services.cast_ballot(participant=here, practice=workshop_practices(workshop)[0], level=2, not_applicable=False)
    fragment = client_for(lead).get(workshop.get_absolute_url(), **HTMX).text
    assert "1 in the room now of 2 joined" in fragment
    assert "1 voted · 1 in the room" in fragment


def test_polling_the_ballot_marks_a_participant_present(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Dozy")
    Participant.objects.update(last_seen_at=timezone.now() - timedelta(minutes=30))
    assert load_board(workshop)[1].present == 0
    guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert load_board(workshop)[1].present == 1


def test_presence_is_written_at_most_once_a_minute(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Busy")
    seen = Participant.objects.get().last_seen_at
    guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert Participant.objects.get().last_seen_at == seen


def test_the_banner_poll_tells_the_room_the_workshop_closed_and_stops(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Waiting")
    services.close_workshop(workshop=workshop)
    poll = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert poll.status_code == 286  # htmx swaps this in and stops polling
    assert 'id="room-now"' in poll.text and "closed by its facilitator" in poll.text
    assert "hx-trigger" not in poll.text


def test_the_banner_says_expired_when_the_code_ran_out(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Late")
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    poll = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert poll.status_code == 286 and "This workshop has expired" in poll.text


def test_a_tap_after_closing_says_the_vote_was_not_counted(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Tapper")
    services.close_workshop(workshop=workshop)
    practice = workshop_practices(workshop)[0]
    card = guest_client.post(
        reverse("workshops:vote", args=[workshop.join_code, practice.slug]), {f"{practice.slug}-level": "2"}, **HTMX
    )
    assert card.status_code == 200 and "your vote was not counted" in card.text


def test_after_closing_the_ballot_shows_what_the_room_agreed(guest_client, lead, workshop):
    join_as_guest(guest_client, workshop, "Curious")
    practice = workshop_practices(workshop)[0]
    services.record_decision(workshop=workshop, answer=AnswerInput(practice, practice.options.all()[2]), user=lead)
    services.close_workshop(workshop=workshop)
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert page.status_code == 410
    assert "The room agreed: <strong>level 2" in page.text and 'type="radio"' not in page.text
