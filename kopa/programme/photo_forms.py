from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kopa.core.images import max_image_bytes
from kopa.programme.models import ActivityPhoto

ACCEPT = "image/jpeg,image/png,image/webp"


class PhotoForm(forms.ModelForm):
    """The upload: the file is checked by kopa.core.images when the service stores it."""

    image = forms.FileField(
        label=_("Photo"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    class Meta:
        model = ActivityPhoto
        fields = ["image", "caption", "credit", "people_consented"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caption"].label = _("Caption")
        self.fields["credit"].label = _("Photo by")
        self.fields["credit"].help_text = _("The photographer's name, when they want to be named.")
        self.fields["image"].help_text = _(
            "A JPEG, PNG or WebP file of at most %(limit)s. Location and camera details are "
            "removed before it is stored."
        ) % {"limit": filesizeformat(max_image_bytes())}
