"""Forms for money out: payout details (confirmed by the password) and withdrawal requests."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.templatetags.ui import inr

from .models import PayoutMethod
from .payouts import BANK_ACCOUNT_RE, IFSC_RE, MIN_WITHDRAWAL_PAISE, UPI_RE


class PayoutDetailsForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Paid to"), choices=PayoutMethod.choices, widget=forms.RadioSelect, initial=PayoutMethod.UPI
    )
    upi_id = forms.CharField(
        label=_("UPI ID"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "name@okhdfcbank"}),
    )
    holder_name = forms.CharField(
        label=_("Account holder's name"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        required=False,
        max_length=34,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ifsc = forms.CharField(
        label=_("IFSC"),
        required=False,
        max_length=20,
        help_text=_("11 characters, e.g. HDFC0001234."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "input uppercase"}),
    )
    password = forms.CharField(
        label=_("Your PeerLearn password"),
        help_text=_("To confirm it is you changing where your money goes."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."))
        return password

    def clean_upi_id(self) -> str:
        return (self.cleaned_data.get("upi_id") or "").strip()

    def clean_bank_account(self) -> str:
        return "".join((self.cleaned_data.get("bank_account") or "").split())

    def clean_ifsc(self) -> str:
        return (self.cleaned_data.get("ifsc") or "").strip().upper()

    def clean_holder_name(self) -> str:
        return " ".join((self.cleaned_data.get("holder_name") or "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == PayoutMethod.UPI:
            upi = data.get("upi_id", "")
            if not upi:
                self.add_error("upi_id", _("Enter your UPI ID."))
            elif not UPI_RE.match(upi):
                self.add_error("upi_id", _("Enter a UPI ID like name@okhdfcbank (no spaces, one @)."))
        elif data.get("method") == PayoutMethod.BANK:
            if not data.get("holder_name"):
                self.add_error("holder_name", _("Enter the name on the bank account."))
            elif len(data["holder_name"]) < 3:
                self.add_error("holder_name", _("Enter the full name on the bank account."))
            account = data.get("bank_account", "")
            if not account:
                self.add_error("bank_account", _("Enter the account number."))
            elif not BANK_ACCOUNT_RE.match(account):
                self.add_error("bank_account", _("An account number is 9 to 18 digits."))
            ifsc = data.get("ifsc", "")
            if not ifsc:
                self.add_error("ifsc", _("Enter the branch's IFSC."))
            elif not IFSC_RE.match(ifsc):
                self.add_error(
                    "ifsc", _("Enter an IFSC like HDFC0001234: 4 letters, a zero, then 6 letters or digits.")
                )
        return data


class WithdrawalForm(forms.Form):
    """The amount in rupees (``600`` or ``600.50``); bounds are checked here for the message and
    again, under the lock, by the service."""

    amount = forms.CharField(
        label=_("Amount (₹)"),
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "500.00"}),
    )

    def __init__(self, *args: Any, available_paise: int, **kwargs: Any) -> None:
        self.available_paise = available_paise
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("Minimum %(min)s; available now %(available)s.") % {
            "min": inr(MIN_WITHDRAWAL_PAISE),
            "available": inr(available_paise),
        }

    def clean_amount(self) -> int:
        raw = (self.cleaned_data.get("amount") or "").strip().replace(",", "").removeprefix("₹").strip()
        try:
            rupees = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("Enter an amount in rupees, like 600 or 600.50.")) from None
        if not rupees.is_finite():
            raise ValidationError(_("Enter an amount in rupees, like 600 or 600.50."))
        if rupees != rupees.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimals (paise), like 600.50."))
        paise = int(rupees * 100)
        if paise < MIN_WITHDRAWAL_PAISE:
            raise ValidationError(_("The minimum withdrawal is %(min)s.") % {"min": inr(MIN_WITHDRAWAL_PAISE)})
        if paise > self.available_paise:
            raise ValidationError(
                _("That is more than your available balance of %(available)s.")
                % {"available": inr(self.available_paise)}
            )
        return paise


class TipForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (₹)"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "100"}),
        help_text=_("Between ₹10 and ₹10,000."),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
        help_text=_("Your mentor sees it with the tip."),
    )

    def clean_amount(self) -> int:
        raw = (self.cleaned_data.get("amount") or "").strip().replace(",", "").removeprefix("₹").strip()
        try:
            rupees = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("Enter an amount in rupees, like 100 or 250.50.")) from None
        if not rupees.is_finite():
            raise ValidationError(_("Enter an amount in rupees, like 100 or 250.50."))
        if rupees != rupees.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimals (paise), like 250.50."))
        paise = int(rupees * 100)
        if not 1_000 <= paise <= 1_000_000:
            raise ValidationError(_("A tip is between ₹10 and ₹10,000."))
        return paise
