"""`kopa send_reminders`: run on a timer (hourly, say); sends each reminder once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from kopa.programme import services


class Command(BaseCommand):
    help = "Send reminder mail to confirmed participants of activities starting soon."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        sent = 0
        for registration in services.reminders_due(now=now):
            if services.reminder_send(registration=registration, now=now):
                sent += 1
        self.stdout.write(f"Reminders sent: {sent}")
