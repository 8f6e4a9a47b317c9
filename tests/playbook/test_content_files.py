"""The content loader's validation, on copies of the real content with one defect each."""

import shutil

import pytest
import yaml
from django.conf import settings

from playbook.content_files import read_playbook, version_folders
from playbook.content_model import ContentError

FIRST_VERSION = settings.PLAYBOOK_CONTENT_DIR / "2026.1"


@pytest.fixture
def content(tmp_path):
    """A copy of the first published version's folder (it revises no other)."""
    root = tmp_path / "content"
    shutil.copytree(FIRST_VERSION, root)
    return root


def edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def first_challenge(root):
    return sorted((root / "challenges").glob("*.yaml"))[0]


@pytest.mark.parametrize("folder", version_folders(settings.PLAYBOOK_CONTENT_DIR), ids=lambda folder: folder.name)
def test_the_shipped_content_is_valid_and_complete(folder):
    playbook = read_playbook(folder)
    assert sum(1 for challenge in playbook.challenges if not challenge.is_module) == 5
    for challenge in playbook.challenges:
        assert 6 <= len(challenge.practices) <= 8, challenge.slug
        for practice in challenge.practices:
            assert len(practice.options) == 5 and all(practice.options)
            assert practice.guidance
        for section in challenge.guidance:
            assert section.references


def test_the_summary_line_has_the_documented_form():
    line = read_playbook(FIRST_VERSION).summary_line()
    assert line.startswith("playbook 2026.1: challenges=5 modules=0 practices=")
    assert " options=" in line and " guidance=" in line and " references=" in line


def test_a_missing_level_names_the_file_the_practice_and_the_level(content):
    path = first_challenge(content)
    edit(path, lambda d: d["practices"][0]["options"].pop(3))
    with pytest.raises(ContentError) as error:
        read_playbook(content)
    assert error.value.file == f"challenges/{path.name}"
    assert "practice '" in error.value.item
    assert error.value.problem == "'options' is missing level 3"


def test_a_duplicate_practice_slug_is_refused(content):
    path = first_challenge(content)

    def duplicate(d):
        d["practices"][1]["slug"] = d["practices"][0]["slug"]

    edit(path, duplicate)
    with pytest.raises(ContentError, match="duplicate slug"):
        read_playbook(content)


def test_a_dangling_guidance_link_is_refused(content):
    edit(first_challenge(content), lambda d: d["practices"][0].update(guidance=["no-such-section"]))
    with pytest.raises(ContentError, match="dangling guidance link 'no-such-section'"):
        read_playbook(content)


def test_an_unknown_reference_is_refused(content):
    edit(first_challenge(content), lambda d: d["guidance"][0].update(references=["no-such-source"]))
    with pytest.raises(ContentError, match="unknown reference 'no-such-source'"):
        read_playbook(content)


def test_a_weight_out_of_range_is_refused(content):
    edit(first_challenge(content), lambda d: d["practices"][0].update(weight=5))
    with pytest.raises(ContentError, match=r"weight 5 is out of range \(1-3\)"):
        read_playbook(content)


def test_a_guidance_section_without_references_is_refused(content):
    edit(first_challenge(content), lambda d: d["guidance"][0].update(references=[]))
    with pytest.raises(ContentError, match="'references' needs at least one entry"):
        read_playbook(content)


def test_an_unknown_effort_rating_is_refused(content):
    edit(first_challenge(content), lambda d: d["practices"][0]["next_steps"][0].update(effort="tiny"))
    with pytest.raises(ContentError, match="effort 'tiny' must be one of low, medium, high"):
        read_playbook(content)


def test_broken_yaml_names_the_file(content):
    path = first_challenge(content)
    path.write_text("slug: [unclosed\n")
    with pytest.raises(ContentError) as error:
        read_playbook(content)
    assert error.value.file == f"challenges/{path.name}"
    assert "not valid YAML" in error.value.problem


def test_a_reference_listed_twice_must_be_identical(content):
    extra = content / "references" / "zz-conflict.yaml"
    existing = yaml.safe_load(sorted((content / "references").glob("*.yaml"))[0].read_text())[0]
    extra.write_text(yaml.safe_dump([{**existing, "url": "https://example.org/elsewhere"}]))
    with pytest.raises(ContentError, match="duplicate reference id"):
        read_playbook(content)


def test_the_content_hash_changes_with_any_file(content):
    before = read_playbook(content).content_hash
    edit(first_challenge(content), lambda d: d.update(summary="A new summary."))
    assert read_playbook(content).content_hash != before


def test_an_option_with_a_vague_degree_is_refused(content):
    edit(first_challenge(content), lambda d: d["practices"][0]["options"].update({2: "Users are mostly involved."}))
    with pytest.raises(ContentError, match="option 2 uses the vague degree 'mostly'"):
        read_playbook(content)


def test_a_level_that_repeats_a_clause_of_the_level_below_is_refused(content):
    def repeat(data):
        options = data["practices"][0]["options"]
        options[3] = f"Every release is reviewed by a named user, and {options[3][0].lower()}{options[3][1:]}"
        options[2] = f"{options[2].rstrip('.')}, and every release is reviewed by a named user."

    edit(first_challenge(content), repeat)
    with pytest.raises(ContentError, match="options 2 and 3 both say 'every release is reviewed by a named user'"):
        read_playbook(content)


@pytest.fixture
def mapped(tmp_path):
    """Copies of both versions; 2027.1 (it revises 2026.1) is the one mapped to frameworks."""
    root = tmp_path / "content"
    for version in ("2026.1", "2027.1"):
        shutil.copytree(settings.PLAYBOOK_CONTENT_DIR / version, root / version)
    return root / "2027.1"


def test_a_practice_covering_an_unknown_framework_or_item_is_refused(mapped):
    edit(first_challenge(mapped), lambda d: d["practices"][0].update(covers={"no-such-framework": ["x-1"]}))
    with pytest.raises(
        ContentError, match="practice 'users-shape-the-problem': covers unknown framework 'no-such-framework'"
    ):
        read_playbook(mapped)
    edit(first_challenge(mapped), lambda d: d["practices"][0].update(covers={"ml-test-score": ["no-such-item"]}))
    with pytest.raises(ContentError, match="covers unknown item 'ml-test-score no-such-item'"):
        read_playbook(mapped)


def test_a_framework_item_that_no_practice_covers_must_say_why(mapped):
    def add_item(framework):
        framework["items"].append({"id": "extra-1", "section": framework["items"][0]["section"], "title": "Extra"})

    edit(mapped / "frameworks" / "ml-test-score.yaml", add_item)
    with pytest.raises(ContentError, match="item 'extra-1'.*no practice covers it"):
        read_playbook(mapped)
