"""Forms of the rating pages. They only shape input: every rule lives in ``services``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Level, Step, Tag

LEVEL_CHOICES = [(str(value), label) for value, label in Level.choices]


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Overall, how satisfied are you?"),
        choices=LEVEL_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    member = forms.ChoiceField(
        label=_("Which part of the application is your rating about?"),
        help_text=_(
            "Required for “Dissatisfied” and “Very dissatisfied”: the department that "
            "handled that part calls you back and fixes it."
        ),
        choices=[],
        widget=forms.RadioSelect,
        required=False,
    )
    efficiency = forms.ChoiceField(
        label=_("Efficiency: how quickly it was handled"),
        choices=LEVEL_CHOICES, widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    guide_accuracy = forms.ChoiceField(
        label=_("Accuracy of the service guide"),
        choices=LEVEL_CHOICES, widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    convenience = forms.ChoiceField(
        label=_("Convenience: trips, materials, waiting"),
        choices=LEVEL_CHOICES, widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    usability = forms.ChoiceField(
        label=_("Ease of use of this website"),
        choices=LEVEL_CHOICES, widget=forms.RadioSelect, required=False,
    )  # fmt: skip
    tags = forms.MultipleChoiceField(
        label=_("What went wrong?"),
        choices=Tag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(
        label=_("Your reason"),
        help_text=_(
            "Required for “Dissatisfied” and “Very dissatisfied” unless you chose a problem "
            "above. Do not write ID or phone numbers."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}),
        required=False,
        max_length=1000,
    )
    step = forms.ChoiceField(choices=Step.choices, widget=forms.HiddenInput, required=False)
    subcase = forms.IntegerField(widget=forms.HiddenInput, required=False)
    via = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)

    INDICATORS = ("efficiency", "guide_accuracy", "convenience", "usability")

    def __init__(self, *args: Any, members: Iterable[Any] = (), **kwargs: Any) -> None:
        """``members``: the bundle's parts the rating may concern (``services.members``);
        none for a single item or one department's step (the field is then left out)."""
        super().__init__(*args, **kwargs)
        self.members = list(members)
        if self.members:
            member = self.fields["member"]
            assert isinstance(member, forms.ChoiceField)
            member.choices = [(str(sub.pk), sub.item.display_name) for sub in self.members]
        else:
            del self.fields["member"]

    def member_options(self) -> list[tuple[Any, Any]]:
        """(radio, sub-case) pairs, in the members' order, for the template."""
        if "member" not in self.fields:
            return []
        return list(zip(self["member"], self.members, strict=True))

    def indicator_fields(self) -> list[Any]:
        return [self[name] for name in self.INDICATORS]


class FollowUpForm(forms.Form):
    level = forms.ChoiceField(
        label=_("How satisfied are you now?"),
        choices=LEVEL_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("Comment"),
        help_text=_("Required if you are still dissatisfied."),
        widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}),
        required=False,
        max_length=1000,
    )


class TicketForm(forms.Form):
    ACTIONS = ("call_back", "fix", "reply", "close")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    call_back_note = forms.CharField(
        label=_("What the rater said on the call-back"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
        required=False,
        max_length=2000,
    )
    finding = forms.CharField(
        label=_("What you found"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
        required=False,
        max_length=2000,
    )
    fix = forms.CharField(
        label=_("What was fixed (or why it cannot be changed)"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "tb-textarea"}),
        required=False,
        max_length=2000,
    )
    reply = forms.CharField(
        label=_("Reply to the rater"),
        help_text=_("Sent to the rater as a message. Plain words, no internal references."),
        widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}),
        required=False,
        max_length=2000,
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should this rating be excluded?"),
        help_text=_(
            "For example: the rater rated a different office by mistake, or the rating is "
            "abusive and unrelated to the service. An administrator decides."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "class": "tb-textarea"}),
        max_length=2000,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("accept", _("Accept: exclude the rating from the statistics")),
            ("refuse", _("Refuse: the rating counts")),
        ],
        widget=forms.RadioSelect,
    )
    decision_note = forms.CharField(
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "tb-textarea"}),
        required=False,
        max_length=2000,
    )
