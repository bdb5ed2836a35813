from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from apps.core.forms import IdChoiceField
from apps.core.uploads import clean_image
from apps.taxonomy.models import Domain

from .limits import MAX_DESCRIPTION
from .models import Session
from .services import SessionInput


class SessionForm(forms.Form):
    title = forms.CharField(label=_l("Title"), max_length=150)
    description = forms.CharField(
        label=_l("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_DESCRIPTION
    )
    domain = IdChoiceField(label=_l("Domain"), queryset=Domain.objects.all(), empty_label=_l("Choose a domain"))
    topics = forms.CharField(
        label=_l("Topics"), help_text=_l("Comma-separated, e.g. python, django, testing"), max_length=500
    )
    start = forms.DateTimeField(
        label=_l("Start (your timezone)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(label=_l("Duration (minutes)"), min_value=1, max_value=10_000, initial=60)
    price_rupees = forms.CharField(
        label=_l("Price (₹)"),
        help_text=_l("0 for a free session; otherwise ₹50 to ₹1,00,000."),
        initial="0",
        max_length=12,
    )
    capacity = forms.IntegerField(
        label=_l("Seats"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_l("1 for one-to-one, up to 10 for a small group."),
    )
    language = forms.CharField(label=_l("Language"), max_length=40, initial="English")
    agenda = forms.CharField(
        label=_l("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("One item per line: minutes then title, e.g. “10 Warm-up”."),
    )
    thumbnail = forms.ImageField(label=_l("Thumbnail (optional)"), required=False)

    def __init__(self, *args: Any, user_tz: str = "Asia/Kolkata", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            self.tz = zoneinfo.ZoneInfo(user_tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.tz = zoneinfo.ZoneInfo("UTC")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "input")
            if name == "thumbnail":
                field.widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    @classmethod
    def initial_from(cls, session: Session, tz: str) -> dict[str, Any]:
        return {
            "title": session.title,
            "description": session.description,
            "domain": session.domain_id,
            "topics": ", ".join(session.topics),
            "start": timezone.localtime(session.start, zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": session.duration_minutes,
            "price_rupees": f"{session.price_paise / 100:g}",
            "capacity": session.capacity,
            "language": session.language,
            "agenda": "\n".join(f"{i['minutes']} {i['title']}" for i in session.agenda),
        }

    def clean_start(self) -> datetime:
        value: datetime = self.cleaned_data["start"]
        # The browser sends a wall-clock time: interpret it in the user's own timezone.
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        return timezone.make_aware(naive, self.tz)

    def clean_price_rupees(self) -> int:
        raw = self.cleaned_data["price_rupees"].replace(",", "").replace("₹", "").strip() or "0"
        try:
            amount = Decimal(raw)
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a price in rupees, e.g. 499 or 499.50.")) from exc
        if not amount.is_finite():  # NaN, sNaN, Infinity parse as Decimals but are no price
            raise ValidationError(_("Enter a price in rupees, e.g. 499 or 499.50."))
        paise = amount * 100
        if paise != paise.to_integral_value() or paise < 0:
            raise ValidationError(_("Enter a price in rupees with at most 2 decimals."))
        return int(paise)

    def clean_topics(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["topics"].split(",") if t.strip()]

    def clean_agenda(self) -> list[dict[str, Any]]:
        items = []
        for n, line in enumerate(self.cleaned_data.get("agenda", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            m = re.match(r"^(\d{1,3})\s*(?:min(?:utes)?)?\s*[-:|]?\s*(.+)$", line)
            if not m:
                raise ValidationError(_("Line %(n)s: start with the minutes, e.g. “10 Warm-up”.") % {"n": n})
            items.append({"minutes": int(m.group(1)), "title": m.group(2).strip()[:120]})
        return items

    def clean_thumbnail(self) -> Any:
        upload = self.cleaned_data.get("thumbnail")
        if not upload:
            return None
        return clean_image(upload).as_file()

    def to_input(self) -> SessionInput:
        d = self.cleaned_data
        return SessionInput(
            title=d["title"],
            description=d["description"],
            domain=d["domain"],
            start=d["start"],
            duration_minutes=d["duration_minutes"],
            price_paise=d["price_rupees"],
            capacity=d["capacity"],
            language=d["language"],
            topics=d["topics"],
            agenda=d["agenda"],
            thumbnail=d.get("thumbnail"),
        )


FIELD_MAP = {"price_paise": "price_rupees"}


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = FIELD_MAP.get(field, field)
            form.add_error(None if name == "__all__" or name not in form.fields else name, errors)
    else:
        form.add_error(None, exc.messages)
