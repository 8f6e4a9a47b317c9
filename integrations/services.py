"""Writes for tracker connections: connect and disconnect a team, push tracked actions, and sync their status back.

Calls to the tracker happen outside any transaction (a slow tracker must not hold database locks), and each
result is saved as soon as it arrives, so a push or sync that stops half-way keeps everything done before it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments import tracking
from assessments.models import Action, Assessment, Team
from assessments.planning import PlanItem
from assessments.results import build_results
from audit.models import EventKind
from audit.services import record
from integrations import credentials
from integrations.connections import client_for
from integrations.models import TrackerConnection, TrackerLink
from integrations.trackers.errors import TrackerError, TrackerItemGone
from integrations.trackers.types import action_status, item_for_plan_step


class NotPushable(Exception):
    """The action cannot become a tracker item; `message` says why, for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def connect(*, team: Team, user: AbstractBaseUser, kind: str, details: dict[str, str], token: str) -> TrackerConnection:
    """Connect `team` to one tracker, replacing any earlier connection (its links go with it: the items stay in
    the old tracker, but this app no longer updates or reads them)."""
    TrackerConnection.objects.filter(team=team).delete()
    connection = TrackerConnection.objects.create(
        team=team, kind=kind, **details, secret=credentials.encrypt(token), connected_by=user
    )
    record(EventKind.TRACKER_CONNECTED, f"{user.get_username()} connected {connection}", actor=user, team=team)
    return connection


@transaction.atomic
def disconnect(*, connection: TrackerConnection, user: AbstractBaseUser) -> None:
    team = connection.team
    connection.delete()
    record(EventKind.TRACKER_DISCONNECTED, f"{user.get_username()} disconnected {connection}", actor=user, team=team)


@dataclass(frozen=True)
class Pushed:
    link: TrackerLink
    created: bool  # a new item, rather than an update of the one pushed before
    replaced_gone: bool = False  # the earlier item had been deleted in the tracker, so a new one was made


def push_plan_item(*, assessment: Assessment, item: PlanItem, user: AbstractBaseUser) -> tuple[Action, Pushed]:
    """Track a plan item as an action (kept even if the push then fails) and push it."""
    action = tracking.track_action(assessment=assessment, item=item, user=user)
    return action, push_action(action=action, user=user)


def push_action(*, action: Action, user: AbstractBaseUser) -> Pushed:
    """Create the action's item in its team's tracker, or update the one pushed before. Raises `NotPushable`, or
    a `TrackerError` or `CredentialsUnavailable` whose message is fit for the page."""
    connection = _connection_of(action.team)
    results = build_results(action.assessment)
    step = results.plan_item(action.practice_slug)
    if step is None:
        raise NotPushable(
            f"“{action.title}” is no longer in its assessment's plan (the practice meets its target), "
            "so there is no step to push."
        )
    titles = {c.challenge.slug: c.challenge.title for c in results.challenges}
    link = TrackerLink.objects.filter(action=action, connection=connection).first()
    client = _client(connection)
    item = item_for_plan_step(
        step,
        challenge_title=titles[step.challenge_slug],
        site_url=settings.SITE_URL,
        external_key=link.external_key if link else None,
    )
    replaced_gone = False
    try:
        result = _call(connection, client.push, item)
    except TrackerItemGone:
        # Someone deleted the issue in the tracker; the team asked for it to be there, so make it again.
        result = _call(
            connection,
            client.push,
            item_for_plan_step(step, challenge_title=titles[step.challenge_slug], site_url=settings.SITE_URL),
        )
        replaced_gone = True
    now = timezone.now()
    link, created = TrackerLink.objects.update_or_create(
        action=action,
        defaults={
            "connection": connection,
            "external_key": result.external_key,
            "url": result.url,
            "pushed_at": now,
            "problem": "",
        },
    )
    _clear_problem(connection)
    return Pushed(link=link, created=created or replaced_gone, replaced_gone=replaced_gone)


@dataclass
class SyncReport:
    checked: int = 0
    updated: list[str] = field(default_factory=list)  # titles of actions whose status changed
    gone: list[str] = field(default_factory=list)  # titles of actions whose item is no longer in the tracker
    stopped: str = ""  # why the sync stopped before the end; what was read before it is kept


def sync(*, team: Team, user: AbstractBaseUser) -> SyncReport:
    """Read each pushed action's status from the tracker: done there is done here (see `action_status`).

    An item deleted in the tracker is noted on its action and the sync goes on; refused credentials, a rate limit
    or a tracker that does not answer stop it, since every later call would fail the same way."""
    connection = _connection_of(team)
    report = SyncReport()
    client = _client(connection)
    links = (
        TrackerLink.objects.filter(connection=connection, action__in=Action.objects.filter(team=team))
        .select_related("action", "action__owner")
        .order_by("pk")
    )
    for link in links:
        action = link.action
        try:
            external = _call(connection, client.status, link.external_key)
        except TrackerItemGone as error:
            TrackerLink.objects.filter(pk=link.pk).update(problem=error.message[:400], synced_at=timezone.now())
            report.gone.append(action.title)
            continue
        except TrackerError as error:
            report.stopped = error.message
            break
        report.checked += 1
        status = action_status(external, action.status)
        if status != action.status:
            tracking.update_action(action=action, owner=action.owner, due_date=action.due_date, status=status)
            report.updated.append(action.title)
        TrackerLink.objects.filter(pk=link.pk).update(problem="", synced_at=timezone.now())
    if not report.stopped:
        TrackerConnection.objects.filter(pk=connection.pk).update(
            last_synced_at=timezone.now(), last_problem="", last_problem_at=None
        )
    return report


def _connection_of(team: Team) -> TrackerConnection:
    connection = TrackerConnection.objects.filter(team=team).first()
    if connection is None:
        raise NotPushable("This team is not connected to a tracker. A lead can connect one on the Tracker tab.")
    return connection


def _client(connection: TrackerConnection):
    try:
        return client_for(connection)
    except credentials.CredentialsUnavailable as error:
        _note_problem(connection, error.message)
        raise


def _call(connection: TrackerConnection, method, *args):
    """Call the tracker, keeping the reason on the connection when it fails (the Tracker tab shows it)."""
    try:
        return method(*args)
    except TrackerItemGone:
        raise
    except TrackerError as error:
        _note_problem(connection, error.message)
        raise


def _note_problem(connection: TrackerConnection, message: str) -> None:
    TrackerConnection.objects.filter(pk=connection.pk).update(
        last_problem=message[:400], last_problem_at=timezone.now()
    )


def _clear_problem(connection: TrackerConnection) -> None:
    TrackerConnection.objects.filter(pk=connection.pk).exclude(last_problem="").update(
        last_problem="", last_problem_at=None
    )
