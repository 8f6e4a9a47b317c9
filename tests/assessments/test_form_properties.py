"""Whatever a browser sends, the answer form either accepts it cleanly or explains why, keeping the input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.answering import NOT_APPLICABLE
from assessments.forms import PracticeAnswerForm
from assessments.models import NOTES_MAX_LENGTH, NotApplicableReason
from playbook.published import load_practices

pytestmark = pytest.mark.django_db
LEVEL_VALUES = st.one_of(st.sampled_from(["", "0", "1", "2", "3", "4", NOT_APPLICABLE]), st.text(max_size=5))
REASONS = st.one_of(st.sampled_from(["", *NotApplicableReason.values]), st.text(max_size=12))
# Lone surrogates cannot appear in a decoded request; NUL can (as %00) and must be refused.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2100)


@pytest.fixture
def practice(playbook):
    return next(p for p in load_practices(playbook) if p.allows_not_applicable)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=LEVEL_VALUES, reason=REASONS, notes=TEXT, detail=TEXT.map(lambda t: t[:250]))
def test_any_submission_is_either_valid_or_explained(practice, playbook, level, reason, notes, detail):
    data = {
        f"{practice.slug}-level": level,
        f"{practice.slug}-not_applicable_reason": reason,
        f"{practice.slug}-not_applicable_detail": detail,
        f"{practice.slug}-notes": notes,
        f"{practice.slug}-revision": "0",
    }
    form = PracticeAnswerForm(data, practice=practice, level_names=playbook.level_names, prefix=practice.slug)
    if form.is_valid():
        answer = form.to_answer_input()
        assert len(answer.notes) <= NOTES_MAX_LENGTH
        if level == NOT_APPLICABLE:
            assert answer.option is None and answer.not_applicable_reason in NotApplicableReason.values
        elif level:
            assert answer.option.level == int(level)
    else:
        assert form.errors
        expected_error = (
            len(notes.strip()) > NOTES_MAX_LENGTH
            or level not in {"", "0", "1", "2", "3", "4", NOT_APPLICABLE}
            or reason not in {"", *NotApplicableReason.values}
            or len(detail.strip()) > 200
            or level == NOT_APPLICABLE
            or "\x00" in notes + detail
        )
        assert expected_error
        # The page shows the person's own input again beside the error.
        assert form["notes"].value() == notes
