"""Mail in the recipient's language. Call it from transaction.on_commit, never mid-transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import override


def send_templated_mail(
    *,
    template: str,
    to: str,
    language: str,
    context: dict[str, Any],
    attachments: list[tuple[str, bytes, str]] | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language` and send them.

    `reply_to`: only where the person whose address it is agreed to share it.
    """
    with override(language):
        context = {"site_name": settings.KOPA_SITE_NAME, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to], reply_to=reply_to)
    message.extra_headers["Content-Language"] = language
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()
