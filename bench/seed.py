"""Fill the benchmark database and print what was made as one JSON line on stdout.

Run by bench/run.py with the benchmark environment set (DATABASE_URL and the rest).
Two synthetic playbooks: 8 practices (4 challenges x 2) and 40 (5 x 8). Publishing
makes a version current, so each size is published and then given its own team:
a submitted assessment (results, dashboard, PDF) and a draft one (questionnaire,
autosave, workshop), both fully answered, with notes of about 1,500 characters
on the 40-practice answers. Each size also gets a workshop with a few guests'
ballots for the facilitator's board, and the draft 40 an empty workshop for the
room of fifty. A third playbook, published first, asks forty practices in each
challenge: its draft, answered with long notes, is the cold questionnaire's page.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Membership, Organisation, Role, Team
from playbook.models import PlaybookVersion
from playbook.published import load_practices
from tests.factories import publish_synthetic_playbook
from workshops import services as workshop_services
from workshops.board import workshop_practices
from workshops.models import Workshop

SIZES = {8: (4, 2), 40: (5, 8)}  # practices: (challenges, practices per challenge)
# The cold questionnaire is measured on one challenge of forty practices (the "40-practice challenge page"):
# the sizes above ask at most eight on a page.
WIDE = (3, 40)
LONG_NOTE_LENGTH = 1500
BOARD_GUESTS = 5


def note_for(slug: str, length: int) -> str:
    if not length:
        return f"Evidence for {slug}."
    sentence = f"For {slug}: the runbook, last quarter's incident review, the model card and who to ask. "
    return (sentence * (length // len(sentence) + 1))[:length].strip()


def answer_everything(
    *, assessment: Assessment, playbook: PlaybookVersion, user: AbstractBaseUser, note_length: int
) -> None:
    inputs = []
    for index, practice in enumerate(load_practices(playbook)):
        options = {option.level: option for option in practice.options.all()}
        inputs.append(
            services.AnswerInput(practice, options[1 + index % 4], notes=note_for(practice.slug, note_length))
        )
    services.save_answers(assessment=assessment, user=user, answers=inputs)


def board_with_ballots(*, assessment: Assessment, playbook: PlaybookVersion, user: AbstractBaseUser) -> Workshop:
    workshop = workshop_services.create_workshop(
        assessment=assessment,
        user=user,
        title="Board",
        challenge_slugs=[c.slug for c in playbook.challenges.all()],
        hours=4,
    )
    practices = workshop_practices(workshop)
    for number in range(BOARD_GUESTS):
        guest = workshop_services.join_as_guest(
            workshop=workshop, display_name=f"Guest {number}", address=f"198.51.100.{number % 250}"
        )
        for practice in practices:
            workshop_services.cast_ballot(
                participant=guest, practice=practice, level=(number + practice.order) % 5, not_applicable=False
            )
    return workshop


def seed_size(*, size: int, organisation: Organisation, lead: AbstractBaseUser) -> dict:
    challenges, per_challenge = SIZES[size]
    playbook = publish_synthetic_playbook(version=f"bench-{size}", challenges=challenges, practices=per_challenge)
    team = Team.objects.create(organisation=organisation, name=f"Team {size}", slug=f"team-{size}")
    Membership.objects.create(team=team, user=lead, role=Role.LEAD)
    note_length = LONG_NOTE_LENGTH if size == 40 else 0
    submitted = services.create_assessment(team=team, user=lead, title=f"Submitted {size}")
    answer_everything(assessment=submitted, playbook=playbook, user=lead, note_length=note_length)
    services.submit_assessment(assessment=submitted, user=lead)
    draft = services.create_assessment(team=team, user=lead, title=f"Draft {size}")
    answer_everything(assessment=draft, playbook=playbook, user=lead, note_length=note_length)
    board = board_with_ballots(assessment=draft, playbook=playbook, user=lead)
    first_challenge = playbook.challenges.first().slug
    return {
        "submitted": submitted.pk,
        "draft": draft.pk,
        "practices": len(load_practices(playbook)),
        "pages": {
            "questionnaire": reverse("assessments:questionnaire", args=[draft.pk, first_challenge]),
            "results": reverse("assessments:results", args=[submitted.pk]),
            "dashboard": reverse("assessments:team", args=[team.pk]),
            "board": reverse("workshops:facilitate", args=[board.pk]),
        },
        "draft_answers": [
            {
                "url": reverse(
                    "assessments:save_practice", args=[draft.pk, answer.practice.challenge.slug, answer.practice.slug]
                ),
                "practice": answer.practice.slug,
                "level": answer.option.level,
                "notes": answer.notes,
                "revision": answer.revision,
            }
            for answer in Answer.objects.filter(assessment=draft)
            .select_related("practice__challenge", "option")
            .order_by("practice__challenge__order", "practice__order")
        ],
    }


def seed_wide(*, organisation: Organisation, lead: AbstractBaseUser) -> dict:
    """A draft on a playbook whose challenges ask forty practices each, every one answered with long notes.
    Published before the sizes' playbooks, so that the 40-practice one stays the current version the rest reads."""
    challenges, per_challenge = WIDE
    playbook = publish_synthetic_playbook(version="bench-wide", challenges=challenges, practices=per_challenge)
    team = Team.objects.create(organisation=organisation, name="Team wide", slug="team-wide")
    Membership.objects.create(team=team, user=lead, role=Role.LEAD)
    draft = services.create_assessment(team=team, user=lead, title="Wide draft")
    answer_everything(assessment=draft, playbook=playbook, user=lead, note_length=LONG_NOTE_LENGTH)
    first_challenge = playbook.challenges.first().slug
    return {"questionnaire": reverse("assessments:questionnaire", args=[draft.pk, first_challenge])}


def main() -> None:
    password = secrets.token_urlsafe(16)
    lead = get_user_model().objects.create_user(username="bench-lead", password=password)
    organisation = Organisation.objects.create(name="Bench Analytics", slug="bench-analytics")
    wide = seed_wide(organisation=organisation, lead=lead)
    sizes = {str(size): seed_size(size=size, organisation=organisation, lead=lead) for size in SIZES}
    draft = Assessment.objects.get(pk=sizes["40"]["draft"])
    room = workshop_services.create_workshop(
        assessment=draft,
        user=lead,
        title="Room of fifty",
        challenge_slugs=[c.slug for c in draft.playbook.challenges.all()],
        hours=4,
    )
    seeded = {
        "username": lead.get_username(),
        "password": password,
        "sizes": sizes,
        "wide": wide,
        "urls": {
            "login": reverse("account_login"),
            "session": reverse("session"),
            "join": reverse("workshops:join"),
        },
        "workshop": {
            "pk": room.pk,
            "code": room.join_code,
            "votes": [
                {"practice": p.slug, "url": reverse("workshops:vote", args=[room.join_code, p.slug])}
                for p in workshop_practices(room)
            ],
        },
    }
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
