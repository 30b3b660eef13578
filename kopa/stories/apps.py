from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    name = "kopa.stories"
    label = "stories"
    verbose_name = _("Stories and recipes")
