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
from workshops.models import Ballot, Participant, Workshop

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
    assert page.status_code == 404 and "No open workshop has that code" in page.text  # the same as an unknown code
    assert (typed_value(page.text, "code"), typed_value(page.text, "display_name")) == (workshop.join_code, "Alex")


def test_an_empty_code_asks_for_one(guest_client):
    page = guest_client.post("/join/", {"code": "  ", "display_name": "Alex"})
    assert page.status_code == 400
    assert "Enter the join code" in page.text and "No workshop has that code" not in page.text
    assert typed_value(page.text, "display_name") == "Alex"


def test_the_board_counts_only_people_still_in_the_room(client_for, lead, workshop):
    here = services.join_as_guest(workshop=workshop, display_name="Here", address="192.0.2.1")
    gone = services.join_as_guest(workshop=workshop, display_name="Gone", address="192.0.2.1")
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


def test_once_closed_the_banner_poll_reloads_the_page_into_one_without_voting_controls(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Waiting")
    services.close_workshop(workshop=workshop)
    poll = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert poll["HX-Refresh"] == "true"
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert page.status_code == 410 and "closed by its facilitator" in page.text
    assert 'type="radio"' not in page.text and "hx-trigger" not in page.text


def test_the_ended_page_says_expired_when_the_code_ran_out(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Late")
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)["HX-Refresh"]
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert page.status_code == 410 and "This workshop has expired" in page.text


def test_a_tap_after_closing_counts_nothing_and_reloads_the_page(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Tapper")
    services.close_workshop(workshop=workshop)
    practice = workshop_practices(workshop)[0]
    card = guest_client.post(
        reverse("workshops:vote", args=[workshop.join_code, practice.slug]), {f"{practice.slug}-level": "2"}, **HTMX
    )
    assert card["HX-Refresh"] == "true"
    assert not Ballot.objects.exists()


def test_the_join_link_of_a_closed_workshop_offers_no_join_form(client, workshop):
    services.close_workshop(workshop=workshop)
    page = client.get(reverse("workshops:join_code", args=[workshop.join_code]))
    assert page.status_code == 404 and "No open workshop has that code" in page.text
    assert "<form" not in page.text.split("<main", 1)[1] and "with another code" in page.text


def test_after_closing_the_ballot_shows_what_the_room_agreed(guest_client, lead, workshop):
    join_as_guest(guest_client, workshop, "Curious")
    practice = workshop_practices(workshop)[0]
    services.record_decision(workshop=workshop, answer=AnswerInput(practice, practice.options.all()[2]), user=lead)
    services.close_workshop(workshop=workshop)
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert page.status_code == 410
    assert "The room agreed: <strong>level 2" in page.text and 'type="radio"' not in page.text
