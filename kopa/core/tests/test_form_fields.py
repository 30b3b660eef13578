"""kopa.core.forms: form fields that refuse, in the form, what Django would pass to the database."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from kopa.core.forms import ModelMultipleChoiceField


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "-99999999999999999999", str(2**63)])
def test_an_id_beyond_the_keys_range_is_an_unknown_choice(value):
    field = ModelMultipleChoiceField(queryset=ContentType.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean([value])
    assert refused.value.code == "invalid_choice"


@pytest.mark.django_db
def test_real_ids_and_words_are_handled_as_django_does():
    field = ModelMultipleChoiceField(queryset=ContentType.objects.all())
    chosen = ContentType.objects.order_by("pk")[:2]
    assert list(field.clean([str(ct.pk) for ct in chosen])) == list(chosen)
    with pytest.raises(ValidationError) as refused:
        field.clean(["not-a-number"])
    assert refused.value.code == "invalid_pk_value"
