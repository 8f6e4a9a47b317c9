"""One person, one ballot: places in the room, joins per address, codes tried, and who may vote at all."""

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import Membership, Role
from workshops import services
from workshops.board import load_board, workshop_practices
from workshops.models import Ballot, Participant, Workshop

pytestmark = pytest.mark.django_db


def guest(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def join(client: Client, workshop, name: str = "Sam"):
    return client.post(reverse("workshops:join"), {"code": workshop.join_code, "display_name": name})


def test_nobody_joins_once_every_place_is_taken_and_the_facilitator_can_add_places(client_for, lead, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(max_participants=2)
    assert join(guest("198.51.100.1"), workshop).status_code == 302
    assert join(guest("198.51.100.2"), workshop).status_code == 302
    full = join(guest("198.51.100.3"), workshop, "Late")
    assert full.status_code == 409 and "All 2 places in this workshop are taken" in full.text
    assert Participant.objects.filter(workshop=workshop).count() == 2
    client_for(lead).post(reverse("workshops:places", args=[workshop.pk]), {"max_participants": 3})
    assert join(guest("198.51.100.3"), workshop, "Late").status_code == 302


def test_a_bad_number_of_places_is_shown_on_the_board_with_what_was_typed(client_for, lead, workshop):
    page = client_for(lead).post(reverse("workshops:places", args=[workshop.pk]), {"max_participants": "0"})
    assert page.status_code == 400 and 'value="0"' in page.text and "greater than or equal to 1" in page.text
    assert Workshop.objects.get(pk=workshop.pk).max_participants == 60


def test_guests_joining_from_one_address_are_limited_and_the_board_shows_how_many_addresses(
    settings, client_for, lead, workshop
):
    settings.WORKSHOP_GUEST_JOINS_PER_ADDRESS = 3
    for name in ("A", "B", "C"):
        assert join(guest("203.0.113.5"), workshop, name).status_code == 302  # cleared cookies each time
    refused = join(guest("203.0.113.5"), workshop, "D")
    assert refused.status_code == 429 and "Too many guests joined from your network" in refused.text
    assert join(guest("203.0.113.6"), workshop, "E").status_code == 302
    _, headcount = load_board(workshop)
    assert (headcount.guests, headcount.guest_addresses) == (4, 2)
    summary = client_for(lead).get(workshop.get_absolute_url()).text
    assert "4 guests from 2 addresses" in summary


def test_codes_that_lead_nowhere_are_throttled_per_address(settings, workshop):
    settings.WORKSHOP_CODE_ATTEMPTS_PER_ADDRESS = 3
    prober = guest("192.0.2.44")
    for code in ("AAAA-AAAA", "CCCC-CCCC", "DDDD-DDDD"):
        assert prober.post(reverse("workshops:join"), {"code": code, "display_name": "x"}).status_code == 404
    blocked = join(prober, workshop)
    assert blocked.status_code == 429 and "Too many codes" in blocked.text
    assert not Participant.objects.exists()  # not even the right code gets through meanwhile
    assert join(guest("192.0.2.45"), workshop).status_code == 302  # others are not affected


def test_a_signed_in_member_holds_one_ballot_even_when_they_give_a_guest_name(client_for, member, workshop):
    client = client_for(member)
    for _ in range(2):
        client.post(reverse("workshops:join"), {"code": workshop.join_code, "display_name": "Not me"})
    [participant] = Participant.objects.filter(workshop=workshop)
    assert participant.user == member and participant.display_name == member.username


def test_viewers_follow_results_but_do_not_vote(client_for, viewer, workshop):
    client = client_for(viewer)
    page = client.get(reverse("workshops:join_code", args=[workshop.join_code]))
    assert page.status_code == 403 and "do not vote" in page.text
    assert client.post(reverse("workshops:join"), {"code": workshop.join_code, "display_name": "V"}).status_code == 403
    assert not Participant.objects.exists()


def test_a_member_removed_from_the_team_stops_voting_at_once(client_for, member, workshop):
    client = client_for(member)
    client.post(reverse("workshops:join"), {"code": workshop.join_code})
    practice = workshop_practices(workshop)[0]
    vote = reverse("workshops:vote", args=[workshop.join_code, practice.slug])
    assert client.post(vote, {f"{practice.slug}-level": "2"}).status_code == 302
    Membership.objects.filter(user=member).delete()
    refused = client.post(vote, {f"{practice.slug}-level": "4"})
    assert refused.status_code == 403 and "no longer a member" in refused.text
    assert Ballot.objects.get().level == 2  # the earlier vote stays, the new one was not counted


def test_a_member_made_a_viewer_stops_voting_too(client_for, member, workshop):
    client = client_for(member)
    client.post(reverse("workshops:join"), {"code": workshop.join_code})
    Membership.objects.filter(user=member).update(role=Role.VIEWER)
    assert client.get(reverse("workshops:ballot", args=[workshop.join_code])).status_code == 403


def test_deleting_an_account_keeps_its_votes_in_the_tallies(client_for, member, workshop):
    client_for(member).post(reverse("workshops:join"), {"code": workshop.join_code})
    participant = Participant.objects.get(user=member)
    practice = workshop_practices(workshop)[0]
    services.cast_ballot(participant=participant, practice=practice, level=3, not_applicable=False)
    member.delete()
    rows, _ = load_board(workshop)
    assert rows[0].tally.answered == 1 and Participant.objects.get(pk=participant.pk).user is None
