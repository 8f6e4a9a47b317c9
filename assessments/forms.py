from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms

from assessments.models import NOTES_MAX_LENGTH, Answer, NotApplicableReason
from assessments.services import AnswerInput
from playbook.models import Practice

NOT_APPLICABLE = "na"


class PracticeAnswerForm(forms.Form):
    """One practice of the questionnaire. Its prefix is the practice slug, set by the view."""

    level = forms.ChoiceField(widget=forms.RadioSelect, required=False)
    not_applicable_reason = forms.ChoiceField(
        label="Why is it not applicable?",
        choices=[("", "Choose a reason"), *NotApplicableReason.choices],
        required=False,
    )
    not_applicable_detail = forms.CharField(label="Other reason", max_length=200, required=False)
    notes = forms.CharField(
        label="Notes and evidence",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        help_text=f"What you based the answer on: links, documents, who to ask. Up to {NOTES_MAX_LENGTH} characters.",
    )

    def __init__(self, *args, practice: Practice, level_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        choices = [(str(o.level), f"{level_names[o.level]}: {o.description}") for o in practice.options.all()]
        if practice.allows_not_applicable:
            choices.append((NOT_APPLICABLE, f"Not applicable: {practice.not_applicable_rule}"))
        else:
            del self.fields["not_applicable_reason"]
            del self.fields["not_applicable_detail"]
        self.fields["level"].choices = choices
        self.fields["level"].label = practice.question
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("level"),
            Div("not_applicable_reason", "not_applicable_detail", css_class="na-fields")
            if practice.allows_not_applicable
            else Div(),
            Field("notes"),
        )

    def clean(self):
        data = super().clean()
        if data.get("level") == NOT_APPLICABLE:
            reason = data.get("not_applicable_reason")
            if not reason:
                self.add_error("not_applicable_reason", "Say why this practice does not apply.")
            elif reason == NotApplicableReason.OTHER and not data.get("not_applicable_detail", "").strip():
                self.add_error("not_applicable_detail", "Describe the other reason.")
        return data

    @staticmethod
    def initial_from(answer: Answer | None) -> dict:
        if answer is None:
            return {}
        return {
            "level": NOT_APPLICABLE
            if answer.is_not_applicable
            else (str(answer.option.level) if answer.option else ""),
            "not_applicable_reason": answer.not_applicable_reason,
            "not_applicable_detail": answer.not_applicable_detail,
            "notes": answer.notes,
        }

    def to_answer_input(self) -> AnswerInput:
        level = self.cleaned_data.get("level")
        if level == NOT_APPLICABLE:
            return AnswerInput(
                practice=self.practice,
                option=None,
                not_applicable_reason=self.cleaned_data["not_applicable_reason"],
                not_applicable_detail=self.cleaned_data.get("not_applicable_detail", ""),
                notes=self.cleaned_data["notes"],
            )
        options = {str(o.level): o for o in self.practice.options.all()}
        return AnswerInput(practice=self.practice, option=options.get(level), notes=self.cleaned_data["notes"])


class NewAssessmentForm(forms.Form):
    title = forms.CharField(max_length=200, initial="", help_text="For example “Q3 review” or “Before go-live”.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
