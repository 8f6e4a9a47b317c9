import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from assessments import services
from assessments.results import build_results, scoped_practices
from playbook.models import Challenge, PlaybookVersion, Practice
from playbook.published import load_practices


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_playbook", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def edited_content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(settings.PLAYBOOK_CONTENT_DIR / "2026.1", root)
    return root


def edit_manifest_and_first_practice(root, version, title):
    manifest = root / "playbook.yaml"
    manifest.write_text(manifest.read_text().replace('version: "2026.1"', f'version: "{version}"'))
    path = sorted((root / "challenges").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text())
    data["practices"][0]["title"] = title
    data["practices"][0]["weight"] = 1
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@pytest.mark.django_db
def test_check_prints_the_summary_line_and_loads_nothing(edited_content):
    edit_manifest_and_first_practice(edited_content, "2099.1", "Renamed")
    line = run("--check", "--path", str(edited_content))
    assert line.startswith("playbook 2099.1: challenges=5 modules=0 practices=")
    assert not PlaybookVersion.objects.filter(version="2099.1").exists()


@pytest.mark.django_db
def test_loading_the_same_version_twice_changes_nothing(playbook):
    counts = (Challenge.objects.count(), Practice.objects.count())
    assert run().endswith("(unchanged)")
    assert (Challenge.objects.count(), Practice.objects.count()) == counts


@pytest.mark.django_db
def test_the_same_version_with_different_content_is_refused(edited_content, playbook):
    edit_manifest_and_first_practice(edited_content, "2026.1", "Renamed")
    with pytest.raises(CommandError, match="already published with different content"):
        run("--path", str(edited_content))


@pytest.mark.django_db
def test_malformed_content_loads_nothing_and_names_the_problem(edited_content):
    path = sorted((edited_content / "challenges").glob("*.yaml"))[-1]
    data = yaml.safe_load(path.read_text())
    data["practices"][-1]["weight"] = 9
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    (edited_content / "playbook.yaml").write_text(
        (edited_content / "playbook.yaml").read_text().replace('"2026.1"', '"2099.2"')
    )
    with pytest.raises(CommandError, match=rf"{path.name}: practice '.*': weight 9 is out of range"):
        run("--path", str(edited_content))
    assert not PlaybookVersion.objects.filter(version="2099.2").exists()


@pytest.mark.django_db
def test_a_new_version_never_changes_an_existing_assessment(edited_content, playbook, team, lead):
    """Including one with lifecycle modules: the version it was taken on keeps its questions, score, plan and scope."""
    modules = list(playbook.challenges.filter(is_module=True).values_list("slug", flat=True)[:2])
    assert len(modules) == 2
    assessment = services.create_assessment(team=team, user=lead, title="Before", modules=modules)
    practices = scoped_practices(assessment)
    assert {p.challenge.slug for p in practices} >= set(modules)
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(practice=p, option=p.options.all()[1]) for p in practices],
    )
    before = build_results(assessment)

    edit_manifest_and_first_practice(edited_content, "2099.3", "A renamed practice")
    run("--path", str(edited_content))

    assessment.refresh_from_db()
    after = build_results(assessment)
    assert PlaybookVersion.objects.get(is_current=True).version == "2099.3"
    assert assessment.playbook == playbook and assessment.modules == modules
    assert after.score == before.score and after.score.level is not None
    assert after.plan == before.plan
    assert [r.practice.title for c in after.challenges for r in c.rows] == [p.title for p in practices]
    # New assessments use the new version and see the new wording.
    newer = services.create_assessment(team=team, user=lead, title="After")
    assert load_practices(newer.playbook)[0].title == "A renamed practice"
