"""What a re-assessment carries over from an earlier assessment: plain functions over plain data, no database.

Teams re-assess every quarter and the playbook keeps improving, so the earlier
assessment may have been answered against an older version. Rules:

- On the same version, every earlier answer is carried as it is.
- On the version that revises the earlier one, each practice declares where it
  came from (`playbook.content_model.Origin`), and that decides:
  - new: nothing is carried;
  - unchanged, reworded or renamed: the earlier answer is kept;
  - levels changed: kept, unless it was at a level whose meaning changed (or
    was 'not applicable'); then it is a suggestion;
  - split: the earlier answer is a suggestion for each of the parts;
  - merged: the lowest level among the merged answers is the suggestion (a
    merge never flatters), with all their notes.
- Across any other pair of versions, answers are matched by slug and every one
  is a suggestion.

A suggestion is shown on the card with the earlier wording and counts for
nothing until someone confirms it or chooses again; notes (the evidence) are
always carried.

Example: 'model-endpoint-access-control' declared levels-changed at levels 1
and 2; a team that answered 3 keeps 3, a team that answered 1 sees 1 suggested.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from playbook.content_model import Origin


@dataclass(frozen=True)
class EarlierAnswer:
    slug: str
    title: str
    level: int | None
    statement: str  # the wording of the chosen level, or the 'not applicable' rule
    not_applicable_reason: str
    not_applicable_detail: str
    notes: str


@dataclass(frozen=True)
class NextPractice:
    slug: str
    origin: Origin | None  # None where the version declares no lineage
    allows_not_applicable: bool


@dataclass(frozen=True)
class Carried:
    slug: str
    level: int | None  # kept answers only
    not_applicable_reason: str
    not_applicable_detail: str
    notes: str
    to_confirm: bool
    suggested_level: int | None
    sources: tuple[EarlierAnswer, ...]


def _kept(slug: str, earlier: EarlierAnswer, allows_not_applicable: bool) -> Carried:
    if earlier.not_applicable_reason and not allows_not_applicable:
        return _suggested(slug, [earlier])
    return Carried(
        slug=slug,
        level=earlier.level,
        not_applicable_reason=earlier.not_applicable_reason,
        not_applicable_detail=earlier.not_applicable_detail,
        notes=earlier.notes,
        to_confirm=False,
        suggested_level=None,
        sources=(earlier,),
    )


def _suggested(slug: str, sources: Sequence[EarlierAnswer]) -> Carried:
    levels = [answer.level for answer in sources if answer.level is not None]
    return Carried(
        slug=slug,
        level=None,
        not_applicable_reason="",
        not_applicable_detail="",
        notes="\n\n".join(answer.notes for answer in sources if answer.notes),
        to_confirm=True,
        suggested_level=min(levels) if levels else None,
        sources=tuple(sources),
    )


def carry_answers(
    earlier: Sequence[EarlierAnswer], practices: Sequence[NextPractice], *, same_version: bool, revises: bool
) -> list[Carried]:
    """The answers to open a re-assessment with. `revises`: the new version declares the earlier one its previous."""
    by_slug: Mapping[str, EarlierAnswer] = {answer.slug: answer for answer in earlier}
    carried = []
    for practice in practices:
        if same_version or not revises or practice.origin is None:
            answer = by_slug.get(practice.slug)
            if answer is not None:
                keep = same_version or (not revises and practice.origin is None)
                carried.append(
                    _kept(practice.slug, answer, practice.allows_not_applicable)
                    if keep
                    else _suggested(practice.slug, [answer])
                )
            continue
        origin = practice.origin
        sources = [by_slug[slug] for slug in (origin.sources or (practice.slug,)) if slug in by_slug]
        if origin.kind == "new" or not sources:
            continue
        if origin.kind in ("split", "merged"):
            carried.append(_suggested(practice.slug, sources))
        elif origin.keeps(None if sources[0].not_applicable_reason else sources[0].level):
            carried.append(_kept(practice.slug, sources[0], practice.allows_not_applicable))
        else:
            carried.append(_suggested(practice.slug, sources))
    return carried
