from django import forms

from assessments.answering import (
    NOT_APPLICABLE,
    PracticeForm,
    choice_of,
    level_choices,
    not_applicable_reasons,
    option_for,
)
from assessments.fields import CountedCharField
from assessments.models import NOTES_MAX_LENGTH, NotApplicableReason
from assessments.services import AnswerInput


class WorkshopForm(forms.Form):
    title = CountedCharField(max_length=200, initial="Team workshop")
    challenges = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Challenges to cover")
    hours = forms.IntegerField(min_value=1, max_value=72, initial=4, label="Join code valid for (hours)")
    max_participants = forms.IntegerField(
        min_value=1,
        max_value=500,
        initial=60,
        label="Places in the room",
        help_text="Team members and guests together; nobody can join once they are taken. You can change it later.",
    )

    def __init__(self, *args, challenges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenges"].choices = [(c.slug, c.title) for c in challenges]
        self.fields["challenges"].initial = [c.slug for c in challenges]


class PlacesForm(forms.Form):
    max_participants = forms.IntegerField(min_value=1, max_value=500, label="Places in the room")


class JoinForm(forms.Form):
    code = CountedCharField(
        max_length=20,
        label="Join code",
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
        error_messages={"required": "Enter the join code from the shared screen, like KDTR-7XPM."},
    )
    display_name = CountedCharField(
        max_length=40,
        required=False,
        label="Your name, as the room should see it",
        help_text="Only your own votes are tied to it.",
    )


class VoteForm(forms.Form):
    level = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, practice, level_names, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["level"].choices = level_choices(practice, level_names)
        self.fields["level"].label = practice.question

    def to_vote(self) -> dict:
        """The ballot's level and 'not applicable' flag, as `cast_ballot` takes them."""
        choice = self.cleaned_data["level"]
        not_applicable = choice == NOT_APPLICABLE
        return {"level": None if not_applicable else int(choice), "not_applicable": not_applicable}


class DecisionForm(PracticeForm):
    # Preselected with the assessment's current answer (see decision_initial), never a level nobody chose.
    level = forms.ChoiceField(
        label="Agreed answer",
        error_messages={"required": "Choose the level the room agreed on."},
    )
    not_applicable_reason = forms.ChoiceField(
        choices=[("", "Only for not applicable"), *NotApplicableReason.choices],
        required=False,
        label="Reason",
    )
    note = CountedCharField(
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
    )
    # The inherited revision is the answer's when the board was drawn: a change made in the questionnaire since
    # then is not overwritten by a note the facilitator never saw.

    def __init__(self, *args, practice, level_names, **kwargs):
        super().__init__(*args, practice=practice, level_names=level_names, **kwargs)
        self.fields["level"].choices = [
            ("", "Choose the agreed level"),
            *level_choices(practice, level_names, described=False),
        ]
        if not practice.allows_not_applicable:
            del self.fields["not_applicable_reason"]
        else:
            self.fields["not_applicable_reason"].choices = not_applicable_reasons(practice)

    def clean(self):
        data = super().clean()
        if data.get("level") == NOT_APPLICABLE and not data.get("not_applicable_reason"):
            self.add_error("not_applicable_reason", "Say why this practice does not apply.")
        return data

    def to_answer_input(self) -> AnswerInput:
        """The agreed answer as the assessment stores it; its notes become the note typed on the board."""
        data = self.cleaned_data
        not_applicable = data["level"] == NOT_APPLICABLE
        return AnswerInput(
            practice=self.practice,
            option=option_for(self.practice, data["level"]),
            not_applicable_reason=data.get("not_applicable_reason", "") if not_applicable else "",
            notes=data["note"],
            seen_revision=data["revision"],
        )


def decision_initial(decision, answer) -> dict:
    """What the board's form shows: the recorded decision, else the assessment's current answer, with its notes."""
    initial = {
        "note": answer.notes if answer else "",
        "not_applicable_reason": answer.not_applicable_reason if answer else "",
        "revision": answer.revision if answer else 0,
    }
    if decision is not None:
        initial["level"] = choice_of(getattr(decision.option, "level", None), not_applicable=decision.not_applicable)
    elif answer is not None:
        initial["level"] = choice_of(getattr(answer.option, "level", None), not_applicable=answer.is_not_applicable)
    return initial
