"""`kopa send_questionnaires`: run on a timer (hourly, like `kopa send_reminders`); after an
activity ends, mails each participant their personal questionnaire link, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from kopa.learning import services


class Command(BaseCommand):
    help = "Send the post-activity mail with each participant's questionnaire link."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        sent = 0
        for questionnaire in services.invitations_due(now=now):
            sent += services.invitations_send_due(questionnaire=questionnaire, now=now)
        self.stdout.write(f"Questionnaire links sent: {sent}")
