from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import IdChoiceField
from apps.taxonomy.models import Domain

DURATIONS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1 hour 30 minutes")),
    (120, _("2 hours")),
]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "input"}, format="%Y-%m-%dT%H:%M")


def rupees_to_paise(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class RequestForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"class": "input", "placeholder": _("e.g. Help with Django ORM queries")}),
    )
    domain = IdChoiceField(
        label=_("Domain"),
        queryset=Domain.objects.all(),
        empty_label=_("Choose a domain"),
        widget=forms.Select(attrs={"class": "input"}),
    )
    description = forms.CharField(
        label=_("What do you need help with?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "input", "rows": 3}),
    )
    proposed_start = forms.DateTimeField(
        label=_("Preferred time"), widget=DATETIME_WIDGET, help_text=_("In your time zone.")
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60, widget=forms.Select(attrs={"class": "input"})
    )
    budget = forms.DecimalField(
        label=_("Budget (₹)"),
        min_value=Decimal(0),
        max_value=Decimal(100000),
        decimal_places=2,
        max_digits=9,
        initial=0,
        help_text=_("0 if you hope for a free session."),
        widget=forms.NumberInput(attrs={"class": "input", "inputmode": "decimal", "step": "1", "min": "0"}),
    )

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if domains is not None:
            self.fields["domain"].queryset = domains  # type: ignore[attr-defined]
        self.fields["budget"].error_messages["min_value"] = _("Enter a positive value.")
        self.fields["budget"].error_messages["max_value"] = _("The budget can be at most ₹1,00,000.")


class OfferForm(forms.Form):
    price = forms.DecimalField(
        label=_("Price (₹)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100000),
        decimal_places=2,
        max_digits=9,
        widget=forms.NumberInput(attrs={"class": "input", "inputmode": "decimal", "step": "1", "min": "0"}),
    )
    free = forms.BooleanField(label=_("Free session"), required=False)
    start = forms.DateTimeField(label=_("Time"), widget=DATETIME_WIDGET)
    duration_minutes = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, widget=forms.Select(attrs={"class": "input"})
    )
    note = forms.CharField(
        label=_("Note to the learner"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "input", "rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].error_messages["min_value"] = _("Enter a positive value.")
        self.fields["price"].error_messages["max_value"] = _("The price can be at most ₹1,00,000.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("free") and data.get("price") is None and "price" not in self.errors:
            self.add_error("price", _("Enter a price, or tick “Free session”."))
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=300, widget=forms.TextInput(attrs={"class": "input"})
    )
