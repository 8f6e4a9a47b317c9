"""Shared answer sets: inheriting, differing, changing a set, and what scores, plans, exports and submitted
assessments make of it (assessments/shared_answers.py and its pages)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import evidence, services, shared_answers
from assessments.exports import export_csv, export_json
from assessments.models import Answer, AnswerChange, SharedAnswerNotice, Status
from assessments.report import render_report_html
from assessments.results import build_results
from playbook.published import load_practices
from tests.factories import OrganisationFactory, TeamFactory, answer_every_practice

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def platform(team, lead):
    return shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="ML platform")


@pytest.fixture
def challenge(playbook):
    return playbook.challenges.order_by("order").first()


@pytest.fixture
def practices(playbook, challenge):
    return load_practices(playbook, challenge)


@pytest.fixture
def assessment(team, lead):
    return services.create_assessment(team=team, user=lead, title="Q3 review")


def answer(practice, level, notes=""):
    return services.AnswerInput(practice, practice.options.get(level=level), notes=notes)


def share(answer_set, user, *inputs):
    return shared_answers.save_shared_answers(answer_set=answer_set, user=user, answers=list(inputs))


def stored(assessment, practice) -> Answer | None:
    return Answer.objects.select_related("option").filter(assessment=assessment, practice=practice).first()


def level_of(assessment, practice) -> int | None:
    found = stored(assessment, practice)
    return found.option.level if found and found.option else None


# Inheriting


def test_inheriting_fills_the_practices_the_team_has_not_answered(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3, "Vault for every secret"), answer(practices[1], 4))
    services.save_answers(assessment=assessment, user=lead, answers=[answer(practices[1], 1)])

    outcome = shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    inherited = stored(assessment, practices[0])
    assert (inherited.option.level, inherited.notes, inherited.is_inherited) == (3, "Vault for every secret", True)
    assert inherited.shared_source == "ML platform" and inherited.shared_at is not None
    assert level_of(assessment, practices[1]) == 1  # the team's own answer stays
    assert outcome.inherited == 1 and outcome.kept_own == (practices[1].title,)


def test_an_inherited_answer_scores_like_the_same_answer_given_by_the_team(team, lead, platform, practices):
    share(platform, lead, answer(practices[0], 3), answer(practices[1], 1))
    inheriting = services.create_assessment(team=team, user=lead, title="Inherits")
    shared_answers.inherit_answer_set(assessment=inheriting, answer_set=platform, user=lead)
    own = services.create_assessment(team=team, user=lead, title="Answers itself")
    services.save_answers(assessment=own, user=lead, answers=[answer(practices[0], 3), answer(practices[1], 1)])

    assert build_results(inheriting).score == build_results(own).score


def test_a_set_of_another_organisation_or_playbook_version_cannot_be_inherited(assessment, lead, playbook):
    elsewhere = shared_answers.create_answer_set(organisation=OrganisationFactory(), user=lead, name="Theirs")
    with pytest.raises(shared_answers.NotInheritable):
        shared_answers.inherit_answer_set(assessment=assessment, answer_set=elsewhere, user=lead)


def test_where_two_sets_answer_a_practice_the_one_inherited_first_gives_it(assessment, team, platform, practices, lead):
    gateway = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="API gateway")
    share(platform, lead, answer(practices[0], 3))
    share(gateway, lead, answer(practices[0], 1), answer(practices[1], 2))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    outcome = shared_answers.inherit_answer_set(assessment=assessment, answer_set=gateway, user=lead)

    assert (level_of(assessment, practices[0]), level_of(assessment, practices[1])) == (3, 2)
    assert outcome.given_by_earlier == (practices[0].title,)


def test_a_submitted_assessment_cannot_start_inheriting(team, lead, platform):
    from tests.factories import submitted_assessment

    done = submitted_assessment(team, lead)
    with pytest.raises(services.AssessmentLocked):
        shared_answers.inherit_answer_set(assessment=done, answer_set=platform, user=lead)


# Read-only where inherited


def test_an_inherited_answer_is_not_changed_by_saving_answers(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    result = services.save_answers(assessment=assessment, user=lead, answers=[answer(practices[0], 0)])

    assert result.inherited and not result.saved
    assert level_of(assessment, practices[0]) == 3


def test_autosaving_an_inherited_card_says_it_was_not_saved(
    client_for, assessment, platform, practices, challenge, lead
):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    url = reverse("assessments:save_practice", args=[assessment.pk, challenge.slug, practices[0].slug])

    response = client_for(lead).post(
        url, {f"{practices[0].slug}-level": "0", f"{practices[0].slug}-revision": "1"}, **HTMX
    )

    assert "Not saved: this answer is inherited from a shared set." in response.content.decode()
    assert level_of(assessment, practices[0]) == 3


def test_the_api_refuses_to_write_an_inherited_answer_with_its_own_error(client, assessment, platform, practices, lead):
    from api import services as api_services
    from api.models import TokenScope

    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    secret = api_services.create_token(user=lead, name="ci", scope=TokenScope.WRITE, days=1).secret
    url = reverse("api:answer", args=[assessment.pk, practices[0].slug])

    response = client.put(
        url, {"level": 0, "revision": 1}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "inherited"
    assert response.json()["current"]["inherited_from"] == "ML platform"
    assert level_of(assessment, practices[0]) == 3


def test_the_questionnaire_shows_an_inherited_answer_with_its_source_and_no_inputs(
    client_for, assessment, platform, practices, challenge, member, lead
):
    share(platform, lead, answer(practices[0], 3, "Vault"))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    page = client_for(member).get(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug]))

    html = page.content.decode()
    assert "Inherited from the shared answers “<bdi>ML platform</bdi>”" in html
    assert f'name="{practices[0].slug}-level"' not in html
    assert f'name="{practices[1].slug}-level"' in html
    assert 'form="shared-answer-' + practices[0].slug in html


def test_saving_the_questionnaire_page_leaves_an_inherited_answer_alone(
    client_for, assessment, platform, practices, challenge, lead
):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    data = {f"{practices[1].slug}-level": "2", f"{practices[1].slug}-revision": "0"}

    response = client_for(lead).post(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug]), data)

    assert response.status_code == 302
    assert (level_of(assessment, practices[0]), level_of(assessment, practices[1])) == (3, 2)


# The team differs


def test_the_team_differing_makes_the_answer_its_own_with_the_reason(assessment, platform, practices, member, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    shared_answers.differ_from_shared(
        assessment=assessment, user=member, practice=practices[0], reason="Our model bypasses the gateway"
    )
    services.save_answers(assessment=assessment, user=member, answers=[answer(practices[0], 1)])

    own = stored(assessment, practices[0])
    assert (own.option.level, own.team_differs, own.is_inherited) == (1, True, False)
    assert own.differs_reason == "Our model bypasses the gateway"


def test_differing_needs_a_reason(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    with pytest.raises(ValueError):
        shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[0], reason="  ")
    assert stored(assessment, practices[0]).is_inherited


def test_the_differ_page_action_without_a_reason_says_so_and_changes_nothing(
    client_for, assessment, platform, practices, challenge, lead
):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    url = reverse("assessments:differ_from_shared", args=[assessment.pk, challenge.slug, practices[0].slug])

    page = client_for(lead).post(url, {"reason": ""})

    assert page.status_code == 200 and "Say why the team answers this practice itself." in page.content.decode()
    assert stored(assessment, practices[0]).is_inherited


def test_a_reason_longer_than_allowed_comes_back_as_typed(client_for, assessment, platform, practices, challenge, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    url = reverse("assessments:differ_from_shared", args=[assessment.pk, challenge.slug, practices[0].slug])
    typed = "Our gateway is our own. " * 100  # 2,400 characters

    page = client_for(lead).post(url, {"reason": typed}).content.decode()

    assert typed.strip() in page and "at most 2000 characters" in page.replace(",", "")
    assert stored(assessment, practices[0]).is_inherited


def test_a_change_to_the_shared_answer_only_notifies_a_team_that_differs(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[0], reason="Own gateway")
    services.save_answers(assessment=assessment, user=lead, answers=[answer(practices[0], 1)])

    share(platform, lead, answer(practices[0], 4))

    assert level_of(assessment, practices[0]) == 1
    [notice] = SharedAnswerNotice.objects.filter(assessment=assessment)
    assert notice.applied is False and notice.after["level"] == 4


def test_using_the_shared_answer_again_takes_its_current_answer(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[0], reason="Own gateway")
    services.save_answers(assessment=assessment, user=lead, answers=[answer(practices[0], 1)])
    share(platform, lead, answer(practices[0], 4))

    shared_answers.use_shared_answer(assessment=assessment, user=lead, practice=practices[0])

    back = stored(assessment, practices[0])
    assert (back.option.level, back.is_inherited, back.differs_reason) == (4, True, "")


# Changing a set


def test_a_change_reaches_open_assessments_with_a_notice_and_leaves_submitted_ones(team, lead, platform, practices):
    share(platform, lead, answer(practices[0], 2))
    open_one = services.create_assessment(team=team, user=lead, title="Open")
    shared_answers.inherit_answer_set(assessment=open_one, answer_set=platform, user=lead)
    submitted = services.create_assessment(team=team, user=lead, title="Submitted")
    shared_answers.inherit_answer_set(assessment=submitted, answer_set=platform, user=lead)
    answer_every_practice(submitted, lead)  # the inherited practice keeps the shared answer
    services.submit_assessment(assessment=submitted, user=lead)

    result = share(platform, lead, answer(practices[0], 4, "Rotated monthly now"))

    assert result.assessments_updated == 1
    assert level_of(open_one, practices[0]) == 4 and level_of(submitted, practices[0]) == 2
    [notice] = SharedAnswerNotice.objects.filter(assessment=open_one)
    assert (notice.applied, notice.before["level"], notice.after["level"]) == (True, 2, 4)
    assert not SharedAnswerNotice.objects.filter(assessment=submitted).exists()


def test_a_reopened_assessment_catches_up_with_what_changed_while_it_was_submitted(team, lead, platform, practices):
    share(platform, lead, answer(practices[0], 2))
    assessment = services.create_assessment(team=team, user=lead, title="Submitted")
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    answer_every_practice(assessment, lead)
    services.submit_assessment(assessment=assessment, user=lead)
    share(platform, lead, answer(practices[0], 4))

    services.reopen_assessment(assessment=assessment, user=lead)

    assert level_of(assessment, practices[0]) == 4
    assert SharedAnswerNotice.objects.filter(assessment=assessment, applied=True).count() == 1


def test_a_shared_answer_removed_from_the_set_stays_in_open_assessments_as_the_teams_own(
    assessment, platform, practices, lead
):
    share(platform, lead, answer(practices[0], 3, "Vault"))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    result = share(platform, lead, services.AnswerInput(practices[0], None))

    assert result.removed == (practices[0].pk,)
    kept = stored(assessment, practices[0])
    assert (kept.option.level, kept.notes, kept.shared_source) == (3, "Vault", "")
    assert SharedAnswerNotice.objects.get(assessment=assessment).after is None


def test_a_stale_shared_answer_is_a_conflict_not_an_overwrite(platform, practices, lead, member):
    share(platform, lead, answer(practices[0], 3))
    share(platform, member, answer(practices[0], 2))  # revision 2 now

    stale = services.AnswerInput(practices[0], practices[0].options.get(level=0), seen_revision=1)
    result = share(platform, lead, stale)

    assert result.conflicts and not result.saved
    assert platform.answers.get().option.level == 2


def test_stopping_inheriting_keeps_the_answers_as_the_teams_own(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    shared_answers.stop_inheriting(assessment=assessment, answer_set=platform, user=lead)

    kept = stored(assessment, practices[0])
    assert (kept.option.level, kept.is_inherited, kept.shared_source) == (3, False, "")


def test_deleting_a_set_leaves_open_assessments_their_answers_and_submitted_ones_their_source(
    team, lead, platform, practices
):
    share(platform, lead, answer(practices[0], 3))
    open_one = services.create_assessment(team=team, user=lead, title="Open")
    shared_answers.inherit_answer_set(assessment=open_one, answer_set=platform, user=lead)
    submitted = services.create_assessment(team=team, user=lead, title="Submitted")
    shared_answers.inherit_answer_set(assessment=submitted, answer_set=platform, user=lead)
    answer_every_practice(submitted, lead)
    services.submit_assessment(assessment=submitted, user=lead)

    assert shared_answers.delete_answer_set(answer_set=platform, user=lead) == 1

    assert level_of(open_one, practices[0]) == 3 and stored(open_one, practices[0]).shared_source == ""
    left = stored(submitted, practices[0])
    assert (left.option.level, left.shared_source, left.shared_answer_id) == (3, "ML platform", None)


# What pages, plans, exports and the audit trail say


def test_the_audit_trail_records_inheriting_changing_and_differing(client_for, assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 2))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    share(platform, lead, answer(practices[0], 3))
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[0], reason="Own keys")

    changes = list(AnswerChange.objects.filter(assessment=assessment, practice=practices[0]).order_by("pk"))

    assert [c.after.get("inherited_from") for c in changes] == ["ML platform", "ML platform", None]
    assert [c.after["level"] for c in changes] == [2, 3, 3]
    assert changes[-1].after["differs_from"] == "ML platform"
    page = client_for(lead).get(reverse("assessments:audit", args=[assessment.pk])).content.decode()
    assert "inherited from “<bdi>ML platform</bdi>”" in page and "the team differs from" in page


def test_exports_say_which_answers_were_inherited_and_where_the_team_differs(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3), answer(practices[1], 2))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[1], reason="Own CI")
    results = build_results(assessment)

    document = export_json(results, site_url="https://mlops.example")
    answers = {p["slug"]: p["answer"] for c in document["challenges"] for p in c["practices"]}
    assert answers[practices[0].slug]["inherited_from"] == "ML platform"
    assert answers[practices[1].slug]["inherited_from"] is None
    assert (answers[practices[1].slug]["differs_from"], answers[practices[1].slug]["differs_reason"]) == (
        "ML platform",
        "Own CI",
    )
    rows = {r["practice"]: r for r in csv.DictReader(io.StringIO(export_csv(results, site_url="").lstrip("\ufeff")))}
    assert rows[practices[0].slug]["inherited_from"] == "ML platform"
    assert rows[practices[1].slug]["differs_from"] == "ML platform"


def test_results_and_plan_name_the_set_an_inherited_answer_came_from(client_for, assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 0))  # low enough to be in the plan
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    html = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).content.decode()

    assert "the step is for the set's maintainers" in html
    assert "Inherited from the shared answers “<bdi>ML platform</bdi>”" in html


def test_the_overview_lists_changes_until_someone_marks_them_seen(client_for, assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 2))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    share(platform, lead, answer(practices[0], 4))
    client = client_for(lead)

    overview = client.get(reverse("assessments:overview", args=[assessment.pk])).content.decode()
    assert "Shared answers changed" in overview and practices[0].title in overview

    client.post(reverse("assessments:dismiss_shared_notices", args=[assessment.pk]))
    overview = client.get(reverse("assessments:overview", args=[assessment.pk])).content.decode()
    assert "Shared answers changed" not in overview


# The set's own pages


def test_a_lead_creates_a_set_and_a_taken_name_comes_back_with_what_was_typed(client_for, team, lead, platform):
    url = reverse("assessments:shared_answer_sets", args=[team.organisation.slug])
    client = client_for(lead)

    refused = client.post(url, {"name": "ml platform", "description": "Secrets and CI", "maintainer": lead.pk})
    assert refused.status_code == 200
    assert "already has a shared answer set of that name" in refused.content.decode()
    assert 'value="Secrets and CI"' in refused.content.decode()

    created = client.post(url, {"name": "API gateway", "description": "", "maintainer": lead.pk})
    assert created.status_code == 302
    assert team.organisation.shared_answer_sets.filter(name="API gateway", maintainer=lead).exists()


def test_answering_a_set_on_its_page_reaches_inheriting_assessments(
    client_for, assessment, platform, practices, challenge, lead
):
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    url = reverse("assessments:shared_answer_set_challenge", args=[platform.pk, challenge.slug])
    data = {
        f"{practices[0].slug}-level": "3",
        f"{practices[0].slug}-notes": "Vault",
        f"{practices[0].slug}-revision": "0",
    }

    page = client_for(lead).post(url, data, follow=True)

    assert "1 open assessment took on the change" in page.content.decode()
    assert level_of(assessment, practices[0]) == 3 and stored(assessment, practices[0]).is_inherited


def test_only_the_maintainer_consultants_and_admins_change_a_set(client_for, platform, challenge, member, org_admin):
    url = reverse("assessments:shared_answer_set_challenge", args=[platform.pk, challenge.slug])
    assert client_for(member).get(url).status_code == 200  # read
    assert client_for(member).post(url, {}).status_code == 403
    assert client_for(org_admin).post(url, {}).status_code == 302


def test_another_organisations_set_is_not_found(client_for, platform, outsider):
    assert client_for(outsider).get(reverse("assessments:shared_answer_set", args=[platform.pk])).status_code == 404


def test_the_overview_offers_the_organisations_sets_to_inherit(client_for, assessment, platform, team, lead):
    TeamFactory(organisation=team.organisation)
    client = client_for(lead)
    assert "Inherit" in client.get(reverse("assessments:overview", args=[assessment.pk])).content.decode()

    share(platform, lead, answer(load_practices(assessment.playbook)[0], 3))
    response = client.post(
        reverse("assessments:inherit", args=[assessment.pk]), {"answer_set": platform.pk}, follow=True
    )

    assert "Inherited “ML platform”: 1 answer now comes from it." in response.content.decode()
    assert list(assessment.shared_answer_sets.all()) == [platform]
    assert assessment.status == Status.DRAFT


# Evidence files on shared answers


def attach_to_set(answer_set, practice, user, name="gateway-policy.md"):
    upload = SimpleUploadedFile(name, b"# Gateway policy\nEvery endpoint behind the gateway.\n")
    return evidence.attach_shared_evidence(answer_set=answer_set, practice=practice, user=user, upload=upload)


def test_a_shared_answers_file_is_listed_and_downloaded_with_the_inherited_answer(
    client_for, assessment, platform, practices, challenge, lead, member
):
    share(platform, lead, answer(practices[0], 3))
    attached = attach_to_set(platform, practices[0], lead)
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    client = client_for(member)

    card = client.get(reverse("assessments:questionnaire", args=[assessment.pk, challenge.slug])).content.decode()
    download = client.get(reverse("assessments:evidence_download", args=[assessment.pk, attached.pk]))

    assert "gateway-policy.md" in card
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    exported = export_json(build_results(assessment), site_url="", files=evidence.files_by_practice(assessment))
    files = [f for c in exported["challenges"] for p in c["practices"] for f in p.get("files", [])]
    assert [f["name"] for f in files] == ["gateway-policy.md"]


def test_a_team_cannot_remove_a_shared_answers_file_from_its_assessment(
    client_for, assessment, platform, practices, lead
):
    share(platform, lead, answer(practices[0], 3))
    attached = attach_to_set(platform, practices[0], lead)
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)

    response = client_for(lead).post(reverse("assessments:evidence_delete", args=[assessment.pk, attached.pk]))

    assert response.status_code == 404
    assert platform.evidence_files.filter(pk=attached.pk).exists()


def test_where_the_team_differs_the_shared_answers_files_are_no_longer_its_own(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 3))
    attach_to_set(platform, practices[0], lead)
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    assert evidence.files_by_practice(assessment)

    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[0], reason="Own gateway")

    assert evidence.files_by_practice(assessment) == {}


def test_another_organisation_cannot_download_a_sets_file(client_for, platform, practices, lead, outsider):
    attached = attach_to_set(platform, practices[0], lead)
    url = reverse("assessments:shared_evidence_download", args=[platform.pk, attached.pk])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(lead).get(url).status_code == 200


def test_a_refused_upload_to_a_set_says_why_and_stores_nothing(client_for, platform, practices, challenge, lead):
    url = reverse("assessments:shared_evidence_upload", args=[platform.pk, challenge.slug, practices[0].slug])

    page = client_for(lead).post(url, {"file": SimpleUploadedFile("page.html", b"<html></html>")}, follow=True)

    assert "“page.html” was not attached" in page.content.decode()
    assert not platform.evidence_files.exists()


def test_deleting_a_set_removes_its_stored_files(platform, practices, lead):
    attached = attach_to_set(platform, practices[0], lead)
    assert evidence.evidence_storage().exists(attached.stored_name)

    shared_answers.delete_answer_set(answer_set=platform, user=lead)

    assert not evidence.evidence_storage().exists(attached.stored_name)


def test_the_pdf_says_which_answers_were_inherited_and_where_the_team_differs(assessment, platform, practices, lead):
    share(platform, lead, answer(practices[0], 0), answer(practices[1], 2))
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[1], reason="Own CI runners")

    html = " ".join(render_report_html(build_results(assessment)).split())

    assert "Inherited from the shared answers “<bdi>ML platform</bdi>”" in html
    assert "departing from the shared answers “<bdi>ML platform</bdi>”: <bdi>Own CI runners</bdi>" in html
    assert "the step is for the set's maintainers" in html


def test_reopening_after_the_set_was_deleted_makes_its_answers_the_teams_own(team, lead, platform, practices):
    share(platform, lead, answer(practices[0], 3))
    assessment = services.create_assessment(team=team, user=lead, title="Submitted")
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    answer_every_practice(assessment, lead)
    services.submit_assessment(assessment=assessment, user=lead)
    shared_answers.delete_answer_set(answer_set=platform, user=lead)

    services.reopen_assessment(assessment=assessment, user=lead)

    kept = stored(assessment, practices[0])
    assert (kept.option.level, kept.is_inherited, kept.shared_source) == (3, False, "")


def test_an_autosaved_cards_files_are_those_files_of_finds(assessment, platform, practices, lead):
    """evidence.files_of_answer (one practice, its answer at hand) follows files_of's rule in every case."""
    share(platform, lead, answer(practices[0], 3), answer(practices[1], 2))
    set_files = [attach_to_set(platform, p, lead, name=f"{p.slug}.md") for p in practices[:2]]
    own = evidence.attach_evidence(
        assessment=assessment, practice=practices[2], user=lead, upload=SimpleUploadedFile("own.md", b"# Own\n")
    )
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=practices[1], reason="Own gateway")

    for practice in practices[:3]:
        expected = evidence.files_by_practice(assessment, [practice.pk]).get(practice.pk, [])
        assert evidence.files_of_answer(assessment, practice, stored(assessment, practice)) == expected
    assert evidence.files_of_answer(assessment, practices[0], stored(assessment, practices[0])) == [set_files[0]]
    assert evidence.files_of_answer(assessment, practices[1], stored(assessment, practices[1])) == []
    assert evidence.files_of_answer(assessment, practices[2], None) == [own]


def test_a_sets_page_lists_its_files_with_the_sets_own_addresses(client_for, platform, practices, challenge, lead):
    attached = attach_to_set(platform, practices[0], lead)
    page = client_for(lead).get(reverse("assessments:shared_answer_set_challenge", args=[platform.pk, challenge.slug]))
    text = page.content.decode()
    assert reverse("assessments:shared_evidence_download", args=[platform.pk, attached.pk]) in text
    assert reverse("assessments:shared_evidence_delete", args=[platform.pk, attached.pk]) in text
    assert "Teams inheriting this answer see its files." in text
    assert f'aria-describedby="evidence-help-{practices[0].slug}"' in text
