"""PDF downloads (attendance sheet, certificate) and the public certificate check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from kopa.accounts.permissions import require
from kopa.programme import documents, services
from kopa.programme.links import registration_from_private_token
from kopa.programme.models import Activity


def _pdf_response(body: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.attachment_filename(stem)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def attendance_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(
        Activity.objects.select_related("kind").prefetch_related("organisers"), slug=slug
    )
    require(services.can_manage_activity(request.user, activity))
    return _pdf_response(documents.attendance_sheet_pdf(activity), f"attendance-{activity.slug}")


@require_safe
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The participant's certificate, opened from their private page once they attended."""
    registration = registration_from_private_token(token)
    if registration is None:
        raise Http404
    if services.private_link_expired(registration):
        return render(request, "programme/link_expired.html", status=410)
    if registration.attended_at is None:
        return render(
            request,
            "programme/certificate_verify.html",
            {"state": "not_yet", "activity": registration.activity},
            status=404,
        )
    response = _pdf_response(
        documents.certificate_pdf(registration), f"certificate-{registration.activity.slug}"
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a certificate can check it: name, activity, date and hours, nothing else."""
    registration = documents.registration_from_certificate_code(code)
    if registration is None:
        return render(
            request, "programme/certificate_verify.html", {"state": "not_genuine"}, status=404
        )
    activity = registration.activity
    return render(
        request,
        "programme/certificate_verify.html",
        {
            "state": "genuine",
            "name": registration.name,
            "activity": activity,
            "period": documents.activity_period(activity),
        },
    )
