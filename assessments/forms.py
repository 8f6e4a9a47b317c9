import unicodedata
from dataclasses import dataclass

from django import forms
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from assessments.answering import (
    NOT_APPLICABLE,
    PracticeForm,
    choice_of,
    level_choices,
    not_applicable_problem,
    not_applicable_reasons,
    option_for,
)
from assessments.fields import CountedCharField, CountedEmailField
from assessments.models import (
    NOTES_MAX_LENGTH,
    Action,
    ActionStatus,
    Answer,
    Assessment,
    Role,
    isolated,
    not_applicable_accepted,
    person_name,
)
from assessments.portable import MAX_DOCUMENT_BYTES
from assessments.portfolio import FilterChoices
from assessments.services import AnswerInput
from playbook.models import Practice


class ShowsStoredAnswer:
    """What a practice card says about the stored answer, read from `initial` (`initial_from`)."""

    initial: dict
    practice: Practice
    fields: dict

    @property
    def seen(self) -> dict[str, str]:
        """The stored values, which the card shows, for its hidden 'initial-' inputs (see PracticeAnswerForm.seen)."""
        return {
            name: "" if self.initial.get(name) is None else str(self.initial[name])
            for name in self.fields
            if name != "revision"
        }

    @staticmethod
    def initial_from(answer: Answer | None) -> dict:
        if answer is None:
            return {"revision": 0}
        option = answer.suggested_option if answer.to_confirm else answer.option
        return {
            "level": choice_of(option.level if option else None, not_applicable=answer.is_not_applicable),
            "not_applicable_reason": answer.not_applicable_reason,
            "not_applicable_detail": answer.not_applicable_detail,
            "notes": answer.notes,
            "revision": answer.revision,
            # Not fields: what the card says about the stored answer.
            "to_confirm": answer.to_confirm,
            "carried_from": answer.carried_from if answer.to_confirm else None,
            "not_applicable_reason_label": answer.get_not_applicable_reason_display(),
            "shared": answer if answer.shared_source else None,  # inherited, or the team differs from a shared set
        }

    @property
    def carried_from(self) -> dict | None:
        """The earlier answers a suggestion was carried from, with their wording, for the card to show."""
        return self.initial.get("carried_from")

    @property
    def shared(self) -> Answer | None:
        """The stored answer, when it is inherited from a shared set or departs from one."""
        return self.initial.get("shared")

    @property
    def is_inherited(self) -> bool:
        return bool(self.shared and self.shared.is_inherited)

    @property
    def not_applicable_needs_review(self) -> bool:
        """A stored 'not applicable' that this practice no longer accepts: counted as unanswered until changed."""
        reason = self.initial.get("not_applicable_reason")
        return bool(reason) and not not_applicable_accepted(reason, self.practice)


class PracticeAnswerForm(ShowsStoredAnswer, PracticeForm):
    """One practice of the questionnaire. Its prefix is the practice slug, set by the view.

    Hidden copies of the values the person saw (`show_hidden_initial`) and the
    answer's revision let the server tell an untouched practice from a changed
    one, and a change from a conflicting change by someone else.
    """

    level = forms.ChoiceField(widget=forms.RadioSelect, required=False, show_hidden_initial=True)
    not_applicable_reason = forms.ChoiceField(
        label="Why is it not applicable?",
        # The practice's own reasons are set in __init__: every form deep-copies its fields, choices and all.
        choices=(),
        required=False,
        show_hidden_initial=True,
    )
    not_applicable_detail = CountedCharField(
        label="Other reason", max_length=200, required=False, show_hidden_initial=True
    )
    # Only on an answer carried from an older playbook version as a suggestion: ticking it confirms the suggestion.
    confirm = forms.BooleanField(required=False, label="This answer is still true for the new wording")
    notes = CountedCharField(
        label="Notes and evidence",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        show_hidden_initial=True,
        help_text=f"What the answer is based on: links, documents, who to ask. Up to {NOTES_MAX_LENGTH} characters.",
    )

    def __init__(self, *args, practice: Practice, level_names: list[str], **kwargs):
        super().__init__(*args, practice=practice, level_names=level_names, **kwargs)
        self.just_saved = False
        self.kept_theirs = False
        self.save_error = ""
        # Text fields keep what is being typed across an autosave swap, except when the person chose someone
        # else's answer over their own.
        self.preserve_typing = True
        self.fields["level"].choices = level_choices(practice, level_names)
        self.fields["level"].label = practice.question
        if not practice.allows_not_applicable:
            del self.fields["not_applicable_reason"]
            del self.fields["not_applicable_detail"]
        else:
            self.fields["not_applicable_reason"].choices = not_applicable_reasons(practice)
        # The fields are drawn by jinja2/includes/practice-fields.html (in this order); the confirm box only
        # on a suggestion, though the field stays so an autosave, which knows no stored answer, still sees the tick.

    @property
    def seen(self) -> dict[str, str]:
        """The values the person saw when the page was drawn, for the hidden 'initial-' inputs.

        Django would re-render a bound form's hidden initial with the submitted value, which would make a
        change look unchanged on the next submit after a validation error.
        """
        if not self.is_bound:
            return super().seen
        return {name: self.data.get(self.add_initial_prefix(name), "") for name in self.fields if name != "revision"}

    def seen_values(self, answer: Answer) -> dict[str, str]:
        theirs = self.initial_from(answer)
        return {self.add_initial_prefix(name): theirs.get(name, "") for name in self.fields.keys() - {"revision"}}

    def after_save(self, answer: Answer | None, conflict: bool) -> "PracticeAnswerForm | StoredAnswerCard":
        """The card once saved: the stored answer, or this person's input beside the answer that clashed with it."""
        if conflict:
            return self.against(answer)
        fresh = StoredAnswerCard(answer, practice=self.practice, level_names=self.level_names)
        fresh.just_saved = answer is not None
        return fresh

    def keeping_theirs(self, answer: Answer | None) -> "StoredAnswerCard":
        """The card after a clash, once the person chose the other answer over their own."""
        fresh = StoredAnswerCard(answer, practice=self.practice, level_names=self.level_names)
        fresh.kept_theirs, fresh.preserve_typing = True, False
        return fresh

    def clean(self):
        data = super().clean()
        if data.get("confirm") and not data.get("level"):
            self.add_error("level", "Choose the level that is true now, then confirm it.")
        if data.get("level") == NOT_APPLICABLE:
            reason, detail = data.get("not_applicable_reason", ""), data.get("not_applicable_detail", "")
            if problem := not_applicable_problem(self.practice, reason, detail):
                self.add_error(*problem)
        return data

    def has_changed(self) -> bool:
        # The revision is bookkeeping, not an answer: only the person's own edits count.
        return any(name != "revision" for name in self.changed_data)

    def to_answer_input(self) -> AnswerInput:
        data = self.cleaned_data
        not_applicable = data.get("level") == NOT_APPLICABLE
        return AnswerInput(
            practice=self.practice,
            option=option_for(self.practice, data.get("level")),
            not_applicable_reason=data["not_applicable_reason"] if not_applicable else "",
            not_applicable_detail=data.get("not_applicable_detail", "") if not_applicable else "",
            notes=data["notes"],
            seen_revision=data.get("revision") or 0,
        )


@dataclass(slots=True)
class PracticeChoices:
    """A choice field's own choices on one practice's card (the form sets them per practice in its __init__)."""

    choices: list[tuple[str, str]]
    show_hidden_initial: bool = True


@dataclass(slots=True)  # not frozen: a frozen instance costs three times as long to make, and a page makes 240
class ShownField:
    """What the card's field macros (jinja2/includes/fields.html) read of a bound field, on a card that only shows."""

    name: str
    html_name: str
    label: str
    help_text: str
    field: forms.Field | PracticeChoices
    shown: object
    errors: tuple = ()

    @property
    def auto_id(self) -> str:
        return f"id_{self.html_name}"

    @property
    def html_initial_name(self) -> str:
        return f"initial-{self.html_name}"

    def value(self) -> object:
        return self.shown


class StoredAnswerCard(ShowsStoredAnswer):
    """A card showing the stored answer (or none), drawn as an unbound PracticeAnswerForm draws it.

    Building forty forms and their bound fields was a third of the time of a first view of a forty-practice page,
    for cards that are not submitted as such: a posted card is a bound PracticeAnswerForm again. The fields take
    their labels, limits and widgets from the form's own fields, and tests/assessments/test_stored_answer_card.py
    draws every state of a card both ways and compares the HTML, so the two cannot drift apart unnoticed.
    """

    is_bound = False
    errors: tuple = ()
    conflict = None

    def __init__(self, answer: Answer | None, *, practice: Practice, level_names: list[str]):
        self.practice = practice
        self.initial = self.initial_from(answer)
        self.just_saved = self.kept_theirs = False
        self.save_error = ""
        self.preserve_typing = True
        choices = {"level": level_choices(practice, level_names)}
        names = ["level", "confirm", "notes", "revision"]
        if practice.allows_not_applicable:
            choices["not_applicable_reason"] = not_applicable_reasons(practice)
            names += ["not_applicable_reason", "not_applicable_detail"]
        self.fields = {}
        for name in names:
            field = PracticeAnswerForm.base_fields[name]
            self.fields[name] = ShownField(
                name=name,
                html_name=f"{practice.slug}-{name}",
                label=practice.question if name == "level" else field.label,
                help_text=field.help_text,
                field=PracticeChoices(choices[name]) if name in choices else field,
                shown=self.initial.get(name, field.initial),
            )

    def __getitem__(self, name: str) -> ShownField:
        # As a form's: the template's `form.level` finds the field here.
        return self.fields[name]


class AssessmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assessment) -> str:
        return _assessment_label(obj)


class NewAssessmentForm(forms.Form):
    title = CountedCharField(max_length=200, help_text="For example “Q3 review” or “Before go-live”.")
    subject = CountedCharField(
        max_length=200,
        label="Product or service assessed",
        help_text="The one ML product or service the answers are about, e.g. “Card fraud scoring”.",
    )
    modules = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Lifecycle modules",
        help_text="The five core challenges are always in. Add the parts of the lifecycle this product needs.",
    )
    prefill_from = AssessmentChoiceField(
        queryset=None,
        required=False,
        empty_label="Start with blank answers",
        label="Start from",
        help_text="Open with an earlier assessment's answers, so a re-assessment only touches what changed.",
    )

    def __init__(self, *args, previous, modules, **kwargs):
        """`previous`: the team's assessments; `modules`: the modules of the current playbook."""
        super().__init__(*args, **kwargs)
        self.fields["prefill_from"].queryset = previous
        self.fields["modules"].choices = [(module.slug, f"{module.title}: {module.summary}") for module in modules]
        if not modules:
            del self.fields["modules"]
        # A re-assessment usually looks at the same product with the same scope as the last one.
        latest = previous.first()
        if latest is not None and not self.is_bound:
            self.initial = {"subject": latest.subject, "modules": latest.modules, "prefill_from": latest.pk} | (
                self.initial or {}
            )


class TargetsForm(forms.Form):
    """One target level per challenge; the field names are the challenge slugs known to the view."""

    def __init__(self, *args, challenges, level_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for item in challenges:
            self.fields[item.challenge.slug] = forms.TypedChoiceField(
                label=item.challenge.title,
                coerce=int,
                choices=[(level, f"{level} · {name}") for level, name in enumerate(level_names)],
                initial=item.target,
            )


class MemberForm(forms.Form):
    username = CountedCharField(max_length=150, label="Username of an existing user")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        # Both member forms share a page and a field name: distinct ids keep each label on its own field.
        kwargs.setdefault("auto_id", "member-%s")
        super().__init__(*args, **kwargs)


class InvitationForm(forms.Form):
    email = CountedEmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)


class ActionForm(forms.Form):
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    # A date input only accepts ISO dates; the locale format would show an empty field and lose the date on save.
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    status = forms.ChoiceField(choices=ActionStatus.choices)

    def __init__(self, *args, instance_action: Action, members: dict, status_only: bool = False, **kwargs):
        """`members` maps user id to user: loaded once per page, not once per action's owner list.

        `status_only` is the form of a member who owns the action: they report progress, a lead assigns.
        """
        kwargs.setdefault(
            "initial",
            {"owner": instance_action.owner_id, "due_date": instance_action.due_date, "status": instance_action.status},
        )
        super().__init__(*args, **kwargs)
        self.action = instance_action
        self.members = members
        self.fields["owner"].choices = [("", "Nobody yet"), *((pk, person_name(u)) for pk, u in members.items())]
        if status_only:
            del self.fields["owner"], self.fields["due_date"]

    def clean_owner(self):
        owner_id = self.cleaned_data["owner"]
        return None if owner_id is None else self.members[owner_id]


class ShareLinkForm(forms.Form):
    label = CountedCharField(max_length=100, label="Who is it for?")
    days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Valid for (days)")
    shows_names = forms.BooleanField(
        required=False, initial=False, label="Show people's names (who took part, action owners)"
    )
    shows_notes = forms.BooleanField(
        required=False, initial=True, label="Show the notes and evidence written with answers"
    )
    shows_files = forms.BooleanField(
        required=False, initial=False, label="List the evidence files and let the link download them"
    )


def _assessment_label(assessment: Assessment) -> str:
    title = isolated(assessment.title)
    if assessment.submitted_at:
        return f"{title} (submitted {date_format(localtime(assessment.submitted_at), 'j M Y')})"
    return f"{title} (started {date_format(localtime(assessment.created_at), 'j M Y')}, not submitted)"


class CompareForm(forms.Form):
    """Two assessments of one team, chosen from a list the view loads once (the history page's cost stays flat)."""

    before = forms.TypedChoiceField(coerce=int, label="Earlier")
    after = forms.TypedChoiceField(coerce=int, label="Later")

    def __init__(self, *args, assessments: list[Assessment], **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = {a.pk: a for a in assessments}
        choices = [(a.pk, _assessment_label(a)) for a in assessments]
        self.fields["before"].choices = self.fields["after"].choices = choices

    @staticmethod
    def defaults(assessments: list[Assessment]) -> dict:
        """Newest against the last submitted one before it: a draft in progress is rarely the baseline wanted."""
        if len(assessments) < 2:
            return {}
        later, *older = sorted(assessments, key=lambda a: a.created_at, reverse=True)
        earlier = next((a for a in older if a.is_submitted), older[0])
        return {"before": earlier.pk, "after": later.pk}

    def clean_before(self) -> Assessment:
        return self.assessments[self.cleaned_data["before"]]

    def clean_after(self) -> Assessment:
        return self.assessments[self.cleaned_data["after"]]

    def clean(self):
        data = super().clean()
        if data.get("before") is not None and data.get("before") == data.get("after"):
            raise forms.ValidationError("Choose two different assessments: both sides are the same one.")
        return data


class ImportAssessmentForm(forms.Form):
    document = forms.FileField(
        label="Assessment file",
        help_text=f"The .json file of “Export for another installation”, at most {MAX_DOCUMENT_BYTES // 1024} KB.",
        error_messages={"required": "Choose the assessment file to import."},
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )
    title = CountedCharField(
        max_length=200, required=False, label="Title", help_text="Leave it blank to keep the title in the file."
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_DOCUMENT_BYTES:
            size, limit = document.size // 1024, MAX_DOCUMENT_BYTES // 1024
            raise forms.ValidationError(f"The file is {size} KB; an assessment file is at most {limit} KB.")
        return document


class PortfolioFilterForm(forms.Form):
    """The portfolio's filters (GET), offering the values the organisation's teams have; blank means every team."""

    business_unit = forms.ChoiceField(required=False, label="Business unit")
    product_area = forms.ChoiceField(required=False, label="Product area")
    tag = forms.ChoiceField(required=False, label="Tag")

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        for name, values, every in (
            ("business_unit", choices.business_units, "Every business unit"),
            ("product_area", choices.product_areas, "Every product area"),
            ("tag", choices.tags, "Any tag"),
        ):
            self.fields[name].choices = [("", every), *((value, isolated(value)) for value in values)]


def _no_control_characters(value: str) -> None:
    # Line breaks, tabs and other control characters would break the cover's layout, or hide text in it.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise forms.ValidationError("Use letters, digits and punctuation only, on one line.")


class ReportLinesForm(forms.Form):
    """The cover's "prepared by" and "prepared for" lines, chosen when the PDF is requested (query parameters)."""

    prepared_by = forms.CharField(
        max_length=120, required=False, label="Prepared by", validators=[_no_control_characters]
    )
    prepared_for = forms.CharField(
        max_length=120,
        required=False,
        label="Prepared for",
        validators=[_no_control_characters],
        help_text="For example the client's sponsor, or a steering group.",
    )

    def lines(self) -> dict[str, str]:
        """The lines given, for the report and for the page's own links (so that polling asks for the same PDF)."""
        return {name: value for name, value in self.cleaned_data.items() if value}
