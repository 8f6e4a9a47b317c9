"""The JSON and CSV exports of one assessment."""

import csv
import io
import json

import pytest

from assessments import services
from assessments.exports import CSV_COLUMNS, EXPORT_SCHEMA_VERSION, export_csv, export_json
from assessments.models import Assessment, NotApplicableReason
from assessments.results import build_results
from playbook.published import load_practices

pytestmark = pytest.mark.django_db

SITE_URL = "https://maturity.example.org"
UNICODE_NOTES = "Café – naïve ✓"
FORMULA_NOTES = '=HYPERLINK("https://evil.example","click")'
HTML_NOTES = "<script>alert('hi')</script>"


@pytest.fixture
def practices(playbook):
    """The practices of the five core challenges, which an assessment without modules asks about."""
    return [p for p in load_practices(playbook) if not p.challenge.is_module]


@pytest.fixture
def not_applicable(practices):
    return next(p for p in practices if p.allows_not_applicable and not p.is_critical)


@pytest.fixture
def unanswered(practices, not_applicable):
    """The last practice of a challenge other than the not-applicable one's, so every challenge keeps a level."""
    return next(p for p in reversed(practices) if p.challenge_id != not_applicable.challenge_id)


@pytest.fixture
def answered(practices, not_applicable, unanswered):
    return [p for p in practices if p not in (not_applicable, unanswered)]


@pytest.fixture
def results(team, lead, answered, not_applicable):
    """A submitted assessment: critical practices at 0 (high risk), the rest at 2, with notes on three of them."""
    assessment = services.create_assessment(team=team, user=lead, title="Spring review")
    notes = dict(zip(answered[:3], [UNICODE_NOTES, FORMULA_NOTES, HTML_NOTES], strict=True))
    answers = [
        services.AnswerInput(p, p.options.all()[0 if p.is_critical else 2], notes=notes.get(p, "")) for p in answered
    ]
    answers.append(services.AnswerInput(not_applicable, None, not_applicable_reason=NotApplicableReason.OUT_OF_SCOPE))
    services.save_answers(assessment=assessment, user=lead, answers=answers)
    services.submit_assessment(assessment=assessment, user=lead)
    return build_results(loaded(assessment))


def loaded(assessment):
    return Assessment.objects.select_related("team__organisation", "playbook").get(pk=assessment.pk)


def exported_practice(data, practice):
    challenge = next(c for c in data["challenges"] if c["slug"] == practice.challenge.slug)
    return next(p for p in challenge["practices"] if p["slug"] == practice.slug)


def csv_rows(results):
    text = export_csv(results, site_url=SITE_URL)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def csv_records(results):
    header, *rows = csv_rows(results)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_record(results, practice):
    return next(r for r in csv_records(results) if r["practice"] == practice.slug)


def test_the_json_export_survives_a_round_trip_through_json(results):
    data = export_json(results, site_url=SITE_URL)
    assert json.loads(json.dumps(data)) == data
    assert data["schema"] == f"mlops-maturity-assessment/{EXPORT_SCHEMA_VERSION}"


def test_the_json_describes_the_assessment_and_its_scoring_rules(results):
    data = export_json(results, site_url=SITE_URL)
    assessment = results.assessment
    assert data["assessment"] == {
        "id": assessment.pk,
        "title": "Spring review",
        "status": "submitted",
        "team": assessment.team.name,
        "organisation": assessment.team.organisation.name,
        "created_at": assessment.created_at.isoformat(),
        "submitted_at": assessment.submitted_at.isoformat(),
        "playbook_version": assessment.playbook.version,
        "subject": "",
        "modules": [],
    }
    assert data["scoring"] == {**assessment.playbook.scoring, "level_names": assessment.playbook.level_names}


def test_the_overall_numbers_equal_the_assessment_score_rounded_to_two_decimals(results):
    overall = export_json(results, site_url=SITE_URL)["overall"]
    assert results.score.score is not None
    assert overall == {
        "score": round(results.score.score, 2),
        "level": results.score.level,
        "level_name": results.playbook.level_names[results.score.level],
    }


def test_each_challenges_numbers_equal_its_score_rounded_to_two_decimals(results):
    exported = export_json(results, site_url=SITE_URL)["challenges"]
    assert [c["slug"] for c in exported] == [c.challenge.slug for c in results.challenges]
    for data, item in zip(exported, results.challenges, strict=True):
        score = item.score
        assert (data["score"], data["level"], data["target"]) == (round(score.score, 2), score.level, item.target)
        assert (data["answered"], data["applicable"], data["total"]) == (score.answered, score.applicable, score.total)
        assert data["high_risk_practices"] == list(score.flagged)


def test_critical_practices_at_level_zero_are_marked_high_risk(results, answered):
    data = export_json(results, site_url=SITE_URL)
    critical = next(p for p in answered if p.is_critical)
    assert exported_practice(data, critical)["high_risk"] is True
    assert exported_practice(data, critical)["answer"]["level"] == 0


def test_a_not_applicable_answer_is_exported_with_no_level(results, not_applicable):
    answer = exported_practice(export_json(results, site_url=SITE_URL), not_applicable)["answer"]
    assert answer == {
        "level": None,
        "level_name": None,
        "not_applicable": True,
        "not_applicable_reason": "out_of_scope",
        "notes": "",
        "needs_review": False,
        "to_confirm": False,
        "suggested_level": None,
        "inherited_from": None,
        "differs_from": None,
        "differs_reason": "",
        "shared_as_of": None,
    }


def test_an_unanswered_practice_is_exported_with_a_null_answer(results, unanswered):
    assert exported_practice(export_json(results, site_url=SITE_URL), unanswered)["answer"] is None


def test_an_answered_practice_carries_its_level_name_and_notes_as_typed(results, answered):
    answer = exported_practice(export_json(results, site_url=SITE_URL), answered[1])["answer"]
    assert answer["level_name"] == results.playbook.level_names[answer["level"]]
    assert answer["notes"] == FORMULA_NOTES


def test_the_json_plan_follows_the_plan_order_with_ranks_from_one(results):
    plan = export_json(results, site_url=SITE_URL)["plan"]
    assert results.plan
    assert [(i["rank"], i["challenge"], i["practice"]) for i in plan] == [
        (rank, item.challenge_slug, item.practice_slug) for rank, item in enumerate(results.plan, start=1)
    ]
    first, item = plan[0], results.plan[0]
    assert (first["from_level"], first["to_level"]) == (item.current_level, item.current_level + 1)
    assert (first["step"], first["effort"], first["impact"]) == (item.step.text, item.step.effort, item.step.impact)


def test_every_json_guidance_url_is_absolute(results):
    data = export_json(results, site_url=SITE_URL + "/")
    urls = [p["guidance_url"] for c in data["challenges"] for p in c["practices"]] + [
        i["guidance_url"] for i in data["plan"]
    ]
    assert all(url.startswith(SITE_URL + "/") and not url.startswith(SITE_URL + "//") for url in urls)
    assert data["plan"][0]["guidance_url"] == SITE_URL + results.plan[0].guidance_anchor


def test_the_csv_has_a_header_and_exactly_one_row_per_practice(results, practices):
    header, *rows = csv_rows(results)
    assert tuple(header) == CSV_COLUMNS
    assert len(rows) == len(practices)
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)


def test_the_csv_uses_crlf_line_endings(results):
    text = export_csv(results, site_url=SITE_URL)
    assert text.count("\r\n") == len(csv_rows(results))


def test_the_csv_keeps_unicode_notes(results, answered):
    assert csv_record(results, answered[0])["notes"] == UNICODE_NOTES


def test_csv_notes_that_start_like_a_formula_get_a_leading_apostrophe(results, answered):
    assert csv_record(results, answered[1])["notes"] == "'" + FORMULA_NOTES


def test_csv_notes_with_html_are_kept_verbatim_as_text(results, answered):
    assert csv_record(results, answered[2])["notes"] == HTML_NOTES


def test_csv_titles_that_start_like_a_formula_get_a_leading_apostrophe(results):
    results.assessment.title = "@risk review"
    assert {r["assessment_title"] for r in csv_records(results)} == {"'@risk review"}


def test_csv_numbers_are_never_prefixed(results):
    for record in csv_records(results):
        assert int(record["assessment_id"]) == results.assessment.pk
        assert int(record["weight"]) in (1, 2, 3)
        float(record["challenge_score"])
        assert record["level"] == "" or int(record["level"]) in range(5)
        assert record["plan_rank"] == "" or int(record["plan_rank"]) >= 1


def test_csv_rows_show_not_applicable_and_unanswered_practices_with_blank_levels(results, not_applicable, unanswered):
    na, blank = csv_record(results, not_applicable), csv_record(results, unanswered)
    assert (na["level"], na["not_applicable"], na["not_applicable_reason"]) == ("", "true", "out_of_scope")
    assert (blank["level"], blank["not_applicable"], blank["notes"]) == ("", "false", "")


def test_csv_plan_columns_match_the_plan(results):
    records = csv_records(results)
    planned = sorted((r for r in records if r["in_plan"] == "true"), key=lambda r: int(r["plan_rank"]))
    assert [(r["challenge"], r["practice"]) for r in planned] == [
        (i.challenge_slug, i.practice_slug) for i in results.plan
    ]
    assert all(r["plan_rank"] == r["next_step"] == "" for r in records if r["in_plan"] == "false")
    assert planned[0]["guidance_url"] == SITE_URL + results.plan[0].guidance_anchor


def test_exports_make_no_queries_of_their_own(results, django_assert_num_queries):
    with django_assert_num_queries(0):
        export_json(results, site_url=SITE_URL)
        export_csv(results, site_url=SITE_URL)
