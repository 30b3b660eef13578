from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "kopa.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        # The funders' reports register themselves when their module is imported.
        from kopa.reporting import reports  # noqa: F401
