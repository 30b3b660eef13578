"""Form fields for every app, where Django's own let bad input through to the database."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id beyond the range of the table's key is an unknown choice.

    Django hands every submitted value to the database (`pk__in`), and SQLite cannot take an
    integer beyond 64 bits: a 500 where "Select a valid choice" belongs (found by
    tests/fuzz/test_forms_logged_in.py).
    """

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or self.queryset.model._meta.pk.name
        field = self.queryset.model._meta.get_field(key)
        if isinstance(value, list | tuple) and isinstance(field, models.IntegerField):
            ops = connections[self.queryset.db].ops
            low, high = ops.integer_field_range(field.get_internal_type())
            for choice in value:
                try:
                    number = int(str(choice))
                except ValueError:
                    continue  # not a number at all: Django refuses it itself
                if (low is not None and number < low) or (high is not None and number > high):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": choice},
                    )
        return super()._check_values(value)
