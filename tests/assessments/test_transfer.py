"""Moving an assessment between installations: the download, the import page and what the import creates."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from assessments import services, tracking
from assessments.demo import load_demo
from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    AnswerChange,
    Assessment,
    NotApplicableReason,
    Status,
    Team,
)
from assessments.portable import MAX_DOCUMENT_BYTES
from assessments.results import build_results, scoped_practices
from audit.models import EventKind, SecurityEvent
from playbook.models import PlaybookVersion
from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_team(outsider):
    """A team in another organisation, standing in for another installation: nothing links the two."""
    return outsider.memberships.get().team


@pytest.fixture
def source(team, lead, member, playbook):
    """A draft with two modules and everything a team enters: levels, notes, reasons, a suggestion, targets and
    actions with owners and due dates."""
    modules = list(playbook.challenges.filter(is_module=True).values_list("slug", flat=True)[:2])
    assessment = services.create_assessment(
        team=team, user=lead, title="Autumn review", subject="Card fraud scoring", modules=modules
    )
    practices = scoped_practices(assessment)
    answers = []
    for number, practice in enumerate(practices):
        options = list(practice.options.all())
        if practice.allows_not_applicable and number % 2:
            reason = NotApplicableReason.PLAYBOOK_RULE if practice.is_critical else NotApplicableReason.OTHER
            detail = "" if practice.is_critical else "Batch only"
            answers.append(services.AnswerInput(practice, None, reason, detail))
        elif number % 5 != 4:  # some left unanswered
            answers.append(services.AnswerInput(practice, options[number % 4], notes=f"Evidence {number} “ü”"))
    services.save_answers(assessment=assessment, user=member, answers=answers)
    suggested = next(p for p in practices if not p.allows_not_applicable)
    Answer.objects.filter(assessment=assessment, practice=suggested).update(
        option=None,
        to_confirm=True,
        suggested_option=suggested.options.all()[3],
        carried_from={"assessment": "Spring", "version": "2026.1", "answers": []},
    )
    services.set_targets(assessment=assessment, targets={practices[0].challenge.slug: 4})
    for item, status in zip(build_results(assessment).plan[:3], ActionStatus, strict=False):
        action = tracking.track_action(assessment=assessment, item=item, user=lead)
        tracking.update_action(action=action, owner=member, due_date=date(2026, 12, 1), status=status)
    return assessment


@pytest.fixture
def exported(client_for, lead, source) -> bytes:
    """The source's document, as its team's lead downloads it."""
    return download(client_for(lead), source)


def entered(assessment: Assessment) -> tuple:
    """Everything a team entered in an assessment, without ids, people or times."""
    assessment.refresh_from_db()
    answers = sorted(
        (
            a.practice.slug,
            a.option.level if a.option else None,
            a.not_applicable_reason,
            a.not_applicable_detail,
            a.notes,
            a.to_confirm,
            a.suggested_option.level if a.suggested_option else None,
            json.dumps(a.carried_from, sort_keys=True),
        )
        for a in assessment.answers.select_related("practice", "option", "suggested_option")
    )
    actions = sorted(
        (a.challenge_slug, a.practice_slug, a.title, a.from_level, a.status, a.due_date)
        for a in Action.objects.filter(assessment=assessment)
    )
    scope = (assessment.playbook.version, assessment.title, assessment.subject, sorted(assessment.modules))
    return scope, assessment.targets, answers, actions


def download(client, assessment) -> bytes:
    response = client.get(reverse("assessments:export_document", args=[assessment.pk]))
    assert response.status_code == 200
    return response.content


def upload(client, team, content: bytes, *, name="autumn.assessment.json", title=""):
    document = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(reverse("assessments:import_assessment", args=[team.pk]), {"document": document, "title": title})


def imported(team) -> Assessment:
    return Assessment.objects.get(team=team)


def edited(content: bytes, change) -> bytes:
    data = json.loads(content)
    change(data)
    return json.dumps(data).encode()


def test_an_assessment_moves_to_another_team_with_everything_entered_and_the_same_results(
    client_for, outsider, source, exported, other_team
):
    response = upload(client_for(outsider), other_team, exported)

    copy = imported(other_team)
    assert response.status_code == 302 and response.url == copy.get_absolute_url()
    scope, targets, answers, actions = entered(source)
    assert len(scope[3]) == 2 and targets and len(actions) == 3  # the source has something of each kind
    assert {"", "other", "playbook_rule"} == {answer[2] for answer in answers} and any(a[5] for a in answers)
    assert entered(copy) == (scope, targets, answers, actions)
    before, after = build_results(source), build_results(copy)
    assert after.score == before.score and after.plan == before.plan
    assert [c.target for c in after.challenges] == [c.target for c in before.challenges]


def test_people_are_not_carried_over(client_for, outsider, exported, other_team):
    upload(client_for(outsider), other_team, exported)
    copy = imported(other_team)
    assert copy.created_by == outsider
    assert set(copy.answers.values_list("updated_by", flat=True)) == {outsider.pk}
    assert set(Action.objects.filter(assessment=copy).values_list("owner", flat=True)) == {None}


def test_a_submitted_assessment_arrives_as_a_draft_with_only_the_answers_in_its_scope(
    client_for, team, lead, outsider, other_team
):
    # The factory answers every practice of the playbook, modules outside the scope included.
    source = submitted_assessment(team, lead)
    content = download(client_for(lead), source)
    upload(client_for(outsider), other_team, content)
    copy = imported(other_team)
    assert copy.status == Status.DRAFT
    assert copy.answers.count() == len(scoped_practices(source)) < source.answers.count()
    assert build_results(copy).score == build_results(source).score


def test_an_assessment_on_an_earlier_playbook_version_keeps_that_version(client_for, team, lead, outsider, other_team):
    earlier = PlaybookVersion.objects.get(is_current=True).previous
    source = services.create_assessment(team=team, user=lead, title="Old", playbook=earlier)
    content = download(client_for(lead), source)
    upload(client_for(outsider), other_team, content)
    assert imported(other_team).playbook == earlier


def test_a_version_not_loaded_here_is_refused_naming_it_and_nothing_is_created(
    client_for, outsider, exported, other_team
):
    content = edited(exported, lambda data: data.update(playbook_version="2099.1"))
    page = upload(client_for(outsider), other_team, content)
    assert page.status_code == 200
    loaded = ", ".join(sorted(PlaybookVersion.objects.values_list("version", flat=True)))
    assert f"Playbook version 2099.1 is not loaded here (loaded: {loaded})." in page.text
    assert not Assessment.objects.filter(team=other_team).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data.update(format="other"), 'its "format" should be "mlops-assessment"'),
        (lambda data: data["answers"][0].update(practice="foo"), "Answer 1 names practice 'foo', which playbook"),
        (lambda data: data["answers"][0].update(level=7, not_applicable=None), "Answer 1 gives level 7 for practice"),
        (lambda data: data["actions"][0].update(status="later"), 'Action 1 has status "later"'),
    ],
    ids=["wrong format", "unknown practice", "level out of range", "unknown action status"],
)
def test_a_faulty_document_is_refused_with_a_specific_message_and_nothing_created(
    client_for, outsider, exported, other_team, change, message
):
    page = upload(client_for(outsider), other_team, edited(exported, change))
    assert page.status_code == 200
    assert "Nothing was imported" in page.text and escape(message) in page.text
    assert not Assessment.objects.filter(team=other_team).exists()
    assert not SecurityEvent.objects.filter(kind=EventKind.ASSESSMENT_IMPORTED).exists()


def test_a_file_that_is_not_json_is_refused_asking_for_it_again_and_keeping_the_title(client_for, outsider, other_team):
    page = upload(client_for(outsider), other_team, b"{not json", title="Moved review")
    problem = "The file is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."
    assert escape(problem) in page.text
    assert "Choose the file again" in page.text and 'value="Moved review"' in page.text
    assert not Assessment.objects.filter(team=other_team).exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(client_for, outsider, other_team):
    page = upload(client_for(outsider), other_team, b" " * (MAX_DOCUMENT_BYTES + 1))
    assert page.status_code == 200
    assert "an assessment file is at most 1024 KB" in page.text
    assert not Assessment.objects.filter(team=other_team).exists()


def test_posting_without_a_file_asks_for_one(client_for, outsider, other_team):
    page = client_for(outsider).post(reverse("assessments:import_assessment", args=[other_team.pk]), {"title": "X"})
    assert page.status_code == 200 and "Choose the assessment file to import." in page.text


def test_a_title_given_on_the_page_replaces_the_files(client_for, outsider, exported, other_team):
    upload(client_for(outsider), other_team, exported, title="Moved from Acme")
    assert imported(other_team).title == "Moved from Acme"


def test_the_download_is_a_named_attachment_recorded_in_the_event_log(client_for, viewer, source):
    response = client_for(viewer).get(reverse("assessments:export_document", args=[source.pk]))
    assert response["Content-Type"] == "application/json" and "no-store" in response["Cache-Control"]
    filename = f"-autumn-review-{source.report_date:%Y-%m-%d}.assessment.json"
    assert response["Content-Disposition"].startswith("attachment;") and filename in response["Content-Disposition"]
    event = SecurityEvent.objects.get(kind=EventKind.EXPORT_DOWNLOADED)
    assert event.summary == f"{viewer.username} downloaded “Autumn review” as a file for another installation"


def test_the_import_is_recorded_in_the_event_log_and_opens_the_answer_trail(client_for, outsider, exported, other_team):
    upload(client_for(outsider), other_team, exported, name="from-acme.json")
    copy = imported(other_team)
    event = SecurityEvent.objects.get(kind=EventKind.ASSESSMENT_IMPORTED)
    assert event.team_id == other_team.pk and event.actor_id == outsider.pk
    assert event.summary.startswith(f"{outsider.username} imported “Autumn review” from from-acme.json (playbook ")
    trail = AnswerChange.objects.filter(assessment=copy)
    assert trail.count() == copy.answers.count()
    assert {change.after["imported_from"] for change in trail} == {"from-acme.json"}


def test_another_teams_assessment_cannot_be_downloaded(client_for, outsider, source):
    assert client_for(outsider).get(reverse("assessments:export_document", args=[source.pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("member", 403), ("outsider", 404)])
def test_only_those_who_manage_the_team_import_into_it(client_for, request, team, who, status):
    url = reverse("assessments:import_assessment", args=[team.pk])
    client = client_for(request.getfixturevalue(who))
    assert client.get(url).status_code == status
    assert client.post(url, {"document": SimpleUploadedFile("a.json", b"{}")}).status_code == status


def test_the_team_page_offers_the_import_to_leads_and_every_assessment_offers_the_download(
    client_for, lead, viewer, team, source
):
    import_url = reverse("assessments:import_assessment", args=[team.pk])
    assert import_url in client_for(lead).get(team.get_absolute_url()).text
    assert import_url not in client_for(viewer).get(team.get_absolute_url()).text
    export_url = reverse("assessments:export_document", args=[source.pk])
    assert export_url in client_for(viewer).get(source.get_absolute_url()).text
    assert export_url in client_for(viewer).get(reverse("assessments:results", args=[source.pk])).text


def test_every_demo_assessment_moves_to_the_other_demo_team_with_the_same_results(client):
    """Real carried answers: suggestions to confirm with their earlier wording, and two playbook versions."""
    load_demo()
    fraud, pricing = Team.objects.get(slug="fraud-detection"), Team.objects.get(slug="pricing")
    lead, other_lead = fraud.memberships.get(role="lead").user, pricing.memberships.get(role="lead").user
    for source in fraud.assessments.all():
        client.force_login(lead)
        content = download(client, source)
        client.force_login(other_lead)
        copy = Assessment.objects.get(pk=upload(client, pricing, content).url.split("/")[-2])
        assert entered(copy) == entered(source)
        assert build_results(copy).score == build_results(source).score
    assert Answer.objects.filter(assessment__team=pricing, to_confirm=True, carried_from__isnull=False).exists()
