"""Checks across the content files of a playbook version, and against the version it revises.

Each check raises `ContentError` naming the file and item at fault, so a mistake in the content is a load error,
never a page that renders oddly.
"""

from collections.abc import Mapping, Sequence

from playbook.content_model import ChallengeContent, ContentError, FrameworkContent, PlaybookContent, ReferenceContent


def check_links(
    challenges: Sequence[tuple[str, ChallengeContent]],
    references: Mapping[str, ReferenceContent],
    frameworks: Sequence[tuple[str, FrameworkContent]],
) -> None:
    """Slugs are unique; every reference, guidance section, core practice and framework item named exists;
    every framework item is covered by a practice or says why it is out of scope."""
    seen: dict[str, str] = {}
    for name, challenge in challenges:
        kinds = [("challenge", challenge.slug)]
        kinds += [("practice", p.slug) for p in challenge.practices]
        kinds += [("guidance", g.slug) for g in challenge.guidance]
        for kind, slug in kinds:
            key = f"{kind} {slug}"
            if key in seen:
                raise ContentError(name, f"{kind} '{slug}'", f"duplicate slug (also in {seen[key]})")
            seen[key] = name
    guidance_slugs = {g.slug for _, c in challenges for g in c.guidance}
    core_practices = {p.slug for _, c in challenges if not c.is_module for p in c.practices}
    items = {framework.key: {item.key for item in framework.items} for _, framework in frameworks}
    covered: set[tuple[str, str]] = set()
    for name, challenge in challenges:
        for key in challenge.references:
            if key not in references:
                raise ContentError(name, f"challenge '{challenge.slug}'", f"unknown reference '{key}'")
        for slug in challenge.builds_on:
            if slug not in core_practices:
                raise ContentError(name, f"module '{challenge.slug}'", f"builds on '{slug}', not a core practice")
        for practice in challenge.practices:
            for slug in practice.guidance:
                if slug not in guidance_slugs:
                    raise ContentError(name, f"practice '{practice.slug}'", f"dangling guidance link '{slug}'")
            for framework, item in practice.covers:
                if framework not in items:
                    raise ContentError(name, f"practice '{practice.slug}'", f"covers unknown framework '{framework}'")
                if item not in items[framework]:
                    raise ContentError(name, f"practice '{practice.slug}'", f"covers unknown item '{framework} {item}'")
                covered.add((framework, item))
        for section in challenge.guidance:
            for key in section.references:
                if key not in references:
                    raise ContentError(name, f"guidance '{section.slug}'", f"unknown reference '{key}'")
    for name, framework in frameworks:
        for item in framework.items:
            is_covered = (framework.key, item.key) in covered
            if not is_covered and not item.out_of_scope:
                raise ContentError(
                    name,
                    f"item '{item.key}'",
                    "no practice covers it: add it to a practice's covers, or say why it is out_of_scope",
                )
            if is_covered and item.out_of_scope:
                raise ContentError(name, f"item '{item.key}'", "is covered by a practice and also marked out_of_scope")


def check_origins(content: PlaybookContent, previous: PlaybookContent, files: Mapping[str, ChallengeContent]) -> None:
    """Every practice says honestly where it came from in `previous`, and no practice of it vanishes unexplained."""
    file_of = {p.slug: name for name, c in files.items() for p in c.practices}
    old = {p.slug: p for p in previous.practices}
    new = {p.slug: p for p in content.practices}
    accounted = set(content.retired or {})
    for slug in accounted - set(old):
        raise ContentError("playbook.yaml", f"retired '{slug}'", f"is not a practice of {previous.version}")
    for practice in content.practices:
        where, origin = file_of[practice.slug], practice.origin
        item = f"practice '{practice.slug}'"
        if origin.kind in ("unchanged", "reworded", "levels-changed"):
            if practice.slug not in old:
                raise ContentError(where, item, f"is {origin.kind} but {previous.version} has no such practice")
            before = old[practice.slug]
            same = (before.question, before.options, before.next_steps) == (
                practice.question,
                practice.options,
                practice.next_steps,
            )
            if origin.kind == "unchanged" and not same:
                raise ContentError(where, item, "is declared unchanged but its question, levels or steps changed")
            if origin.kind != "unchanged" and same:
                raise ContentError(where, item, f"is declared {origin.kind} but nothing in it changed")
            if origin.kind == "levels-changed" and origin.changed_levels:
                # An undeclared changed level would keep an earlier answer that its new statement may not support.
                changed = {
                    level
                    for level, (old_option, option) in enumerate(zip(before.options, practice.options, strict=True))
                    if old_option != option
                }
                if undeclared := sorted(changed - set(origin.changed_levels)):
                    raise ContentError(
                        where,
                        item,
                        f"level {undeclared[0]} changed but is not listed under levels-changed: list it (answers"
                        " there are then confirmed again), or declare the practice reworded if no level's meaning"
                        " changed",
                    )
            accounted.add(practice.slug)
        elif origin.kind == "new":
            if practice.slug in old:
                raise ContentError(where, item, f"is declared new but {previous.version} has it; say how it changed")
        else:
            for source in origin.sources:
                if source not in old:
                    raise ContentError(
                        where, item, f"{origin.kind} from '{source}', not a practice of {previous.version}"
                    )
            if origin.kind == "renamed" and origin.sources[0] in new:
                raise ContentError(where, item, f"renamed from '{origin.sources[0]}', which still exists")
            accounted.update(origin.sources)
    if missing := sorted(set(old) - accounted):
        raise ContentError(
            "playbook.yaml",
            f"practice '{missing[0]}'",
            f"of {previous.version} is gone without a word: declare what replaced it, or list it under retired",
        )
