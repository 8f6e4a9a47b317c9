"""Running a workshop: joining, voting, the live board, decisions, isolation and anonymity."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer
from tests.factories import submitted_assessment
from tests.workshops.conftest import join_as_guest
from workshops import services
from workshops.board import load_board, workshop_practices
from workshops.models import Ballot, Participant, Workshop

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def vote(client, workshop, practice, level, **extra):
    url = reverse("workshops:vote", args=[workshop.join_code, practice.slug])
    return client.post(url, {f"{practice.slug}-level": str(level)}, **extra)


def test_a_lead_creates_a_workshop_for_chosen_challenges(client_for, lead, assessment, playbook):
    chosen = [c.slug for c in playbook.challenges.all()][2:4]
    response = client_for(lead).post(
        reverse("workshops:create", args=[assessment.pk]),
        {"title": "Room", "challenges": chosen, "hours": 3, "max_participants": 30},
    )
    workshop = Workshop.objects.get(assessment=assessment)
    assert workshop.max_participants == 30
    assert response.url == workshop.get_absolute_url()
    assert workshop.challenge_slugs == chosen
    assert {p.challenge.slug for p in workshop_practices(workshop)} == set(chosen)
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}", workshop.join_code)


def test_the_facilitator_sees_the_code_the_qr_code_and_the_join_link(client_for, lead, workshop):
    page = client_for(lead).get(workshop.get_absolute_url())
    assert workshop.join_code in page.text
    assert '<svg viewBox="0 0' in page.text and "Join code" in page.text
    assert reverse("workshops:join_code", args=[workshop.join_code]) in page.text


def test_codes_are_accepted_however_they_are_typed(guest_client, workshop):
    typed = workshop.join_code.lower().replace("-", " ")
    response = guest_client.post("/join/", {"code": typed, "display_name": "Sam"})
    assert response.url == reverse("workshops:ballot", args=[workshop.join_code])


def test_a_team_member_joins_with_their_login_without_a_name(client_for, member, workshop):
    client = client_for(member)
    url = reverse("workshops:join_code", args=[workshop.join_code])
    page = client.get(url)
    assert f"Join as <bdi>{member.username}</bdi>" in page.text and 'name="display_name"' not in page.text
    assert not Participant.objects.exists()  # opening a link joins nobody; the button does
    response = client.post(reverse("workshops:join"), {"code": workshop.join_code})
    assert response.url == reverse("workshops:ballot", args=[workshop.join_code])
    assert Participant.objects.get(workshop=workshop).user == member


def test_a_guest_joins_with_a_display_name(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Priya")
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert "You are in as <bdi>Priya</bdi>" in page.text
    assert page.text.count('class="card mb-3 vote-card"') == len(workshop_practices(workshop))


def test_a_guest_must_give_a_name(guest_client, workshop):
    page = guest_client.post("/join/", {"code": workshop.join_code, "display_name": "  "})
    assert "Enter the name the room should see." in page.text
    assert not Participant.objects.exists()


def test_a_wrong_code_says_so(guest_client):
    page = guest_client.post("/join/", {"code": "ZZZZ-ZZZZ", "display_name": "A"})
    assert page.status_code == 404
    assert "No open workshop has that code" in page.text


def test_an_expired_code_gets_the_same_answer_as_an_unknown_one(guest_client, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = guest_client.post("/join/", {"code": workshop.join_code, "display_name": "A"})
    unknown = guest_client.post("/join/", {"code": "ZZZZ-ZZZZ", "display_name": "A"})
    assert page.status_code == unknown.status_code == 404 and "No open workshop has that code" in page.text

    def main(response):
        text = response.text.split("<main", 1)[1].replace(workshop.join_code, "ZZZZ-ZZZZ")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert main(page) == main(unknown)


def test_a_closed_workshop_says_so_even_to_people_already_in_it(client_for, lead, guest_client, workshop):
    join_as_guest(guest_client, workshop, "Early bird")
    client_for(lead).post(reverse("workshops:close", args=[workshop.pk]))
    page = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]))
    assert page.status_code == 410 and "closed by its facilitator" in page.text
    practice = workshop_practices(workshop)[0]
    assert vote(guest_client, workshop, practice, 2).status_code == 410
    assert not Ballot.objects.exists()


def test_a_participant_votes_changes_their_vote_and_reconnects_to_the_same_ballot(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Lee")
    practice = workshop_practices(workshop)[0]
    card = vote(guest_client, workshop, practice, 1, **HTMX)
    assert "Vote saved" in card.text and "<html" not in card.text
    vote(guest_client, workshop, practice, 3, **HTMX)
    assert list(Ballot.objects.values_list("level", flat=True)) == [3]
    # Coming back through the join link resumes the same ballot.
    response = guest_client.get(reverse("workshops:join_code", args=[workshop.join_code]))
    assert response.url == reverse("workshops:ballot", args=[workshop.join_code])
    page = guest_client.get(response.url)
    assert re.search(rf'name="{practice.slug}-level"[^>]*value="3"[^>]*checked', page.text)
    assert Participant.objects.count() == 1


def test_a_vote_and_a_poll_cost_a_fixed_few_queries(guest_client, workshop):
    """Each phone in the room votes and polls: its session, its place with the workshop, and for a vote the room's
    decision and one upsert of the ballot, whether it is the first vote on the practice or a change."""
    join_as_guest(guest_client, workshop, "Kim")
    practice = workshop_practices(workshop)[0]

    def queries(request) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert request().status_code == 200
        # Savepoints only appear because each test runs in a transaction.
        return [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]

    first = queries(lambda: vote(guest_client, workshop, practice, 1, **HTMX))
    changed = queries(lambda: vote(guest_client, workshop, practice, 3, **HTMX))
    assert len(first) == len(changed) == 4
    assert changed[-1].startswith('INSERT INTO "workshops_ballot"') and "ON CONFLICT" in changed[-1]
    assert list(Ballot.objects.values_list("level", flat=True)) == [3]
    poll = queries(lambda: guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX))
    assert len(poll) == 2  # the session, and the place with its workshop


def test_voting_works_without_javascript(guest_client, workshop):
    join_as_guest(guest_client, workshop, "Noscript")
    practice = workshop_practices(workshop)[1]
    response = vote(guest_client, workshop, practice, 2)
    assert response.status_code == 302 and response.url.endswith(f"#vote-{practice.slug}")
    assert Ballot.objects.get().level == 2


def test_the_board_counts_votes_and_flags_disagreement(client_for, lead, workshop):
    practices = workshop_practices(workshop)
    agreed, split = practices[0], practices[1]
    for index, (a, b) in enumerate([(2, 1), (2, 3), (2, 3)]):
        participant = services.join_as_guest(workshop=workshop, display_name=f"Guest {index}", address="192.0.2.1")
        services.cast_ballot(participant=participant, practice=agreed, level=a, not_applicable=False)
        services.cast_ballot(participant=participant, practice=split, level=b, not_applicable=False)
    rows = {row.practice.slug: row for row in load_board(workshop)[0]}
    assert rows[agreed.slug].tally.counts == (0, 0, 3, 0, 0) and not rows[agreed.slug].tally.disagrees
    assert rows[split.slug].tally.counts == (0, 1, 0, 2, 0) and rows[split.slug].tally.disagrees

    fragment = client_for(lead).get(workshop.get_absolute_url(), **HTMX)
    assert "3 joined (60 places) · 3 guests from 1 address · 1 practice where the room disagrees" in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text
    assert "Disagreement: votes 2 levels apart" in fragment.text


def test_recording_the_agreed_answer_writes_it_into_the_assessment_and_ends_voting(
    client_for, lead, guest_client, workshop, assessment
):
    join_as_guest(guest_client, workshop, "Voter")
    practice = workshop_practices(workshop)[0]
    vote(guest_client, workshop, practice, 1)
    client_for(lead).post(
        reverse("workshops:decide", args=[workshop.pk, practice.slug]),
        {f"decide-{practice.slug}-level": "2", f"decide-{practice.slug}-note": "Agreed after debate"},
    )
    answer = Answer.objects.select_related("option").get(assessment=assessment, practice=practice)
    assert (answer.option.level, answer.notes, answer.updated_by) == (2, "Agreed after debate", lead)
    card = vote(guest_client, workshop, practice, 4, **HTMX)
    assert "The room agreed: <strong>level 2:" in card.text
    assert Ballot.objects.get().level == 1


def test_the_facilitator_moves_the_room_and_participants_see_where_it_is(client_for, lead, guest_client, workshop):
    join_as_guest(guest_client, workshop, "Follower")
    practice = workshop_practices(workshop)[3]
    client_for(lead).post(reverse("workshops:move", args=[workshop.pk]), {"practice": practice.slug})
    now = guest_client.get(reverse("workshops:ballot", args=[workshop.join_code]) + "?now=1", **HTMX)
    assert f'The room is on: <a href="#vote-{practice.slug}">' in now.text


def test_a_guest_can_reach_nothing_but_their_own_ballot(guest_client, workshop, assessment, team, lead):
    join_as_guest(guest_client, workshop, "Visitor")
    other = services.create_workshop(
        assessment=assessment, user=lead, title="Other", challenge_slugs=workshop.challenge_slugs, hours=1
    )
    assert guest_client.get(reverse("workshops:ballot", args=[other.join_code])).status_code == 302
    for url in [
        team.get_absolute_url(),
        assessment.get_absolute_url(),
        reverse("assessments:results", args=[assessment.pk]),
        reverse("assessments:report_pdf", args=[assessment.pk]),
        reverse("assessments:export_csv", args=[assessment.pk]),
        workshop.get_absolute_url(),
        reverse("workshops:projector", args=[workshop.pk]),
    ]:
        response = guest_client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url


def test_nobody_sees_who_voted_what(client_for, lead, guest_client, workshop, assessment):
    join_as_guest(guest_client, workshop, "Secret Squirrel")
    vote(guest_client, workshop, workshop_practices(workshop)[0], 0)
    client = client_for(lead)
    assert "1 voted" in client.get(workshop.get_absolute_url()).text  # the vote is shown, as a count
    for url in [
        workshop.get_absolute_url(),
        reverse("workshops:projector", args=[workshop.pk]),
        reverse("assessments:results", args=[assessment.pk]),
    ]:
        assert "Secret Squirrel" not in client.get(url).text


def test_the_boards_query_count_does_not_grow_with_participants(client_for, lead, workshop):
    client = client_for(lead)
    practices = workshop_practices(workshop)

    def board_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(workshop.get_absolute_url(), **HTMX).status_code == 200
        return len(queries)

    def add(count):
        for index in range(count):
            participant = services.join_as_guest(workshop=workshop, display_name=f"P{index}", address="192.0.2.1")
            for practice in practices:
                services.cast_ballot(participant=participant, practice=practice, level=index % 5, not_applicable=False)

    add(3)
    few = board_queries()
    add(27)
    assert board_queries() == few


def test_a_consultant_sees_the_organisation_heatmap_and_others_do_not(client_for, consultant, lead, team, playbook):
    assessment = submitted_assessment(team, lead, title="Scored", level_for=lambda p: 3)
    url = reverse("assessments:organisation", args=[team.organisation.slug])
    page = client_for(consultant).get(url)
    assert page.status_code == 200
    assert page.text.count('class="heat heat-3') == playbook.challenges.filter(is_module=False).count()
    assert reverse("assessments:results", args=[assessment.pk]) in page.text
    assert client_for(lead).get(url).status_code == 404
