"""Workshop pages: the facilitator's board and projector view, and the participants' ballots.

Participants reach only their own ballot in one workshop: guests hold a
participant id in their session and have no login, so every other page of the
app stays closed to them.
"""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from assessments import access
from assessments.access import Capability
from assessments.answering import choice_of
from assessments.organisations import organisation_brand
from config.client_ip import client_ip
from config.site import absolute_url
from workshops import services
from workshops.board import current_answers, load_board, workshop_practices
from workshops.forms import DecisionForm, JoinForm, PlacesForm, VoteForm, WorkshopForm, decision_initial
from workshops.models import Ballot, Decision, Participant, Workshop

SESSION_KEY = "workshop_participants"


def _facilitated(request: HttpRequest, pk: int) -> Workshop:
    """A workshop of a team the user may manage (lead or consultant); anyone else gets a 404."""
    workshop = Workshop.objects.filter(pk=pk).select_related("assessment", "current_practice__challenge").first()
    if workshop is None:
        raise Http404("No such workshop")
    assessment, _ = access.get_assessment(request.user, workshop.assessment_id, Capability.MANAGE)
    workshop.assessment = assessment
    return workshop


@login_required
def create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    challenges = [c for c in assessment.playbook.challenges.all() if assessment.includes(c)]
    form = WorkshopForm(request.POST or None, challenges=challenges)
    if request.method == "POST" and form.is_valid():
        if assessment.is_submitted:
            messages.error(request, "This assessment is submitted; reopen it before running a workshop on it.")
        else:
            workshop = services.create_workshop(
                assessment=assessment,
                user=request.user,
                title=form.cleaned_data["title"],
                challenge_slugs=form.cleaned_data["challenges"],
                hours=form.cleaned_data["hours"],
                max_participants=form.cleaned_data["max_participants"],
            )
            return redirect(workshop)
    return render(request, "workshops/workshop_create.html", {"assessment": assessment, "form": form})


def _board_context(workshop: Workshop, *, with_forms: bool, bound: DecisionForm | None = None) -> dict:
    """Tallies for the board; the decision forms only for the full page, not for its two-second refreshes.

    `bound` is a rejected decision, shown again in its row as it was typed.
    """
    rows, headcount = load_board(workshop)
    level_names = workshop.assessment.playbook.level_names
    forms = {}
    if with_forms:
        answers = current_answers(workshop.assessment)
        for row in rows:
            pk = row.practice.pk
            forms[pk] = (
                bound
                if bound is not None and bound.practice.pk == pk
                else DecisionForm(
                    practice=row.practice,
                    level_names=level_names,
                    prefix=f"decide-{row.practice.slug}",
                    initial=decision_initial(row.decision, answers.get(pk)),
                )
            )
            # Shown on the card, so the facilitator sees what recording would replace.
            forms[pk].current_answer = answers.get(pk)
    return {
        "workshop": workshop,
        "rows": rows,
        "headcount": headcount,
        "level_names": level_names,
        "levels": list(enumerate(level_names)),
        "decision_forms": forms,
        "disagreements": sum(1 for row in rows if row.tally.disagrees and not row.decision),
    }


def _qr(workshop: Workshop, **options) -> dict:
    """The join link and its QR code, only while people can still join."""
    if not workshop.is_open:
        return {}
    join_url = absolute_url(reverse("workshops:join_code", args=[workshop.join_code]))
    return {
        "join_url": join_url,
        "join_page": absolute_url(reverse("workshops:join")),
        "qr": segno.make(join_url, error="m").svg_inline(omitsize=True, **options),
    }


def _board_page(
    request: HttpRequest,
    workshop: Workshop,
    *,
    bound: DecisionForm | None = None,
    places_form: PlacesForm | None = None,
) -> HttpResponse:
    context = _board_context(workshop, with_forms=True, bound=bound)
    context["places_form"] = places_form or PlacesForm(initial={"max_participants": workshop.max_participants})
    context |= _qr(workshop, scale=6, title=f"Join code {workshop.join_code}")
    context["recorded"] = request.GET.get("recorded", "")
    context["replaced"] = request.GET.get("replaced", "")
    rejected = bound is not None or (places_form is not None and places_form.errors)
    return render(request, "workshops/facilitate.html", context, status=400 if rejected else 200)


@login_required
def facilitate(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _facilitated(request, pk)
    if request.htmx:
        # HTTP 286 tells htmx to stop polling a board whose workshop has ended.
        status = 200 if workshop.is_open else 286
        context = _board_context(workshop, with_forms=False)
        return render(request, "workshops/facilitate.html#live-updates", context, status=status)
    return _board_page(request, workshop)


@login_required
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _facilitated(request, pk)
    if request.htmx and not workshop.is_open:
        return HttpResponseClientRefresh()  # the full page drops the join invitation and stops polling
    context = _board_context(workshop, with_forms=False)
    current = next((row for row in context["rows"] if row.practice.pk == workshop.current_practice_id), None)
    context["current"] = current
    if request.htmx:
        return render(request, "workshops/projector.html#now-showing", context)
    context |= _qr(workshop, scale=8, title="Scan to join")
    context["brand"] = organisation_brand(workshop.assessment.team.organisation)
    return render(request, "workshops/projector.html", context)


@login_required
@require_POST
def places(request: HttpRequest, pk: int) -> HttpResponse:
    """How many people may be in the room; lowering it below those already in only stops new joins."""
    workshop = _facilitated(request, pk)
    form = PlacesForm(request.POST)
    if not form.is_valid():
        return _board_page(request, workshop, places_form=form)
    services.set_places(workshop=workshop, max_participants=form.cleaned_data["max_participants"])
    messages.success(request, f"The room now has {form.cleaned_data['max_participants']} places.")
    return redirect(workshop)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _facilitated(request, pk)
    practice = next((p for p in workshop_practices(workshop) if p.slug == request.POST.get("practice")), None)
    services.move_room(workshop=workshop, practice=practice)
    return redirect(f"{workshop.get_absolute_url()}#row-{practice.slug if practice else 'top'}")


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, practice_slug: str) -> HttpResponse:
    workshop = _facilitated(request, pk)
    practice = next((p for p in workshop_practices(workshop) if p.slug == practice_slug), None)
    if practice is None:
        raise Http404("That practice is not part of this workshop")
    form = DecisionForm(
        request.POST,
        practice=practice,
        level_names=workshop.assessment.playbook.level_names,
        prefix=f"decide-{practice.slug}",
    )
    if form.is_valid() and workshop.assessment.is_submitted:
        form.add_error(None, "The assessment has been submitted. A lead can reopen it.")
    if not form.is_valid():
        return _board_page(request, workshop, bound=form)
    try:
        recorded = services.record_decision(workshop=workshop, answer=form.to_answer_input(), user=request.user)
    except services.AnswerChangedMeanwhile as changed:
        return _board_page(request, workshop, bound=_against_current_answer(form, changed.answer))
    # Said in the row the page scrolls to, not in the page's message area far above it.
    query = urlencode({"recorded": practice.slug} | ({"replaced": recorded.replaced} if recorded.replaced else {}))
    return redirect(f"{workshop.get_absolute_url()}?{query}#row-{practice.slug}")


def _against_current_answer(form: DecisionForm, answer) -> DecisionForm:
    """The facilitator's input kept, now against the answer's current revision, with what changed."""
    rebound = form.against(answer)
    if answer.is_inherited:
        rebound.add_error(
            None,
            f"This answer is inherited from the shared set “{answer.shared_source}”. Nothing was recorded: on the "
            "questionnaire, choose “The team differs” first if the room's answer is the team's own.",
        )
        return rebound
    who = answer.updated_by.get_username() if answer.updated_by else "Someone"
    notes = f" Its notes are now: “{answer.notes}”." if answer.notes else ""
    rebound.add_error(
        None,
        f"{who} changed this answer at {localtime(answer.updated_at):%H:%M}, after the board was drawn.{notes} "
        "Check the note below, then record again to replace their answer.",
    )
    return rebound


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing cannot be undone, so the board links to this confirmation page rather than closing at once."""
    workshop = _facilitated(request, pk)
    if not workshop.is_open:
        return redirect(workshop)
    if request.method == "POST":
        services.close_workshop(workshop=workshop)
        messages.success(request, "Workshop closed: the join code no longer works and ballots are final.")
        return redirect(workshop.assessment)
    rows, headcount = load_board(workshop)
    undecided = sum(1 for row in rows if row.decision is None)
    return render(
        request, "workshops/workshop_close.html", {"workshop": workshop, "undecided": undecided, "headcount": headcount}
    )


# Participants


# What every page of the room reads of its workshop.
WORKSHOP_RELATED = ("assessment__playbook", "current_practice")


def _workshop_by_code(code: str) -> Workshop | None:
    return Workshop.objects.select_related(*WORKSHOP_RELATED).filter(join_code=services.normalise_code(code)).first()


def _cannot_join(request: HttpRequest, form: JoinForm, *, problem: str = "nowhere", status: int = 404) -> HttpResponse:
    """The join page again, with what was typed and why it did not work.

    An unknown code and an ended one get the same answer, so trying codes tells nobody which ones existed. A code
    typed into the form comes back to be corrected; a join link that leads nowhere offers no form.
    """
    context = {"form": form, "problem": problem, "hide_form": request.method != "POST"}
    return render(request, "workshops/join.html", context, status=status)


def _participant(request: HttpRequest, workshop: Workshop) -> Participant | None:
    participant_id = request.session.get(SESSION_KEY, {}).get(str(workshop.pk))
    if participant_id:
        participant = Participant.objects.filter(pk=participant_id, workshop=workshop).first()
    elif request.user.is_authenticated:
        participant = Participant.objects.filter(workshop=workshop, user=request.user).first()
    else:
        return None
    if participant is not None:
        participant.workshop = workshop  # voting reads it: not loaded twice
    return participant


def _joined_participant(request: HttpRequest, code: str) -> Participant | None:
    """The place this browser joined in the workshop with that code, with its workshop, in one query: every vote and
    every poll of every phone in the room starts here."""
    joined = request.session.get(SESSION_KEY)
    if not joined:
        return None
    return (
        Participant.objects.select_related(*(f"workshop__{related}" for related in WORKSHOP_RELATED))
        .filter(pk__in=joined.values(), workshop__join_code=services.normalise_code(code))
        .first()
    )


def _remember(request: HttpRequest, participant: Participant) -> None:
    joined = request.session.get(SESSION_KEY, {})
    joined[str(participant.workshop_id)] = participant.pk
    request.session[SESSION_KEY] = joined


def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """Team members join with their login, anyone else with the code and a display name; always by a POST.

    Viewers follow the results but do not vote. A signed-in member always holds their one member place, even
    if they fill in a guest name.
    """
    form = JoinForm(request.POST or None, initial={"code": code})
    if request.method == "GET" and not code:
        return render(request, "workshops/join.html", {"form": form})
    if request.method == "POST" and form.has_error("code"):
        return render(request, "workshops/join.html", {"form": form}, status=400)
    address = client_ip(request)
    if services.too_many_codes_tried(address=address):
        return _cannot_join(request, form, problem="throttled", status=429)
    workshop = _workshop_by_code(form.cleaned_data["code"] if request.method == "POST" else code)
    if workshop is not None and _participant(request, workshop) is not None:
        return redirect("workshops:ballot", workshop.join_code)  # already in: their ballot says if it ended
    if workshop is None or not workshop.is_open:
        services.record_code_that_led_nowhere(address=address)
        return _cannot_join(request, form)
    team_access = access.access_to_assessment(request.user, workshop.assessment_id)
    if team_access is not None and not team_access.can_answer:
        context = {"form": form, "workshop": workshop, "problem": "viewer"}
        return render(request, "workshops/join.html", context, status=403)
    context = {"form": form, "workshop": workshop, "as_member": team_access is not None}
    if request.method == "GET":
        return render(request, "workshops/join.html", context)
    try:
        if team_access is not None:
            participant = services.join_as_member(workshop=workshop, user=request.user)
        else:
            name = (form.cleaned_data.get("display_name") or "").strip() if form.is_valid() else None
            if name == "":
                form.add_error("display_name", "Enter the name the room should see.")
            if not name:
                return render(request, "workshops/join.html", context, status=400)
            participant = services.join_as_guest(workshop=workshop, display_name=name, address=address)
    except services.WorkshopFull:
        return render(request, "workshops/join.html", context | {"problem": "full"}, status=409)
    except services.TooManyJoins:
        return render(request, "workshops/join.html", context | {"problem": "too_many"}, status=429)
    _remember(request, participant)
    return redirect("workshops:ballot", workshop.join_code)


def _ballot_context(workshop: Workshop, participant: Participant) -> dict:
    practices = workshop_practices(workshop)
    ballots = {b.practice_id: b for b in Ballot.objects.filter(participant=participant)}
    decided = {d.practice_id: d for d in Decision.objects.filter(workshop=workshop).select_related("option")}
    level_names = workshop.assessment.playbook.level_names
    forms = []
    for practice in practices:
        ballot = ballots.get(practice.pk)
        initial = {
            "level": choice_of(getattr(ballot, "level", None), not_applicable=getattr(ballot, "not_applicable", False))
        }
        form = VoteForm(practice=practice, level_names=level_names, prefix=practice.slug, initial=initial)
        form.decision = decided.get(practice.pk)
        form.voted = ballot is not None
        forms.append(form)
    return {"workshop": workshop, "participant": participant, "forms": forms}


def _in_the_room(request: HttpRequest, code: str) -> tuple[Workshop, Participant] | HttpResponse:
    """The workshop and this browser's participant in it (even once it has ended), or the page to show instead."""
    participant = _joined_participant(request, code)
    if participant is not None:
        workshop = participant.workshop
    else:
        workshop = _workshop_by_code(code)
        participant = _participant(request, workshop) if workshop is not None else None
    if participant is None:
        if workshop is None or not workshop.is_open:
            return _cannot_join(request, JoinForm(initial={"code": code}))
        return redirect("workshops:join_code", workshop.join_code)
    if participant.user_id is not None and workshop.is_open:
        # Someone removed from the team (or made a viewer) since joining stops voting at once.
        team_access = access.access_to_assessment(participant.user, workshop.assessment_id)
        if team_access is None or not team_access.can_answer:
            if request.htmx:
                return HttpResponseClientRefresh()
            context = {"form": JoinForm(initial={"code": code}), "workshop": workshop, "problem": "removed"}
            return render(request, "workshops/join.html", context, status=403)
    if workshop.is_open:
        services.mark_present(participant=participant)
    return workshop, participant


def _room_ended(request: HttpRequest, workshop: Workshop, participant: Participant) -> HttpResponse:
    """What people in the room see once it has closed or expired: the answers agreed, and no more ballots."""
    if request.htmx:
        # The banner's poll or a last vote: reload the whole page, so no voting control stays on screen.
        return HttpResponseClientRefresh()
    return render(request, "workshops/ballot.html", _ballot_context(workshop, participant), status=410)


def ballot(request: HttpRequest, code: str) -> HttpResponse:
    found = _in_the_room(request, code)
    if isinstance(found, HttpResponse):
        return found
    workshop, participant = found
    if not workshop.is_open:
        return _room_ended(request, workshop, participant)
    if request.htmx and request.GET.get("now"):
        return render(request, "workshops/ballot.html#room-now", {"workshop": workshop})
    return render(request, "workshops/ballot.html", _ballot_context(workshop, participant))


@require_POST
def vote(request: HttpRequest, code: str, practice_slug: str) -> HttpResponse:
    found = _in_the_room(request, code)
    if isinstance(found, HttpResponse):
        return found
    workshop, participant = found
    if not workshop.is_open:
        return _room_ended(request, workshop, participant)
    practice = next((p for p in workshop_practices(workshop) if p.slug == practice_slug), None)
    if practice is None:
        raise Http404("That practice is not part of this workshop")
    form = VoteForm(
        request.POST, practice=practice, level_names=workshop.assessment.playbook.level_names, prefix=practice.slug
    )
    form.voted = False
    form.decision = None
    if form.is_valid():
        try:
            services.cast_ballot(participant=participant, practice=practice, **form.to_vote())
            form.voted = True
        except services.AlreadyDecided:
            form.decision = Decision.objects.select_related("option").get(workshop=workshop, practice=practice)
        except services.WorkshopClosed:  # closed while this vote was on its way
            return _room_ended(request, workshop, participant)
    if request.htmx:
        return render(request, "workshops/ballot.html#vote-card", {"workshop": workshop, "form": form})
    return redirect(f"{reverse('workshops:ballot', args=[workshop.join_code])}#vote-{practice.slug}")
