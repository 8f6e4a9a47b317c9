"""What changed between two playbook versions, practice by practice, as a reviewer reads it.

Each practice of the newer version is listed with its declared origin, then every question, level statement and
critical flag whose text differs from the practice (or practices) it came from, before and after. Practices
declared new are listed once with their levels; practices retired say why.
"""

from playbook.content_model import PlaybookContent, PracticeContent


def _line(label: str, before: str, after: str) -> list[str]:
    return [f"- **{label}**", f"  - before: {before}", f"  - after: {after}"]


def _compare(old: PracticeContent, new: PracticeContent) -> list[str]:
    lines = []
    if old.question != new.question:
        lines += _line("question", old.question, new.question)
    for level, (before, after) in enumerate(zip(old.options, new.options, strict=True)):
        if before != after:
            lines += _line(f"level {level}", before, after)
    if old.is_critical != new.is_critical:
        lines += _line("critical", str(old.is_critical).lower(), str(new.is_critical).lower())
    if old.not_applicable_rule != new.not_applicable_rule:
        lines += _line("not applicable when", old.not_applicable_rule or "never", new.not_applicable_rule or "never")
    return lines


def describe_changes(old: PlaybookContent, new: PlaybookContent) -> str:
    """Markdown listing every change from `old` to `new` with its before and after text."""
    earlier = {p.slug: p for p in old.practices}
    out = [f"# Playbook {new.version}: changes from {old.version}", ""]
    for challenge in new.challenges:
        out += [f"## {challenge.title}{' (module)' if challenge.is_module else ''}", ""]
        for practice in challenge.practices:
            origin = practice.origin
            kind = origin.kind if origin else "new"
            sources = origin.sources if origin and origin.sources else (practice.slug,)
            heading = f"### `{practice.slug}`: {kind}"
            if origin and origin.changed_levels:
                heading += f" (levels {', '.join(map(str, origin.changed_levels))})"
            if origin and origin.sources:
                heading += f" from {', '.join(f'`{s}`' for s in origin.sources)}"
            out.append(heading)
            if kind == "new":
                out += [f"- **question**: {practice.question}"]
                out += [f"- **level {level}**: {text}" for level, text in enumerate(practice.options)]
            else:
                for source in sources:
                    if len(sources) > 1:
                        out.append(f"- compared with `{source}`:")
                    out += _compare(earlier[source], practice) or ["- no text changed"]
            out.append("")
    if old.practices and new.retired:
        out += ["## Retired", ""] + [f"- `{slug}`: {reason}" for slug, reason in sorted(new.retired.items())]
    return "\n".join(out).rstrip() + "\n"
