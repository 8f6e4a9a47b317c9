"""The vocabulary of an answer, shared by the questionnaire card, the workshop ballot and the workshop board.

A practice is answered with one of its levels or, where the playbook allows it,
'not applicable'. Forms carry the choice as a string: the level's number, or
`NOT_APPLICABLE`. Forms that write an answer also carry the revision of the
answer the person saw, so a change made meanwhile by someone else is shown to
them instead of being overwritten.
"""

from typing import Self

from django import forms

from assessments.models import NotApplicableReason, not_applicable_accepted
from playbook.models import AnswerOption, Practice

NOT_APPLICABLE = "na"


def level_choices(practice: Practice, level_names: list[str], *, described: bool = True) -> list[tuple[str, str]]:
    """The practice's levels as form choices ('2 · Repeatable: <what that looks like>'), then 'not applicable'.

    `described=False` gives the short form ('2 · Repeatable') for a list where the statements are shown elsewhere.
    """
    choices = [
        (str(o.level), f"{o.level} · {level_names[o.level]}" + (f": {o.description}" if described else ""))
        for o in practice.options.all()
    ]
    if practice.allows_not_applicable:
        choices.append(
            (NOT_APPLICABLE, f"Not applicable: {practice.not_applicable_rule}" if described else "Not applicable")
        )
    return choices


def not_applicable_reasons(practice: Practice) -> list[tuple[str, str]]:
    """The reasons a 'not applicable' answer may give: a critical practice accepts only its own rule."""
    rule = (NotApplicableReason.PLAYBOOK_RULE, "Its rule, above, applies to this product")
    if practice.is_critical:
        return [("", "Choose a reason"), rule]
    general = [
        (value, label) for value, label in NotApplicableReason.choices if value != NotApplicableReason.PLAYBOOK_RULE
    ]
    return [("", "Choose a reason"), rule, *general]


def not_applicable_problem(practice: Practice, reason: str, detail: str) -> tuple[str, str] | None:
    """What is wrong with a 'not applicable' answer, as (field, message), or None when the practice accepts it."""
    if not reason:
        return "not_applicable_reason", "Say why this practice does not apply."
    if not not_applicable_accepted(reason, practice):
        if practice.allows_not_applicable:
            return "not_applicable_reason", "This critical practice is not applicable only under its own rule."
        return "not_applicable_reason", "This practice cannot be not applicable."
    if reason == NotApplicableReason.OTHER and not detail.strip():
        return "not_applicable_detail", "Describe the other reason."
    return None


def option_for(practice: Practice, choice: str | None) -> AnswerOption | None:
    """The scored option a level choice names; None for 'not applicable' or no choice."""
    return next((o for o in practice.options.all() if str(o.level) == choice), None)


def choice_of(level: int | None, *, not_applicable: bool) -> str:
    """The form value of a stored level (or of 'not applicable')."""
    if not_applicable:
        return NOT_APPLICABLE
    return "" if level is None else str(level)


class PracticeForm(forms.Form):
    """A form about one practice of a published playbook, with the revision of the answer the person saw."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, practice: Practice, level_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.practice, self.level_names = practice, level_names
        self.conflict = None  # the stored answer someone else changed meanwhile, once found

    def seen_values(self, answer) -> dict[str, str]:
        """Extra data to carry when rebinding against `answer` (see `against`)."""
        return {}

    def against(self, answer) -> Self:
        """This person's input kept, against the answer's current revision: saving again replaces it on purpose."""
        data = self.data.copy()
        data[self.add_prefix("revision")] = answer.revision
        data.update(self.seen_values(answer))
        rebound = type(self)(data, practice=self.practice, level_names=self.level_names, prefix=self.prefix)
        rebound.is_valid()
        rebound.conflict = answer
        return rebound
