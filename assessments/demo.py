"""Demo organisation for trying the app: two teams, five users, three assessments a quarter apart, tracked actions,
a workshop in progress.

The two submitted assessments are dated in the past, on the previous playbook
version, so that the history, the trend column and the comparison have
something to show on first start. The draft in progress is on the current
version with two lifecycle modules, opened from the spring review: some answers
were carried as they were, others wait for the team to confirm them against the
new wording.

Acme takes part in the benchmark across organisations with five small peer organisations (`_benchmark_peers`), so
the Spring review's results show quartiles.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from api import services as api_services
from api.models import TokenScope
from assessments import evidence, membership, services, shared_answers, sharing, tracking
from assessments.answering import option_for
from assessments.models import (
    Action,
    ActionStatus,
    Assessment,
    Membership,
    NotApplicableReason,
    Organisation,
    OrganisationLogo,
    OrganisationMembership,
    OrganisationRole,
    Role,
    Submission,
    Team,
)
from assessments.results import build_results, load_answers, scoped_practices
from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET
from integrations import credentials
from integrations import services as integration_services
from integrations.models import TrackerKind, TrackerLink
from playbook.models import PlaybookVersion
from playbook.published import load_practices
from webhooks.demo import add_demo_webhook
from workshops import services as workshop_services
from workshops.board import workshop_practices

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only, refused when DEBUG is off
# Levels given to the practices of each challenge, in order: a plausible, uneven team.
SUBMITTED_PATTERN = (2, 3, 1, 2, 3, 2, 1, 2)
SUBJECT = "Card fraud scoring"


def _user(username: str, *, is_staff: bool = False):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "email": f"{username}@demo.invalid"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


DEMO_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 48">'
    b'<rect width="48" height="48" rx="10" fill="#7a1f5c"/>'
    b'<path d="M12 36 24 12 36 36" fill="none" stroke="#fff" stroke-width="5"/>'
    b'<text x="58" y="32" font-family="sans-serif" font-size="20" font-weight="700" fill="#7a1f5c">Acme</text></svg>'
)


DEMO_RUNBOOK = b"""# Rollback runbook: card fraud scoring

1. Pin the previous model version in the serving config and redeploy.
2. Check the approval rate on the fraud dashboard returns to its weekly band within 15 minutes.
3. Open an incident note linking the failed model's evaluation report.
"""


@transaction.atomic
def load_demo() -> bool:
    """Returns False when the demo data is already there."""
    if Organisation.objects.filter(slug="acme-analytics").exists():
        return False
    # Branded, so that the demo's PDF and shared page show a client's colours (assessments/branding.py).
    organisation = Organisation.objects.create(
        name="Acme Analytics",
        slug="acme-analytics",
        brand_name="Acme Analytics",
        brand_accent="#7a1f5c",
    )
    OrganisationLogo.objects.create(organisation=organisation, content=DEMO_LOGO, content_type="image/svg+xml")
    fraud = Team.objects.create(organisation=organisation, name="Fraud Detection", slug="fraud-detection")
    pricing = Team.objects.create(organisation=organisation, name="Pricing", slug="pricing")
    lead = _user("lead")
    Membership.objects.create(team=fraud, user=lead, role=Role.LEAD)
    Membership.objects.create(team=fraud, user=_user("member"), role=Role.MEMBER)
    Membership.objects.create(team=fraud, user=_user("viewer"), role=Role.VIEWER)
    Membership.objects.create(team=pricing, user=_user("other-lead"), role=Role.LEAD)
    consultant = _user("consultant", is_staff=True)
    # Staff need a second factor; the demo's is a fixed secret so `manage.py demo_code` can show its code.
    activate_totp(user=consultant, secret=DEMO_TOTP_SECRET)
    organisation.consultants.add(consultant)
    # Roles across the organisation: an admin who sets up teams and people, and a head of data who reads every
    # team's results and the portfolio (without notes: the organisation has not chosen to share them).
    OrganisationMembership.objects.create(
        organisation=organisation, user=_user("org-admin"), role=OrganisationRole.ADMIN
    )
    OrganisationMembership.objects.create(
        organisation=organisation, user=_user("head-of-data"), role=OrganisationRole.VIEWER
    )
    Team.objects.filter(pk=fraud.pk).update(
        business_unit="Retail banking", product_area="Payments", tags=["fraud", "eu"]
    )
    Team.objects.filter(pk=pricing.pk).update(business_unit="Retail banking", product_area="Lending", tags=["eu"])

    current = PlaybookVersion.objects.get(is_current=True)
    earlier = current.previous or current
    practices = load_practices(earlier)
    _submitted(fraud, lead, earlier, "Winter baseline", _submitted_answers(practices, improvement=-1), days_ago=180)
    spring = _submitted(
        fraud, lead, earlier, "Spring review", _submitted_answers(practices), days_ago=90, reopened_once=True
    )
    _track_first_actions(spring, lead, owner=_user("member"))
    _connect_tracker(fraud, lead)
    # What the security event log, the share options and the restore window show from the first visit.
    sharing.create_share_link(assessment=spring, label="Head of risk", days=30, user=lead)
    membership.invite(team=fraud, email="new.analyst@demo.invalid", role=Role.MEMBER, invited_by=lead)
    mistake = services.create_assessment(team=fraud, user=lead, title="Started by mistake", subject=SUBJECT)
    services.delete_assessment(assessment=mistake, user=lead)
    api_services.create_token(user=lead, name="Team dashboard script", scope=TokenScope.READ, days=90)
    add_demo_webhook(team=fraud, lead=lead, assessment=spring)
    modules = list(current.challenges.filter(is_module=True).values_list("slug", flat=True)[:2])
    draft = services.create_assessment(
        team=fraud, user=lead, title="Autumn review", subject=SUBJECT, modules=modules, prefill_from=spring
    )
    in_modules = [p for p in scoped_practices(draft) if p.challenge.is_module]
    services.save_answers(assessment=draft, user=lead, answers=_submitted_answers(in_modules[: len(in_modules) // 2]))
    # An evidence file on the draft's first card, so the questionnaire shows one from the first visit.
    runbook = ContentFile(DEMO_RUNBOOK, name="rollback-runbook.md")
    evidence.attach_evidence(assessment=draft, practice=scoped_practices(draft)[0], user=lead, upload=runbook)
    _share_platform_answers(organisation, draft, lead=lead, maintainer=consultant)
    _workshop_in_progress(draft, lead, member=_user("member"))
    services.create_assessment(
        team=pricing, user=_user("other-lead"), title="Pricing baseline", subject="Dynamic pricing engine"
    )
    _benchmark_peers(organisation, (current, earlier))
    _portfolio_estate(organisation, consultant, current=current, earlier=earlier)
    return True


# Five small organisations in the benchmark besides Acme, the fewest for its figures to show on the Spring review's
# results: (organisation, ((team, level shift, pattern offset), ...)). Nobody signs in to them.
BENCHMARK_PEERS = (
    ("Borealis Bank", (("Credit Risk", 1, 0),)),
    ("Cobalt Logistics", (("Route Planning", -1, 3), ("Demand Forecasting", 0, 5))),
    ("Delta Health", (("Triage Models", 0, 2),)),
    ("Evergreen Retail", (("Recommendations", 1, 4), ("Price Science", -1, 1))),
    ("Fjord Energy", (("Load Forecasting", 2, 6),)),
)


def _benchmark_peers(organisation: Organisation, playbooks: tuple[PlaybookVersion, PlaybookVersion]) -> None:
    """Acme opts in to the benchmark, with the peers above: one submitted assessment per team, on either playbook
    version (challenges are matched by slug), at varied levels."""
    organisation.benchmark_opt_in = True
    organisation.save(update_fields=["benchmark_opt_in"])
    analyst = get_user_model().objects.create_user("benchmark-peer", email="benchmark-peer@demo.invalid")  # no password
    for number, (name, teams) in enumerate(BENCHMARK_PEERS):
        peer = Organisation.objects.create(name=name, slug=slugify(name), benchmark_opt_in=True)
        for team_name, shift, offset in teams:
            team = Team.objects.create(organisation=peer, name=team_name, slug=slugify(team_name))
            playbook = playbooks[number % 2]
            core = [p for p in load_practices(playbook) if not p.challenge.is_module]
            assessment = services.create_assessment(
                team=team, user=analyst, title="Quarterly review", subject=team_name, playbook=playbook
            )
            services.save_answers(assessment=assessment, user=analyst, answers=_peer_answers(core, shift, offset))
            services.submit_assessment(assessment=assessment, user=analyst)


def _peer_answers(practices, shift: int, offset: int) -> list[services.AnswerInput]:
    """Every practice answered: the demo pattern moved along by `offset` and up or down by `shift`."""
    answers, position = [], {}
    for practice in practices:
        index = position[practice.challenge_id] = position.get(practice.challenge_id, -1) + 1
        pattern = SUBMITTED_PATTERN[(index + offset + practice.challenge.order) % len(SUBMITTED_PATTERN)]
        options = {o.level: o for o in practice.options.all()}
        answers.append(services.AnswerInput(practice=practice, option=options[min(max(pattern + shift, 0), 4)]))
    return answers


# More Acme teams, so the organisation portfolio has distributions, quarterly medians over two years, open flags and
# plan items shared by many teams: (team, business unit, product area, tags, level shift, pattern offset,
# days ago of each submission, oldest first, whether the latest keeps a high-risk flag).
PORTFOLIO_TEAMS = (
    ("Credit Decisioning", "Retail banking", "Lending", ["regulated", "eu"], 1, 1, (680, 410, 150), True),
    ("Customer Churn", "Retail banking", "Marketing", ["batch", "eu"], 0, 4, (560, 230, 45), False),
    ("Claims Triage", "Insurance", "Claims", ["regulated", "genai"], 1, 2, (620, 300, 20), True),
    ("Document Understanding", "Insurance", "Operations", ["genai", "cloud"], 0, 6, (120,), True),
    ("Demand Forecasting", "Operations", "Supply chain", ["batch", "cloud"], 2, 3, (700, 500, 330, 90), False),
    ("Search Ranking", "Digital", "E-commerce", ["real-time", "cloud"], 1, 5, (450, 60), False),
)


def _portfolio_estate(organisation: Organisation, consultant, *, current, earlier) -> None:
    """Teams assessed with their consultant over the last two years, a level better at each review: reviews older
    than a year on the earlier playbook version, recent ones on the current version with one or two modules."""
    modules = list(current.challenges.filter(is_module=True).order_by("order").values_list("slug", flat=True))
    for number, (name, unit, area, tags, shift, offset, history, keeps_flag) in enumerate(PORTFOLIO_TEAMS):
        team = Team.objects.create(
            organisation=organisation, name=name, slug=slugify(name), business_unit=unit, product_area=area, tags=tags
        )
        for step, days_ago in enumerate(history):
            recent = days_ago < 365
            chosen = modules[number % len(modules) :][: 1 + number % 2] if recent and modules else []
            assessment = services.create_assessment(
                team=team,
                user=consultant,
                title=f"Review {timezone.localdate() - timedelta(days=days_ago):%b %Y}",
                subject=name,
                modules=chosen,
                playbook=current if recent else earlier,
            )
            flagged = keeps_flag or step < len(history) - 1  # earlier reviews had a flag the team has since fixed
            answers = _estate_answers(
                scoped_practices(assessment),
                shift + step - len(history) + 1,
                offset,
                flag_in=number if flagged else None,
            )
            services.save_answers(assessment=assessment, user=consultant, answers=answers)
            services.submit_assessment(assessment=assessment, user=consultant)
            submitted_at = timezone.now() - timedelta(days=days_ago)
            Assessment.objects.filter(pk=assessment.pk).update(
                created_at=submitted_at - timedelta(days=7), submitted_at=submitted_at
            )
            Submission.objects.filter(assessment=assessment).update(submitted_at=submitted_at)


def _estate_answers(practices, shift: int, offset: int, *, flag_in: int | None) -> list[services.AnswerInput]:
    """Every practice answered on the demo pattern; critical practices at 2 or more, except one at level 1 (a
    high-risk flag) in the challenge `flag_in` picks, when it is set."""
    answers, position, flagged = [], {}, False
    challenges = sorted({p.challenge.order for p in practices if p.is_critical and not p.challenge.is_module})
    flag_order = challenges[flag_in % len(challenges)] if flag_in is not None and challenges else None
    for practice in practices:
        index = position[practice.challenge_id] = position.get(practice.challenge_id, -1) + 1
        level = min(max(SUBMITTED_PATTERN[(index + offset) % len(SUBMITTED_PATTERN)] + shift, 0), 4)
        if practice.is_critical:
            level = max(level, 2)
            if practice.challenge.order == flag_order and not flagged:
                level, flagged = 1, True
        options = {o.level: o for o in practice.options.all()}
        answers.append(services.AnswerInput(practice=practice, option=options[level]))
    return answers


def _submitted(team, lead, playbook, title: str, answers, *, days_ago: int, reopened_once: bool = False) -> Assessment:
    """Submitted five days after it started, `days_ago`; `reopened_once` adds an earlier submission, reopened."""
    assessment = services.create_assessment(team=team, user=lead, title=title, subject=SUBJECT, playbook=playbook)
    services.save_answers(assessment=assessment, user=lead, answers=answers)
    started = timezone.now() - timedelta(days=days_ago)
    if reopened_once:
        services.submit_assessment(assessment=assessment, user=lead)
        services.reopen_assessment(assessment=assessment, user=lead)
        Submission.objects.filter(assessment=assessment).update(
            submitted_at=started + timedelta(days=3), reopened_at=started + timedelta(days=4)
        )
    services.submit_assessment(assessment=assessment, user=lead)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=started, submitted_at=started + timedelta(days=5))
    Submission.objects.filter(assessment=assessment, reopened_at__isnull=True).update(
        submitted_at=started + timedelta(days=5)
    )
    assessment.refresh_from_db()
    return assessment


def _share_platform_answers(organisation: Organisation, draft: Assessment, *, lead, maintainer) -> None:
    """The platform team's shared answers, inherited by the draft: inherited cards, one the team departs from, and a
    change to the set that the draft's overview lists."""
    answered = load_answers(draft)
    unanswered = [p for p in scoped_practices(draft) if p.challenge.is_module and p.pk not in answered][:3]
    platform = shared_answers.create_answer_set(
        organisation=organisation,
        user=maintainer,
        name="ML platform",
        description="The shared pipeline templates, model registry and monitoring stack every team deploys with.",
    )
    notes = "Provided by the platform's standard pipeline template; see the platform handbook."
    level_3 = [services.AnswerInput(p, p.options.get(level=3), notes=notes) for p in unanswered]
    shared_answers.save_shared_answers(answer_set=platform, user=maintainer, answers=level_3)
    shared_answers.inherit_answer_set(assessment=draft, answer_set=platform, user=lead)
    departs = unanswered[-1]
    shared_answers.differ_from_shared(
        assessment=draft,
        user=lead,
        practice=departs,
        reason="Fraud scoring runs its own pipeline outside the template.",
    )
    services.save_answers(
        assessment=draft, user=lead, answers=[services.AnswerInput(departs, departs.options.get(level=1))]
    )
    changed = unanswered[0]
    shared_answers.save_shared_answers(
        answer_set=platform,
        user=maintainer,
        answers=[
            services.AnswerInput(changed, changed.options.get(level=4), notes=notes + " Now checked on every run.")
        ],
    )


# A room reviewing the Autumn draft's first challenge: four guests and the team's member voting, one practice agreed
# and written into the draft, the room moved on to the next. Open for three days after `make run`, then expired.
WORKSHOP_GUESTS = ("Ana (risk)", "Ben (product)", "Chen (ops)", "Dee (data)")
# Each guest's level for the first practices of the challenge: the first agreed, the second split, the third unvoted.
WORKSHOP_VOTES = ((2, 1), (2, 3), (3, 1), (2, 4))


def _workshop_in_progress(draft: Assessment, lead, *, member) -> None:
    first = scoped_practices(draft)[0].challenge
    workshop = workshop_services.create_workshop(
        assessment=draft, user=lead, title="Autumn review: the room's view", challenge_slugs=[first.slug], hours=72
    )
    practices = workshop_practices(workshop)
    guests = [
        workshop_services.join_as_guest(workshop=workshop, display_name=name, address="192.0.2.10")
        for name in WORKSHOP_GUESTS
    ]
    for guest, levels in zip(guests, WORKSHOP_VOTES, strict=True):
        for practice, level in zip(practices, levels, strict=False):
            workshop_services.cast_ballot(participant=guest, practice=practice, level=level, not_applicable=False)
    in_the_room = workshop_services.join_as_member(workshop=workshop, user=member)
    workshop_services.cast_ballot(participant=in_the_room, practice=practices[0], level=2, not_applicable=False)
    workshop_services.record_decision(
        workshop=workshop,
        answer=services.AnswerInput(
            practice=practices[0], option=option_for(practices[0], "2"), notes="Agreed in the autumn workshop."
        ),
        user=lead,
    )
    workshop_services.move_room(workshop=workshop, practice=practices[1])


def _track_first_actions(assessment: Assessment, lead, *, owner) -> None:
    """The plan's first three items as actions: one done, one under way, one not started."""
    plan = build_results(assessment).plan[:3]
    progress = [(ActionStatus.DONE, -30), (ActionStatus.DOING, 14), (ActionStatus.TODO, 45)]
    for item, (status, due_in_days) in zip(plan, progress, strict=False):
        action = tracking.track_action(assessment=assessment, item=item, user=lead)
        tracking.update_action(
            action=action, owner=owner, due_date=date.today() + timedelta(days=due_in_days), status=status
        )


def _connect_tracker(team: Team, lead) -> None:
    """A GitHub connection with two actions already pushed, so the Tracker tab, the push buttons and the links to
    issues show from the first visit. The repository and token are made up: pushing or syncing shows GitHub's
    refusal on the page, which is also what a lead sees when a real token expires."""
    if not credentials.is_configured():
        return  # CREDENTIALS_KEY unset: the Tracker tab says connections are off
    connection = integration_services.connect(
        team=team,
        user=lead,
        kind=TrackerKind.GITHUB,
        details={"repository": "acme-analytics/fraud-detection-ml"},
        token="github_pat_demo_not_a_real_token",  # noqa: S106 - made up; GitHub refuses it
    )
    for number, action in enumerate(Action.objects.filter(team=team).order_by("pk")[:2], start=41):
        TrackerLink.objects.create(
            action=action,
            connection=connection,
            external_key=str(number),
            url=f"https://github.com/acme-analytics/fraud-detection-ml/issues/{number}",
            pushed_at=timezone.now() - timedelta(days=20),
            synced_at=timezone.now() - timedelta(days=2),
        )


def _submitted_answers(practices, *, improvement: int = 0) -> list[services.AnswerInput]:
    """A plausible, uneven team; `improvement` shifts every level, for an earlier or later assessment."""
    answers, position, flagged_one = [], {}, False
    for practice in practices:
        index = position[practice.challenge_id] = position.get(practice.challenge_id, -1) + 1
        options = {o.level: o for o in practice.options.all()}
        if practice.allows_not_applicable and index % 2:
            answers.append(
                services.AnswerInput(
                    practice=practice,
                    option=None,
                    not_applicable_reason=NotApplicableReason.PLAYBOOK_RULE,
                    notes="Batch scoring only; no online endpoint.",
                )
            )
            continue
        level = min(max(SUBMITTED_PATTERN[index % len(SUBMITTED_PATTERN)] + improvement, 0), 4)
        if practice.is_critical and not flagged_one and practice.challenge.order == 3:
            level, flagged_one = 1, True
        answers.append(
            services.AnswerInput(
                practice=practice, option=options[level], notes=f"Demo evidence for {practice.title.lower()}."
            )
        )
    return answers
