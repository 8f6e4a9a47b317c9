"""The facilitator's board, its decision forms, closing a workshop and the projector."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import services as assessment_services
from assessments.models import Answer
from tests.factories import answer_every_practice
from workshops import services
from workshops.board import workshop_practices
from workshops.models import Workshop

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def decide_url(workshop, practice):
    return reverse("workshops:decide", args=[workshop.pk, practice.slug])


def field(practice, name):
    return f"decide-{practice.slug}-{name}"


def selected(page_text, name):
    """The value of the selected option of the <select> called `name`."""
    select = re.search(rf'<select name="{name}".*?</select>', page_text, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def not_applicable_practice(workshop):
    return next(p for p in workshop_practices(workshop) if p.allows_not_applicable)


def test_the_agreed_answer_is_not_preselected_even_when_the_room_has_voted(client_for, lead, workshop):
    practice = workshop_practices(workshop)[0]
    participant = services.join_as_guest(workshop=workshop, display_name="Voter", address="192.0.2.1")
    services.cast_ballot(participant=participant, practice=practice, level=3, not_applicable=False)
    page = client_for(lead).get(workshop.get_absolute_url())
    assert selected(page.text, field(practice, "level")) == ""
    assert "Choose the agreed level" in page.text
    assert "most votes: level 3" in page.text


def test_recording_without_choosing_a_level_records_nothing(client_for, lead, workshop, assessment):
    practice = workshop_practices(workshop)[0]
    response = client_for(lead).post(decide_url(workshop, practice), {field(practice, "level"): ""})
    assert response.status_code == 400
    assert "Choose the level the room agreed on." in response.text
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_after_a_decision_the_form_shows_it_with_its_reason_and_note(client_for, lead, workshop):
    practice = not_applicable_practice(workshop)
    client = client_for(lead)
    client.post(
        decide_url(workshop, practice),
        {
            field(practice, "level"): "na",
            field(practice, "not_applicable_reason"): "architecture",
            field(practice, "note"): "No models here",
        },
    )
    page = client.get(workshop.get_absolute_url())
    assert selected(page.text, field(practice, "level")) == "na"
    assert selected(page.text, field(practice, "not_applicable_reason")) == "architecture"
    assert re.search(rf'<textarea name="{field(practice, "note")}"[^>]*>\s*No models here</textarea>', page.text)


def answer_at_level_1(assessment, user, practice, *, notes):
    assessment_services.save_answers(
        assessment=assessment,
        user=user,
        answers=[assessment_services.AnswerInput(practice, practice.options.all()[1], notes=notes)],
    )


def test_changing_the_agreed_answer_keeps_the_note_already_on_the_answer(client_for, lead, workshop, assessment):
    practice = workshop_practices(workshop)[0]
    answer_at_level_1(assessment, lead, practice, notes="Evidence: runbook")
    client = client_for(lead)
    page = client.get(workshop.get_absolute_url())
    note = re.search(rf'<textarea name="{field(practice, "note")}"[^>]*>\s*(.*?)</textarea>', page.text, re.S).group(1)
    assert note == "Evidence: runbook"
    # The browser sends the form as shown: the note goes back with the new level.
    client.post(decide_url(workshop, practice), {field(practice, "level"): "3", field(practice, "note"): note})
    answer = Answer.objects.select_related("option").get(assessment=assessment, practice=practice)
    assert (answer.option.level, answer.notes) == (3, "Evidence: runbook")


def test_emptying_the_note_on_purpose_clears_it(client_for, lead, workshop, assessment):
    practice = workshop_practices(workshop)[0]
    answer_at_level_1(assessment, lead, practice, notes="Out of date")
    client_for(lead).post(decide_url(workshop, practice), {field(practice, "level"): "2", field(practice, "note"): ""})
    assert Answer.objects.get(assessment=assessment, practice=practice).notes == ""


def test_a_not_applicable_decision_keeps_the_detail_typed_in_the_questionnaire(lead, workshop, assessment):
    practice = not_applicable_practice(workshop)
    assessment_services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[assessment_services.AnswerInput(practice, None, "architecture", "Batch only", notes="n")],
    )
    services.record_decision(
        workshop=workshop,
        answer=assessment_services.AnswerInput(practice, None, not_applicable_reason="architecture", notes="n"),
        user=lead,
    )
    assert Answer.objects.get(assessment=assessment, practice=practice).not_applicable_detail == "Batch only"


def test_a_rejected_decision_is_shown_again_as_typed_beside_its_error(client_for, lead, workshop, assessment):
    practice = not_applicable_practice(workshop)
    response = client_for(lead).post(
        decide_url(workshop, practice),
        {field(practice, "level"): "na", field(practice, "note"): "Half the room says N/A"},
    )
    assert response.status_code == 400
    assert selected(response.text, field(practice, "level")) == "na"
    assert "Half the room says N/A</textarea>" in response.text
    row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', response.text, re.S).group(0)
    assert "Say why this practice does not apply." in row
    # The form posts to an address ending in the row's anchor, so the browser shows the row, not the top.
    assert f'action="{decide_url(workshop, practice)}#row-{practice.slug}"' in row
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_recorded_decision_is_confirmed_in_its_row(client_for, lead, workshop):
    practice, other = workshop_practices(workshop)[:2]
    client = client_for(lead)
    response = client.post(decide_url(workshop, practice), {field(practice, "level"): "2"})
    assert response.url.endswith(f"?recorded={practice.slug}#row-{practice.slug}")
    page = client.get(response.url)
    row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', page.text, re.S).group(0)
    assert "Recorded the room's answer" in row
    assert page.text.count("Recorded the room's answer") == 1


def test_a_decision_on_a_submitted_assessment_is_refused_in_its_row(client_for, lead, workshop, assessment):
    practice = workshop_practices(workshop)[0]
    answer_every_practice(assessment, lead)
    assessment_services.submit_assessment(assessment=assessment, user=lead)
    response = client_for(lead).post(
        decide_url(workshop, practice), {field(practice, "level"): "1", field(practice, "note"): "Kept"}
    )
    assert response.status_code == 400
    assert "The assessment has been submitted" in response.text and "Kept</textarea>" in response.text


def test_the_board_links_to_a_confirmation_before_closing(client_for, lead, workshop):
    client = client_for(lead)
    close_url = reverse("workshops:close", args=[workshop.pk])
    board = client.get(workshop.get_absolute_url())
    assert f'<a class="btn btn-outline-danger ms-auto" href="{close_url}">' in board.text
    assert f'action="{close_url}"' not in board.text
    confirm = client.get(close_url)
    assert confirm.status_code == 200 and "Closing cannot be undone" in confirm.text
    workshop.refresh_from_db()
    assert workshop.is_open


def test_confirming_closes_the_workshop(client_for, lead, workshop, assessment):
    response = client_for(lead).post(reverse("workshops:close", args=[workshop.pk]))
    assert response.url == assessment.get_absolute_url()
    workshop.refresh_from_db()
    assert workshop.state == "closed"


def test_a_closed_board_no_longer_invites_people_to_join_or_polls(client_for, lead, workshop):
    services.close_workshop(workshop=workshop)
    client = client_for(lead)
    page = client.get(workshop.get_absolute_url())
    assert "This workshop has closed" in page.text
    assert workshop.join_code not in page.text and "<svg viewBox" not in page.text.split('class="card')[0]
    assert 'hx-trigger="every 2s"' not in page.text
    assert client.get(workshop.get_absolute_url(), **HTMX).status_code == 286


def test_a_closed_projector_says_so_without_the_join_invitation_and_stops_polling(client_for, lead, workshop):
    services.close_workshop(workshop=workshop)
    client = client_for(lead)
    page = client.get(reverse("workshops:projector", args=[workshop.pk]))
    assert "This workshop has closed" in page.text
    assert workshop.join_code not in page.text and "Scan to join" not in page.text and "hx-trigger" not in page.text
    poll = client.get(reverse("workshops:projector", args=[workshop.pk]), **HTMX)
    assert poll.headers["HX-Refresh"] == "true"


def test_an_expired_projector_says_expired(client_for, lead, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client_for(lead).get(reverse("workshops:projector", args=[workshop.pk]))
    assert "This workshop has expired" in page.text and workshop.join_code not in page.text


def test_the_board_and_projector_show_what_each_level_means(client_for, lead, workshop):
    practice = workshop_practices(workshop)[0]
    services.move_room(workshop=workshop, practice=practice)
    client = client_for(lead)
    board = client.get(workshop.get_absolute_url()).text
    projector = client.get(reverse("workshops:projector", args=[workshop.pk])).text
    for option in practice.options.all():
        assert escape(option.description) in board
        assert escape(option.description) in projector


def test_the_overview_tells_expired_workshops_from_closed_ones(client_for, lead, assessment, workshop):
    closed = services.create_workshop(assessment=assessment, user=lead, title="Closed", challenge_slugs=[], hours=1)
    services.close_workshop(workshop=closed)
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client_for(lead).get(assessment.get_absolute_url()).text
    items = dict(re.findall(r'<li><a href="/workshops/\d+/"><bdi>([^<]+)</bdi></a>(.*?)</li>', page))
    assert "· expired" in items["Kick-off"] and "closed" not in items["Kick-off"]
    assert "· closed" in items["Closed"]


def test_a_note_changed_in_the_questionnaire_after_the_board_was_drawn_is_not_overwritten(
    client_for, lead, member, workshop, assessment
):
    practice = workshop_practices(workshop)[0]
    answer_at_level_1(assessment, lead, practice, notes="Seen on the board")
    client = client_for(lead)
    page = client.get(workshop.get_absolute_url()).text
    seen = re.search(rf'name="{field(practice, "revision")}" value="(\d+)"', page).group(1)
    # Meanwhile a member adds evidence in the questionnaire.
    answer_at_level_1(assessment, member, practice, notes="New evidence from the member")
    typed = {
        field(practice, "level"): "3",
        field(practice, "note"): "Seen on the board",
        field(practice, "revision"): seen,
    }
    response = client.post(decide_url(workshop, practice), typed)
    assert response.status_code == 400
    assert escape("Its notes are now: “New evidence from the member”") in response.text
    assert selected(response.text, field(practice, "level")) == "3"  # the facilitator's choice is kept
    assert not workshop.decisions.exists()
    answer = Answer.objects.select_related("option").get(assessment=assessment, practice=practice)
    assert (answer.option.level, answer.notes) == (1, "New evidence from the member")
    # Recording again, now against the current revision, replaces it on purpose.
    current = re.search(rf'name="{field(practice, "revision")}" value="(\d+)"', response.text).group(1)
    client.post(decide_url(workshop, practice), typed | {field(practice, "revision"): current})
    answer.refresh_from_db()
    assert (answer.option.level, answer.notes) == (3, "Seen on the board")


def test_a_tied_vote_is_called_tied_and_no_level_is_highlighted(client_for, lead, workshop):
    practice = workshop_practices(workshop)[0]
    for name, level in (("Ann", 0), ("Bo", 3)):
        participant = services.join_as_guest(workshop=workshop, display_name=name, address="192.0.2.1")
        services.cast_ballot(participant=participant, practice=practice, level=level, not_applicable=False)
    page = client_for(lead).get(workshop.get_absolute_url()).text
    tally = page.split(f'id="tally-{practice.slug}"', 1)[1].split("</table>", 1)[0]
    assert "tied: levels 0 and 3" in tally
    assert "most votes" not in tally and 'class="suggested"' not in tally


def test_each_card_shows_the_current_answer_preselected_and_says_when_recording_replaces_it(
    client_for, lead, workshop, assessment
):
    practice = workshop_practices(workshop)[0]
    assessment_services.save_answers(
        assessment=assessment, user=lead, answers=[assessment_services.AnswerInput(practice, practice.options.all()[2])]
    )
    client = client_for(lead)
    page = client.get(workshop.get_absolute_url()).text
    row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', page, re.S).group(0)
    assert "In the assessment now:" in row and "level 2 · Repeatable" in row
    assert selected(page, field(practice, "level")) == "2"

    response = client.post(
        decide_url(workshop, practice), {field(practice, "level"): "1", field(practice, "revision"): "1"}
    )
    assert "replaced=2" in response.url
    row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', client.get(response.url).text, re.S).group(
        0
    )
    assert "It replaced the earlier answer, level 2." in row
    assert Answer.objects.get(assessment=assessment, practice=practice).option.level == 1


def test_the_reason_list_appears_only_on_cards_of_practices_that_may_be_not_applicable(client_for, lead, workshop):
    page = client_for(lead).get(workshop.get_absolute_url()).text
    for practice in workshop_practices(workshop):
        row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', page, re.S).group(0)
        assert (field(practice, "not_applicable_reason") in row) == practice.allows_not_applicable, practice.slug


def test_an_inherited_answer_is_not_replaced_by_the_room_and_the_board_says_why(client_for, lead, workshop, assessment):
    from assessments import shared_answers

    practice = workshop_practices(workshop)[0]
    platform = shared_answers.create_answer_set(organisation=assessment.team.organisation, user=lead, name="Platform")
    shared = assessment_services.AnswerInput(practice, practice.options.get(level=3))
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=[shared])
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    client = client_for(lead)

    assert "inherited from the shared answers “<bdi>Platform</bdi>”" in client.get(workshop.get_absolute_url()).text
    response = client.post(decide_url(workshop, practice), {field(practice, "level"): "1"})

    assert "Nothing was recorded" in response.text
    assert Answer.objects.get(assessment=assessment, practice=practice).option.level == 3


def test_a_carried_suggestion_shows_on_the_board_as_waiting_for_confirmation(client_for, lead, workshop, assessment):
    practice = workshop_practices(workshop)[0]
    Answer.objects.create(
        assessment=assessment,
        practice=practice,
        to_confirm=True,
        suggested_option=practice.options.all()[3],
        carried_from={"assessment": "Spring", "version": "2026.1", "answers": []},
        updated_by=lead,
    )
    page = client_for(lead).get(workshop.get_absolute_url()).text
    row = re.search(rf'<section[^>]*id="row-{practice.slug}".*?</section>', page, re.S).group(0)
    now = row.split("In the assessment now:", 1)[1].split("</p>", 1)[0]
    assert "<strong>level 3 suggested</strong>, carried from an earlier assessment and not yet confirmed." in now
    assert "no answer yet" not in now and ", by " not in now
