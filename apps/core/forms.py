"""Form fields shared by the apps."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# Primary keys are 64-bit integers: anything longer than 18 digits cannot be one, and SQLite
# raises OverflowError (a 500) when asked to compare with it.
_PK = re.compile(r"\d{1,18}")


def _check_pk(field: forms.Field, value: Any) -> None:
    if value in field.empty_values:
        return
    if not _PK.fullmatch(str(value).strip()):
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class IdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ModelChoiceField that refuses a non-id value with the usual "Select a valid choice"
    instead of handing it to the database."""

    def to_python(self, value: Any) -> Any:
        _check_pk(self, value)
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Same for several ids."""

    def _check_values(self, value: Any) -> Any:
        for one in value or []:
            try:
                _check_pk(self, one)
            except ValidationError as exc:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": one}
                ) from exc
        return super()._check_values(value)  # type: ignore[misc]
