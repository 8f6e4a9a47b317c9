"""Machine-readable exports of one assessment: JSON for other systems, CSV for spreadsheets.

Both read an `AssessmentResults` that `results.build_results` has already loaded
(with the assessment's team, organisation and playbook selected alongside) and
make no queries of their own. Their fields and columns are a published schema,
versioned in docs/EXPORTS.md: add to it freely, but rename or remove only with
a new major version.

Scores are rounded to 2 decimals here; scoring keeps 6 so that comparisons are
exact, but 2 are plenty for reading and charting. Levels stay whole numbers.
Guidance links are made absolute by prefixing the `site_url` the caller passes.
"""

import csv
import io
from datetime import datetime

from assessments.planning import PlanItem
from assessments.results import AssessmentResults, ChallengeResult, PracticeRow, rules_for

EXPORT_SCHEMA_VERSION = "2.1"
SCHEMA = f"mlops-maturity-assessment/{EXPORT_SCHEMA_VERSION}"
EXPORT_DECIMALS = 2

CSV_COLUMNS = (
    "assessment_id",
    "team",
    "assessment_title",
    "status",
    "playbook_version",
    "challenge",
    "challenge_level",
    "challenge_score",
    "practice",
    "practice_title",
    "weight",
    "critical",
    "level",
    "level_name",
    "not_applicable",
    "not_applicable_reason",
    "notes",
    "high_risk",
    "in_plan",
    "plan_rank",
    "next_step",
    "effort",
    "impact",
    "guidance_url",
    "module",
    "challenge_shown_score",
    "needs_review",
    "inherited_from",
    "differs_from",
)

# A spreadsheet runs a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Free text as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_json(results: AssessmentResults, *, site_url: str, files: dict | None = None) -> dict:
    """`files`: the evidence files per practice id (assessments.evidence.files_by_practice), listed by name, size
    and checksum, never their content; left out when not given."""
    assessment = results.assessment
    level_names = list(results.playbook.level_names)
    ranks = _plan_ranks(results.plan)
    return {
        "schema": SCHEMA,
        "assessment": {
            "id": assessment.pk,
            "title": assessment.title,
            "status": assessment.status,
            "team": assessment.team.name,
            "organisation": assessment.team.organisation.name,
            "created_at": _iso(assessment.created_at),
            "submitted_at": _iso(assessment.submitted_at),
            "playbook_version": results.playbook.version,
            "subject": assessment.subject,
            "modules": list(assessment.modules),
        },
        "scoring": _scoring(results, level_names),
        "overall": {
            "score": _round(results.score.score),
            "level": results.score.level,
            "level_name": _level_name(results, results.score.level),
        },
        "challenges": [_challenge_json(results, item, site_url, files) for item in results.challenges],
        "frameworks": [_framework_json(result) for result in results.frameworks],
        "plan": [
            {
                "rank": ranks[(item.challenge_slug, item.practice_slug)],
                "challenge": item.challenge_slug,
                "practice": item.practice_slug,
                "practice_title": item.practice_title,
                "from_level": item.current_level,
                "to_level": item.current_level + 1,
                "target_level": item.target_level,
                "high_risk": item.is_flagged,
                "weight": item.weight,
                "step": item.step.text,
                "effort": item.step.effort,
                "impact": item.step.impact,
                "guidance_url": _absolute(site_url, item.guidance_anchor),
            }
            for item in results.plan
        ],
    }


def _challenge_json(results: AssessmentResults, item: ChallengeResult, site_url: str, files: dict | None) -> dict:
    score = item.score
    return {
        "slug": item.challenge.slug,
        "title": item.challenge.title,
        "module": item.challenge.is_module,
        "score": _round(score.score),
        "shown_score": _round(score.shown_score),
        "capped": score.is_capped,
        "level": score.level,
        "level_name": _level_name(results, score.level),
        "target": item.target,
        "answered": score.answered,
        "applicable": score.applicable,
        "total": score.total,
        "high_risk_practices": list(score.flagged),
        "missing_critical_practices": list(score.missing_critical),
        "practices_to_review": list(score.to_review),
        "practices": [
            {
                "slug": row.practice.slug,
                "title": row.practice.title,
                "weight": row.practice.weight,
                "critical": row.practice.is_critical,
                "answer": _answer_json(results, row),
                "high_risk": row.practice.slug in score.flagged,
                "guidance_url": _absolute(site_url, row.guidance_url),
            }
            | ({"files": _files_json(files.get(row.practice.pk, []))} if files is not None else {})
            for row in item.rows
        ],
    }


def _files_json(files) -> list[dict]:
    return [
        {"name": f.name, "size": f.size, "sha256": f.sha256, "content_type": f.content_type.split(";")[0]}
        for f in files
    ]


def _answer_json(results: AssessmentResults, row: PracticeRow) -> dict | None:
    if row.answer is None:
        return None
    return {
        "level": row.level,
        "level_name": _level_name(results, row.level),
        "not_applicable": row.is_not_applicable,
        "not_applicable_reason": row.answer.not_applicable_reason or None,
        "notes": row.answer.notes,
        "needs_review": row.practice.slug in results.score.to_review,
        "to_confirm": row.answer.to_confirm,
        "suggested_level": row.answer.suggested_option.level if row.answer.suggested_option else None,
        "inherited_from": row.answer.shared_source if row.answer.is_inherited else None,
        "differs_from": row.answer.shared_source if row.answer.team_differs else None,
        "differs_reason": row.answer.differs_reason,
        "shared_as_of": _iso(row.answer.shared_at),
    }


def _framework_json(result) -> dict:
    estimate = result.estimate
    return {
        "slug": result.framework.slug,
        "title": result.framework.title,
        "final": estimate.final,
        "partial": estimate.partial,
        "sections": [
            {"id": s.key, "title": s.title, "points": s.points, "assessed": s.assessed, "total": s.total}
            for s in estimate.sections
        ],
        "items": [{"id": t.key, "points": t.points, "from": t.reason} for t in estimate.tests],
    }


def export_csv(results: AssessmentResults, *, site_url: str) -> str:
    assessment = results.assessment
    plan = {(item.challenge_slug, item.practice_slug): item for item in results.plan}
    ranks = _plan_ranks(results.plan)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a byte order mark, so that Excel reads the file as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in results.challenges:
        for row in item.rows:
            key = (item.challenge.slug, row.practice.slug)
            step = plan[key].step if key in plan else None
            writer.writerow(
                [
                    assessment.pk,
                    spreadsheet_safe(assessment.team.name),
                    spreadsheet_safe(assessment.title),
                    assessment.status,
                    results.playbook.version,
                    item.challenge.slug,
                    _blank(item.score.level),
                    _blank(_round(item.score.score)),
                    row.practice.slug,
                    spreadsheet_safe(row.practice.title),
                    row.practice.weight,
                    _bool(row.practice.is_critical),
                    _blank(row.level),
                    _blank(_level_name(results, row.level)),
                    _bool(row.is_not_applicable),
                    row.answer.not_applicable_reason if row.answer else "",
                    spreadsheet_safe(row.answer.notes if row.answer else ""),
                    _bool(row.practice.slug in item.score.flagged),
                    _bool(key in plan),
                    _blank(ranks.get(key)),
                    spreadsheet_safe(step.text if step else ""),
                    step.effort if step else "",
                    step.impact if step else "",
                    _absolute(site_url, row.guidance_url),
                    _bool(item.challenge.is_module),
                    _blank(_round(item.score.shown_score)),
                    _bool(row.practice.slug in item.score.to_review),
                    spreadsheet_safe(row.answer.shared_source if row.answer and row.answer.is_inherited else ""),
                    spreadsheet_safe(row.answer.shared_source if row.answer and row.answer.team_differs else ""),
                ]
            )
    return buffer.getvalue()


def _scoring(results: AssessmentResults, level_names: list[str]) -> dict:
    return {**rules_for(results.playbook).as_published(), "level_names": level_names}


def _plan_ranks(plan: tuple[PlanItem, ...]) -> dict[tuple[str, str], int]:
    return {(item.challenge_slug, item.practice_slug): rank for rank, item in enumerate(plan, start=1)}


def _level_name(results: AssessmentResults, level: int | None) -> str | None:
    return None if level is None else results.playbook.level_names[level]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, EXPORT_DECIMALS)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


def _blank(value: object) -> object:
    return "" if value is None else value


def _bool(value: bool) -> str:
    return "true" if value else "false"
