"""Deleting an assessment is a soft delete with a restore window; history survives reopening and deletion."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from assessments import services, sharing, tracking
from assessments.models import Action, AnswerChange, Assessment, ShareLink, Submission
from assessments.results import build_results
from audit.models import EventKind, SecurityEvent
from tests.factories import UserFactory, submitted_assessment
from workshops import services as workshop_services
from workshops.models import Ballot, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(team, lead):
    return submitted_assessment(team, lead, title="Spring review")


def _workshop(assessment, lead):
    slugs = [challenge.slug for challenge in assessment.playbook.challenges.all() if assessment.includes(challenge)]
    return workshop_services.create_workshop(
        assessment=assessment, user=lead, title="Room", challenge_slugs=slugs, hours=2
    )


def _delete(client, assessment):
    return client.post(reverse("assessments:delete", args=[assessment.pk]))


def test_deleting_hides_the_assessment_everywhere_but_keeps_its_history(client_for, team, lead, submitted, settings):
    settings.ASSESSMENT_RESTORE_DAYS = 30
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    plan_item = services.create_assessment(team=team, user=lead, title="unused")  # another, left alone
    changes = AnswerChange.objects.filter(assessment=submitted).count()
    client = client_for(lead)

    response = _delete(client, submitted)
    assert "restore it from the team page until" in client.get(response.url).text

    assert client.get(submitted.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessments:shared_results", args=[sharing.share_token(link)])).status_code == 404
    team_page = client.get(team.get_absolute_url()).text
    assert "Recently deleted" in team_page and "Spring review" in team_page.split("Recently deleted")[1]
    assert list(Assessment.objects.filter(team=team)) == [plan_item]
    # Nothing was erased: answers' audit trail, share links and the submission are all still stored.
    stored = Assessment.with_deleted.get(pk=submitted.pk)
    assert stored.deleted_by == lead
    assert AnswerChange.objects.filter(assessment=submitted).count() == changes > 0
    assert ShareLink.objects.filter(assessment=submitted).exists()
    assert Submission.objects.filter(assessment=submitted).count() == 1


def test_a_lead_restores_a_deleted_assessment_with_everything_it_had(client_for, lead, submitted):
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    client = client_for(lead)
    _delete(client, submitted)
    response = client.post(reverse("assessments:restore", args=[submitted.pk]))
    assert response.url == submitted.get_absolute_url()
    assert client.get(submitted.get_absolute_url()).status_code == 200
    assert client.get(reverse("assessments:shared_results", args=[sharing.share_token(link)])).status_code == 200
    kinds = list(SecurityEvent.objects.filter(team_id=submitted.team_id).values_list("kind", flat=True))
    assert {EventKind.ASSESSMENT_DELETED, EventKind.ASSESSMENT_RESTORED} <= set(kinds)


def test_a_deleted_assessments_actions_leave_the_team_list_and_come_back_on_restore(client_for, team, lead, submitted):
    action = tracking.track_action(assessment=submitted, item=build_results(submitted).plan[0], user=lead)
    actions_page = reverse("assessments:actions", args=[team.pk])
    assert action.title in client_for(lead).get(actions_page).text
    services.delete_assessment(assessment=submitted, user=lead)
    assert Action.objects.filter(team=team).count() == 0
    assert action.title not in client_for(lead).get(actions_page).text
    assert Action.with_deleted.filter(pk=action.pk).exists()
    services.restore_assessment(assessment=Assessment.with_deleted.get(pk=submitted.pk), user=lead)
    assert Action.objects.filter(team=team).count() == 1


def test_only_leads_and_consultants_restore_and_other_teams_cannot_find_it(
    client_for, lead, member, consultant, outsider, submitted
):
    services.delete_assessment(assessment=submitted, user=lead)
    restore = reverse("assessments:restore", args=[submitted.pk])
    assert client_for(outsider).post(restore).status_code == 404
    assert client_for(member).post(restore).status_code == 403
    assert "Recently deleted" not in client_for(member).get(submitted.team.get_absolute_url()).text
    assert client_for(consultant).post(restore).status_code == 302
    assert Assessment.objects.filter(pk=submitted.pk).exists()


def test_after_the_window_it_cannot_be_restored_and_purge_deleted_erases_it(client_for, lead, submitted, settings):
    settings.ASSESSMENT_RESTORE_DAYS = 30
    services.delete_assessment(assessment=submitted, user=lead)
    long_ago = timezone.now() - timedelta(days=31)
    Assessment.with_deleted.filter(pk=submitted.pk).update(deleted_at=long_ago)
    client = client_for(lead)
    response = client.post(reverse("assessments:restore", args=[submitted.pk]))
    assert "deleted too long ago to restore" in client.get(response.url).text
    assert Assessment.objects.filter(pk=submitted.pk).count() == 0

    out = StringIO()
    call_command("purge_deleted", stdout=out)
    assert "Purged 1 assessment" in out.getvalue()
    assert not Assessment.with_deleted.filter(pk=submitted.pk).exists()
    assert not AnswerChange.objects.filter(assessment_id=submitted.pk).exists()
    purged = SecurityEvent.objects.get(kind=EventKind.ASSESSMENT_PURGED)
    assert "Spring review" in purged.summary and purged.team_id == submitted.team_id


def test_purge_leaves_assessments_still_in_their_window(lead, submitted, settings):
    settings.ASSESSMENT_RESTORE_DAYS = 30
    services.delete_assessment(assessment=submitted, user=lead)
    assert services.purge_deleted() == []
    assert Assessment.with_deleted.filter(pk=submitted.pk).exists()


def test_the_audit_trail_is_protected_from_cascades(team, submitted):
    """Deleting the team (say, in the admin) cannot silently take an assessment's audit trail with it."""
    with pytest.raises(ProtectedError):
        team.delete()
    assert AnswerChange.objects.filter(assessment=submitted).exists()


def test_reopening_keeps_the_past_submission_and_says_who_reopened_it(client_for, lead, submitted):
    client = client_for(lead)
    client.post(reverse("assessments:reopen", args=[submitted.pk]))
    [past] = Submission.objects.filter(assessment=submitted)
    assert (past.submitted_by, past.reopened_by) == (lead, lead)
    assert past.submitted_at is not None and past.reopened_at is not None
    services.submit_assessment(assessment=submitted, user=lead)
    assert Submission.objects.filter(assessment=submitted).count() == 2
    page = client.get(submitted.get_absolute_url()).text
    assert page.count("Submitted ") >= 2 and f"reopened {timezone.localtime(past.reopened_at):%-d %b %Y}" in page


def test_deleting_a_user_keeps_their_ballots_in_the_tally(team, lead, member):
    assessment = services.create_assessment(team=team, user=lead, title="Workshop review")
    workshop = _workshop(assessment, lead)
    participant = workshop_services.join_as_member(workshop=workshop, user=member)
    practice = assessment.playbook.challenges.first().practices.first()
    workshop_services.cast_ballot(participant=participant, practice=practice, level=3, not_applicable=False)
    member.delete()
    participant.refresh_from_db()
    assert participant.user is None
    assert Ballot.objects.filter(participant=participant).count() == 1
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_a_deleted_assessment_closes_its_open_workshops(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Room review")
    workshop = _workshop(assessment, lead)
    services.delete_assessment(assessment=assessment, user=lead)
    workshop.refresh_from_db()
    assert workshop.closed_at is not None and not workshop.is_open


def test_a_user_deleted_after_submitting_is_still_named_in_the_history(team, submitted):
    submitter = UserFactory(username="leaving-lead")
    Submission.objects.filter(assessment=submitted).update(submitted_by=submitter, submitted_by_name="leaving-lead")
    submitter.delete()
    assert Submission.objects.get(assessment=submitted).submitted_by_name == "leaving-lead"
