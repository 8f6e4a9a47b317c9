"""Database writes for the playbook: publishing a content version."""

from enum import StrEnum

from django.db import transaction

from playbook.content_model import PlaybookContent
from playbook.models import (
    AnswerOption,
    Challenge,
    Framework,
    FrameworkItem,
    GuidanceSection,
    PlaybookVersion,
    Practice,
    Reference,
)


class PublishOutcome(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"


class VersionConflict(Exception):
    """The version number is already published with different content."""


@transaction.atomic
def publish_playbook(*, content: PlaybookContent) -> PublishOutcome:
    """Store `content` as a new immutable version and make it the current one.

    Loading a version that is already published with identical files does nothing;
    with different files it fails, because assessments taken against that
    version must keep seeing exactly what they were answered against.
    """
    existing = PlaybookVersion.objects.select_for_update().filter(version=content.version).first()
    if existing is not None:
        if existing.content_hash != content.content_hash:
            raise VersionConflict(
                f"playbook {content.version} is already published with different content; "
                "give the edited content a new version in playbook.yaml"
            )
        return PublishOutcome.UNCHANGED

    previous = None
    if content.previous_version:
        previous = PlaybookVersion.objects.filter(version=content.previous_version).first()
        if previous is None:
            raise VersionConflict(f"playbook {content.version} revises {content.previous_version}: publish that first")
    PlaybookVersion.objects.filter(is_current=True).update(is_current=False)
    version = PlaybookVersion.objects.create(
        previous=previous,
        version=content.version,
        title=content.title,
        content_hash=content.content_hash,
        level_names=list(content.level_names),
        scoring=content.scoring.as_published(),
        scoring_method=content.scoring_method,
        is_current=True,
    )
    references = {
        ref.key: ref
        for ref in Reference.objects.bulk_create(
            Reference(playbook=version, key=r.key, title=r.title, url=r.url, publisher=r.publisher)
            for r in content.references
        )
    }
    items: dict[tuple[str, str], FrameworkItem] = {}
    for order, framework_content in enumerate(content.frameworks, start=1):
        framework = Framework.objects.create(
            playbook=version,
            slug=framework_content.key,
            order=order,
            title=framework_content.title,
            publisher=framework_content.publisher,
            url=framework_content.url,
            summary=framework_content.summary,
            sections=[{"id": key, "title": title} for key, title in framework_content.sections],
            scoring=dict(framework_content.scoring),
        )
        for item_order, item in enumerate(framework_content.items, start=1):
            items[(framework.slug, item.key)] = FrameworkItem.objects.create(
                framework=framework,
                slug=item.key,
                order=item_order,
                section=item.section,
                title=item.title,
                out_of_scope=item.out_of_scope,
            )
    guidance_by_slug: dict[str, GuidanceSection] = {}
    practice_guidance: list[tuple[Practice, tuple[str, ...]]] = []
    for challenge_content in content.challenges:
        challenge = Challenge.objects.create(
            playbook=version,
            slug=challenge_content.slug,
            order=challenge_content.order,
            title=challenge_content.title,
            summary=challenge_content.summary,
            why_it_matters=challenge_content.why_it_matters,
            level_descriptions=list(challenge_content.level_descriptions),
            is_module=challenge_content.is_module,
            builds_on=list(challenge_content.builds_on),
        )
        challenge.references.set([references[key] for key in challenge_content.references])
        for order, section_content in enumerate(challenge_content.guidance, start=1):
            section = GuidanceSection.objects.create(
                challenge=challenge,
                slug=section_content.slug,
                order=order,
                title=section_content.title,
                body=section_content.body,
                pitfalls=list(section_content.pitfalls),
            )
            section.references.set([references[key] for key in section_content.references])
            guidance_by_slug[section.slug] = section
        for order, practice_content in enumerate(challenge_content.practices, start=1):
            practice = Practice.objects.create(
                challenge=challenge,
                slug=practice_content.slug,
                order=order,
                title=practice_content.title,
                question=practice_content.question,
                weight=practice_content.weight,
                is_critical=practice_content.is_critical,
                not_applicable_rule=practice_content.not_applicable_rule,
                origin=practice_content.origin.as_data() if practice_content.origin else {},
                is_organisation_wide=practice_content.is_organisation_wide,
            )
            practice.covers.set([items[pair] for pair in practice_content.covers])
            practice_guidance.append((practice, practice_content.guidance))
            steps = practice_content.next_steps
            AnswerOption.objects.bulk_create(
                AnswerOption(
                    practice=practice,
                    level=level,
                    description=description,
                    next_step=steps[level].text if level < len(steps) else "",
                    next_step_effort=steps[level].effort if level < len(steps) else "",
                    next_step_impact=steps[level].impact if level < len(steps) else "",
                )
                for level, description in enumerate(practice_content.options)
            )
    # A practice may link to guidance in another challenge's file, so links are made once all exist.
    Practice.guidance.through.objects.bulk_create(
        Practice.guidance.through(practice=practice, guidancesection=guidance_by_slug[slug])
        for practice, slugs in practice_guidance
        for slug in slugs
    )
    return PublishOutcome.CREATED
