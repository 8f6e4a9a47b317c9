"""Answering: autosave, the no-JavaScript path, and two people editing at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.models import Answer, AnswerChange
from assessments.results import scoped_practices
from playbook.published import load_practices
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def assessment(team, lead, playbook):
    return services.create_assessment(team=team, user=lead, title="Now")


@pytest.fixture
def challenge(playbook):
    return playbook.challenges.first()


@pytest.fixture
def practices(playbook, challenge):
    return load_practices(playbook, challenge)


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def card_data(practice, level, *, seen_revision=0, seen_level="", notes="", seen_notes=""):
    prefix = practice.slug
    return {
        f"{prefix}-level": str(level),
        f"initial-{prefix}-level": seen_level,
        f"{prefix}-notes": notes,
        f"initial-{prefix}-notes": seen_notes,
        f"{prefix}-revision": str(seen_revision),
    }


def autosave(client, assessment, challenge, practice, data):
    url = reverse("assessments:save_practice", args=[assessment.pk, challenge.slug, practice.slug])
    return client.post(url, data, **HTMX)


def stored_level(assessment, practice):
    answer = Answer.objects.select_related("option").get(assessment=assessment, practice=practice)
    return answer.option.level if answer.option else None


def test_autosave_stores_one_practice_and_returns_its_card_marked_saved(assessment, challenge, practices, member):
    response = autosave(signed_in(member), assessment, challenge, practices[0], card_data(practices[0], 2))
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<section class="card mb-3 practice-card" id="practice-{practices[0].slug}"'
    )
    assert "<html" not in response.text
    assert ">Saved<" in response.text
    assert stored_level(assessment, practices[0]) == 2
    assert f'name="{practices[0].slug}-revision" value="1"' in response.text


def test_autosave_updates_the_challenges_answered_count_above_the_cards(assessment, challenge, practices, member):
    client = signed_in(member)
    response = autosave(client, assessment, challenge, practices[0], card_data(practices[0], 2))
    badge = re.search(rf'<span id="progress-{challenge.slug}"[^>]*hx-swap-oob="true"[^>]*>([^<]*)<', response.text)
    assert badge and badge.group(1) == f"1/{len(practices)}"
    unchanged = card_data(practices[0], 2, seen_revision=1, seen_level="2")
    assert "hx-swap-oob" not in autosave(client, assessment, challenge, practices[0], unchanged).text


def test_an_autosave_that_changes_nothing_redraws_the_stored_answer(assessment, challenge, practices, member):
    # Leaving a notes field fires a save even when nothing changed: the card must not come back blank.
    client, practice = signed_in(member), practices[0]
    autosave(client, assessment, challenge, practice, card_data(practice, 2, notes="Runbook"))
    unchanged = card_data(practice, 2, seen_revision=1, seen_level="2", notes="Runbook", seen_notes="Runbook")
    response = autosave(client, assessment, challenge, practice, unchanged)
    assert f'name="{practice.slug}-revision" value="1"' in response.text
    assert re.search(rf'<input[^>]*name="{practice.slug}-level"[^>]*value="2"[^>]*checked', response.text)
    assert ">Runbook</textarea>" in response.text
    # The next real change goes through, instead of clashing with the person's own earlier save.
    changed = card_data(practice, 3, seen_revision=1, seen_level="2", notes="Runbook", seen_notes="Runbook")
    response = autosave(client, assessment, challenge, practice, changed)
    assert ">Saved<" in response.text and "changed by someone else" not in response.text
    assert stored_level(assessment, practice) == 3


def test_autosave_shows_validation_errors_in_the_card_and_keeps_the_input(assessment, challenge, practices, member):
    data = card_data(practices[0], 1, notes="x" * 2001)
    response = autosave(signed_in(member), assessment, challenge, practices[0], data)
    assert "Not saved: see below" in response.text
    assert "x" * 2001 in response.text
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_autosave_without_htmx_sends_the_browser_back_to_the_assessment(assessment, challenge, practices, member):
    url = reverse("assessments:save_practice", args=[assessment.pk, challenge.slug, practices[0].slug])
    response = signed_in(member).post(url, card_data(practices[0], 2))
    assert response.status_code == 302
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_autosave_on_a_submitted_assessment_explains_why_nothing_was_saved(assessment, challenge, practices, lead):
    assessment.status = "submitted"
    assessment.save()
    response = autosave(signed_in(lead), assessment, challenge, practices[0], card_data(practices[0], 2))
    assert "Not saved: this assessment has been submitted" in response.text
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_viewer_cannot_autosave(assessment, challenge, practices, viewer):
    response = autosave(signed_in(viewer), assessment, challenge, practices[0], card_data(practices[0], 2))
    assert response.status_code == 403


def test_two_people_changing_different_practices_keep_both_answers(assessment, challenge, practices, lead, member):
    alice, bob = signed_in(lead), signed_in(member)
    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
    # Both open the page while nothing is answered; Alice saves practice 0 first.
    autosave(alice, assessment, challenge, practices[0], card_data(practices[0], 3))
    # Bob submits the whole page as he saw it: practice 0 untouched, practice 1 answered.
    data = {"save": ""}
    for practice in practices:
        data |= card_data(practice, "")
    data |= card_data(practices[1], 1)
    response = bob.post(url, data)
    assert response.status_code == 302
    assert stored_level(assessment, practices[0]) == 3
    assert stored_level(assessment, practices[1]) == 1


def test_a_conflicting_edit_of_the_same_practice_is_shown_to_the_second_person(
    assessment, challenge, practices, lead, member
):
    alice, bob = signed_in(lead), signed_in(member)
    practice = practices[0]
    autosave(alice, assessment, challenge, practice, card_data(practice, 3, notes="Alice's evidence"))

    # Bob saw the empty answer (revision 0) and picks level 1.
    response = autosave(bob, assessment, challenge, practice, card_data(practice, 1))
    assert "Not saved: changed by someone else" in response.text
    assert f"<strong><bdi>{lead.username}</bdi></strong> changed this answer" in response.text
    assert "level 3" in response.text and "Alice&#39;s evidence" in response.text
    assert stored_level(assessment, practice) == 3
    # His own choice is still selected, now against the current revision.
    assert f'name="{practice.slug}-revision" value="1"' in response.text
    assert re.search(rf'<input[^>]*name="{practice.slug}-level"[^>]*value="1"[^>]*checked', response.text)
    assert not re.search(rf'<input[^>]*name="{practice.slug}-level"[^>]*value="3"[^>]*checked', response.text)

    # Saving again deliberately replaces Alice's answer.
    again = autosave(bob, assessment, challenge, practice, card_data(practice, 1, seen_revision=1, seen_level="3"))
    assert ">Saved<" in again.text
    assert stored_level(assessment, practice) == 1


def test_after_a_clash_the_card_stops_autosaving_until_the_person_chooses(
    assessment, challenge, practices, lead, member
):
    alice, bob = signed_in(lead), signed_in(member)
    practice = practices[0]
    autosave(alice, assessment, challenge, practice, card_data(practice, 3, notes="Alice's evidence"))
    card = autosave(bob, assessment, challenge, practice, card_data(practice, 1, notes="Bob's")).text
    section = card.split(">", 1)[0]
    assert "hx-trigger" not in section and 'data-autosave="paused"' in section
    assert "Replace theirs with mine" in card and "Keep theirs" in card
    assert "Autosave is paused for this practice until you choose" in card


def test_keeping_theirs_after_a_clash_shows_their_answer_and_drops_the_typing(
    assessment, challenge, practices, lead, member
):
    alice, bob = signed_in(lead), signed_in(member)
    practice = practices[0]
    autosave(alice, assessment, challenge, practice, card_data(practice, 3, notes="Alice's evidence"))
    autosave(bob, assessment, challenge, practice, card_data(practice, 1, notes="Bob's"))
    kept = autosave(
        bob, assessment, challenge, practice, {"resolve": "theirs", **card_data(practice, 1, notes="Bob's")}
    )
    assert "Kept their answer" in kept.text and "Alice&#39;s evidence</textarea>" in kept.text
    assert "hx-preserve" not in kept.text  # the notes box shows theirs, not what Bob had typed
    assert "hx-trigger" in kept.text.split(">", 1)[0]  # autosave is back on
    assert stored_level(assessment, practice) == 3


def test_a_conflict_in_the_full_page_post_saves_the_rest_and_flags_the_clash(
    assessment, challenge, practices, lead, member
):
    alice, bob = signed_in(lead), signed_in(member)
    autosave(alice, assessment, challenge, practices[0], card_data(practices[0], 3))
    data = {"save": ""}
    for practice in practices:
        data |= card_data(practice, "")
    data |= card_data(practices[0], 0) | card_data(practices[1], 2)
    response = bob.post(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug]), data)
    assert response.status_code == 200
    assert "Someone else changed an answer you also changed" in response.text
    assert stored_level(assessment, practices[0]) == 3
    assert stored_level(assessment, practices[1]) == 2


def test_every_change_is_recorded_with_who_and_from_what_to_what(assessment, challenge, practices, lead):
    client = signed_in(lead)
    autosave(client, assessment, challenge, practices[0], card_data(practices[0], 1))
    autosave(client, assessment, challenge, practices[0], card_data(practices[0], 2, seen_revision=1, seen_level="1"))
    changes = list(AnswerChange.objects.filter(assessment=assessment).order_by("pk"))
    assert [(c.before and c.before["level"], c.after["level"]) for c in changes] == [(None, 1), (1, 2)]
    assert {c.changed_by for c in changes} == {lead}
    page = client.get(reverse("assessments:audit", args=[assessment.pk]))
    assert "level 1" in page.text and "level 2" in page.text


def test_prefill_copies_the_previous_answers_and_notes(team, lead, playbook, practices):
    first = services.create_assessment(team=team, user=lead, title="Spring")
    services.save_answers(
        assessment=first,
        user=lead,
        answers=[services.AnswerInput(p, p.options.all()[2], notes=f"note {p.slug}") for p in practices],
    )
    response = signed_in(lead).post(
        reverse("assessments:start_assessment", args=[team.pk]),
        {"subject": "Card fraud scoring", "title": "Autumn", "prefill_from": first.pk},
    )
    second = team.assessments.get(title="Autumn")
    assert response.url == second.get_absolute_url()
    copied = {a.practice.slug: (a.option.level, a.notes) for a in second.answers.select_related("option", "practice")}
    assert copied == {p.slug: (2, f"note {p.slug}") for p in practices}
    assert first.answers.count() == len(practices)
    # The audit trail accounts for the copied answers instead of saying there are none.
    audit = signed_in(lead).get(reverse("assessments:audit", args=[second.pk])).text
    assert audit.count("copied from “<bdi>Spring</bdi>”") == len(practices)


def test_the_audit_trail_names_the_reason_for_not_applicable(assessment, challenge, practices, lead):
    practice = next(p for p in load_practices(assessment.playbook) if p.allows_not_applicable)
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(practice, None, not_applicable_reason="out_of_scope", notes="Batch only")],
    )
    audit = signed_in(lead).get(reverse("assessments:audit", args=[assessment.pk])).text
    assert "not applicable: out of scope" in audit


def test_a_change_survives_a_validation_error_elsewhere_on_the_page(assessment, challenge, practices, lead):
    client = signed_in(lead)
    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
    data = {"save": ""}
    for practice in practices:
        data |= card_data(practice, "")
    data |= card_data(practices[0], 3)
    data[f"{practices[1].slug}-notes"] = "x" * 2001
    page = client.post(url, data)
    assert "Some answers need attention" in page.text
    summary = page.text.split('id="answer-errors"')[1].split("</div>")[0]
    assert f'<a href="#practice-{practices[1].slug}">{escape(practices[1].title)}</a>' in summary
    assert practices[0].slug not in summary
    # The re-drawn page still remembers that the person saw no answer, so the change still counts as a change.
    assert f'name="initial-{practices[0].slug}-level" value=""' in page.text
    assert re.search(rf'name="{practices[0].slug}-level"[^>]*value="3"[^>]*checked', page.text)
    data[f"{practices[1].slug}-notes"] = "Shorter evidence"
    assert client.post(url, data).status_code == 302
    assert stored_level(assessment, practices[0]) == 3


def test_a_cached_page_shows_an_answer_changed_since_it_was_drawn(assessment, challenge, practices, lead, member):
    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
    signed_in(lead).get(url)
    autosave(signed_in(member), assessment, challenge, practices[0], card_data(practices[0], 4))
    page = signed_in(lead).get(url)
    assert re.search(rf'name="{practices[0].slug}-level"[^>]*value="4"[^>]*checked', page.text)


def test_a_viewer_never_gets_the_editable_cards_a_member_saw(assessment, challenge, member, viewer):
    url = reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])
    assert "hx-post" in signed_in(member).get(url).text
    assert "hx-post" not in signed_in(viewer).get(url).text


def test_a_signed_out_autosave_gets_a_401_not_the_login_page(assessment, challenge, practices):
    # Following the login redirect inside the request would swap a whole login page into the card.
    response = autosave(Client(), assessment, challenge, practices[0], card_data(practices[0], 2))
    assert response.status_code == 401
    assert "<form" not in response.text
    url = reverse("assessments:save_practice", args=[assessment.pk, challenge.slug, practices[0].slug])
    assert Client().post(url, card_data(practices[0], 2)).status_code == 302  # without htmx: the login page


def test_notes_over_the_limit_are_refused_beside_the_field_and_kept_not_cut(assessment, challenge, practices, member):
    long_notes = "evidence " * 306 + "end"  # 2,757 characters, like the 2,760 pasted in the report
    card = autosave(
        signed_in(member), assessment, challenge, practices[0], card_data(practices[0], 2, notes=long_notes)
    )
    assert "Not saved: see below" in card.text
    assert "Ensure this value has at most 2000 characters (it has 2757)." in card.text
    assert f">{long_notes}</textarea>" in card.text
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_no_text_field_lets_the_browser_cut_what_is_pasted(client_for, lead, team, assessment, challenge):
    """maxlength makes a browser drop pasted text silently; every limit is counted and checked instead."""
    client = client_for(lead)
    pages = [
        reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug]),
        reverse("assessments:start_assessment", args=[team.pk]),
        reverse("assessments:members", args=[team.pk]),
        reverse("workshops:create", args=[assessment.pk]),
        reverse("workshops:join"),
    ]
    for url in pages:
        html = client.get(url).text
        assert "maxlength" not in html, url
    questionnaire = client.get(pages[0]).text
    assert 'data-max-length="2000"' in questionnaire and 'class="char-count' in questionnaire


def critical_practice_that_may_be_not_applicable(assessment):
    return next(p for p in scoped_practices(assessment) if p.is_critical and p.allows_not_applicable)


def test_a_critical_practice_may_be_not_applicable_only_under_its_own_rule(assessment, lead):
    practice = critical_practice_that_may_be_not_applicable(assessment)
    client = signed_in(lead)
    page = client.get(reverse("assessments:questionnaire", args=[assessment.pk, practice.challenge.slug])).text
    card = page.split(f'id="practice-{practice.slug}"', 1)[1].split("</section>", 1)[0]
    reasons = re.findall(r'<option value="([^"]+)"', card.split(f'name="{practice.slug}-not_applicable_reason"', 1)[1])
    assert reasons == ["playbook_rule"]
    assert practice.not_applicable_rule[:40] in card  # the rule is shown beside the choice
    data = card_data(practice, "na") | {f"{practice.slug}-not_applicable_reason": "out_of_scope"}
    refused = autosave(client, assessment, practice.challenge, practice, data)
    assert "Select a valid choice" in refused.text and not Answer.objects.filter(assessment=assessment).exists()
    data[f"{practice.slug}-not_applicable_reason"] = "playbook_rule"
    autosave(client, assessment, practice.challenge, practice, data)
    assert Answer.objects.get(assessment=assessment, practice=practice).not_applicable_reason == "playbook_rule"


def test_an_earlier_general_reason_on_a_critical_practice_is_shown_as_needing_review(assessment, lead):
    practice = critical_practice_that_may_be_not_applicable(assessment)
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(practice, None, not_applicable_reason="business_priority")],
    )
    client = signed_in(lead)
    card = client.get(reverse("assessments:questionnaire", args=[assessment.pk, practice.challenge.slug])).text
    assert "Needs review." in card and "not applicable: business priority" in card
    results = client.get(reverse("assessments:results", args=[assessment.pk])).text
    assert f"{practice.title} (its answer needs review)" in results
    overview = client.get(assessment.get_absolute_url()).text
    assert "1 answer needs review" in overview


def test_a_carried_answer_waits_for_confirmation_and_counts_once_confirmed(assessment, challenge, practices, lead):
    practice = practices[0]
    Answer.objects.create(
        assessment=assessment,
        practice=practice,
        to_confirm=True,
        suggested_option=practice.options.all()[2],
        carried_from={
            "assessment": "Spring",
            "version": "2026.1",
            "answers": [{"title": "Old title", "level": 2, "statement": "The old wording of level 2."}],
        },
        notes="Kept evidence",
    )
    client = signed_in(lead)
    page = client.get(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])).text
    card = page.split(f'id="practice-{practice.slug}"', 1)[1].split("</section>", 1)[0]
    assert "To confirm." in card and "The old wording of level 2." in card
    assert re.search(rf'<input[^>]*name="{practice.slug}-level"[^>]*value="2"[^>]*checked', card)
    assert stored_level(assessment, practice) is None  # a suggestion is not an answer
    data = card_data(practice, 2, seen_revision=1, seen_level="2", notes="Kept evidence", seen_notes="Kept evidence")
    saved = autosave(client, assessment, challenge, practice, data | {f"{practice.slug}-confirm": "on"})
    assert ">Saved<" in saved.text and "To confirm." not in saved.text
    answer = Answer.objects.get(assessment=assessment, practice=practice)
    assert (answer.to_confirm, answer.option.level, answer.suggested_option, answer.carried_from) == (
        False,
        2,
        None,
        None,
    )


def test_the_questionnaire_names_the_product_assessed(client_for, team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Q3", subject="Card fraud scoring")
    challenge = assessment.playbook.challenges.first()
    page = client_for(lead).get(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])).text
    assert "Assessing: <strong><bdi>Card fraud scoring</bdi></strong>" in page


def test_a_practice_about_the_organisation_says_so_on_its_card(client_for, team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Q3", subject="Card fraud scoring")
    wide = [p for p in scoped_practices(assessment) if p.is_organisation_wide]
    assert wide, "2027.1 has practices about the organisation around the product"
    practice = wide[0]
    url = reverse("assessments:questionnaire", args=[assessment.pk, practice.challenge.slug])
    page = client_for(lead).get(url).text
    for card in page.split('class="card mb-3 practice-card"')[1:]:
        slug = re.search(r'id="practice-([a-z0-9-]+)"', card).group(1)
        assert ("Organisation-wide</span>" in card) == (slug in {p.slug for p in wide}), slug
