"""Add the people the scale phases measure as to the seeded benchmark database; print them as one JSON line.

Run by bench/run.py after the figures on the original seed are taken, with the
seed's JSON as the only argument. Bench Analytics, the seed's organisation,
gets a member of the 40-practice team, a consultant, an organisation viewer
and joins the benchmark across organisations (so the results page reads the
pool that the estate then fills); the consultant gets a read-only API token;
the submitted 40-practice assessment's plan gets tracked actions; and the
draft gets an empty workshop room of a hundred places for the two servers.
The estate (bench/estate.py) later adds about 200 teams to this organisation.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import contextlib
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
from django.urls import NoReverseMatch, reverse

from api.models import TokenScope
from api.services import create_token
from assessments import organisations, tracking
from assessments.models import Assessment, Membership, OrganisationMembership, OrganisationRole, Role
from assessments.results import build_results
from workshops import services as workshop_services
from workshops.board import workshop_practices

ACTIONS = 8
ROOM_PLACES = 100


def main(seeded: dict) -> None:
    users = get_user_model().objects
    size = seeded["sizes"]["40"]
    submitted = Assessment.objects.select_related("team__organisation").get(pk=size["submitted"])
    draft = Assessment.objects.get(pk=size["draft"])
    team, organisation = submitted.team, submitted.team.organisation
    lead = users.get(username=seeded["username"])
    password = secrets.token_urlsafe(16)
    people = {
        name: users.create_user(username=f"bench-{name}", password=password)
        for name in ("member", "consultant", "viewer")
    }
    Membership.objects.create(team=team, user=people["member"], role=Role.MEMBER)
    organisation.consultants.add(people["consultant"])
    OrganisationMembership.objects.create(
        organisation=organisation, user=people["viewer"], role=OrganisationRole.VIEWER
    )
    organisations.update_organisation(
        organisation=organisation,
        name=organisation.name,
        viewers_see_notes=organisation.viewers_see_notes,
        benchmark_opt_in=True,
        by=people["consultant"],
    )
    for item in build_results(submitted).plan[:ACTIONS]:
        tracking.track_action(assessment=submitted, item=item, user=lead)
    token = create_token(user=people["consultant"], name="bench", scope=TokenScope.READ, days=7)
    room = workshop_services.create_workshop(
        assessment=draft,
        user=lead,
        title="Room of a hundred",
        challenge_slugs=[c.slug for c in draft.playbook.challenges.all()],
        hours=4,
        max_participants=ROOM_PLACES,
    )

    # Each measured page with the person who opens it: a member answers and reads results, the lead runs the
    # team, the consultant and the viewer look across the organisation, and an integration reads the API.
    pages = {
        "questionnaire": ("member", size["pages"]["questionnaire"]),
        "results": ("member", size["pages"]["results"]),
        "dashboard": ("lead", size["pages"]["dashboard"]),
        "actions": ("lead", reverse("assessments:actions", args=[team.pk])),
        "home": ("lead", reverse("assessments:home")),
        "home_consultant": ("consultant", reverse("assessments:home")),
        "heatmap": ("consultant", reverse("assessments:organisation", args=[organisation.slug])),
    }
    with contextlib.suppress(NoReverseMatch):  # a checkout without the portfolio page measures the others
        pages["portfolio"] = ("viewer", reverse("assessments:portfolio", args=[organisation.slug]))
    pages |= {
        "api_assessments": ("token", reverse("api:assessments")),
        "api_actions": ("token", reverse("api:actions")),
    }
    print(
        json.dumps(
            {
                "organisation": organisation.slug,
                "users": {"lead": seeded["username"]} | {name: user.get_username() for name, user in people.items()},
                "password": password,  # of the three new people; the lead keeps the seed's
                "token": token.secret,
                "pages": {name: {"as": who, "url": url} for name, (who, url) in pages.items()},
                "workshop": {
                    "pk": room.pk,
                    "code": room.join_code,
                    "votes": [
                        {"practice": p.slug, "url": reverse("workshops:vote", args=[room.join_code, p.slug])}
                        for p in workshop_practices(room)
                    ],
                },
            }
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
