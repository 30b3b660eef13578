"""The coordinators' photo page of an activity: upload, list, remove, and see every photo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kopa.accounts.permissions import require
from kopa.core.ids import row_id
from kopa.programme import photo_services
from kopa.programme.models import Activity, ActivityPhoto
from kopa.programme.photo_forms import PhotoForm
from kopa.programme.services import can_manage_activity


def _managed_activity(request: HttpRequest, slug: str) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("kind", "project"), slug=slug)
    require(can_manage_activity(request.user, activity))
    return activity


def _add_errors(form: PhotoForm, error: ValidationError) -> None:
    """Errors of the upload go next to the file input; field errors next to their field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("image", error)


@login_required
@require_http_methods(["GET", "POST"])
def activity_photos(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    if request.method == "POST" and request.POST.get("action") == "remove":
        photo = get_object_or_404(
            ActivityPhoto, pk=row_id(request.POST.get("photo")) or 0, activity=activity
        )
        photo_services.photo_remove(actor=request.user, photo=photo)
        messages.success(request, _("The photo is removed."))
        return redirect("programme:manage_photos", slug=activity.slug)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            photo_services.photo_add(
                actor=request.user,
                activity=activity,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                credit=form.cleaned_data["credit"],
                people_consented=form.cleaned_data["people_consented"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("programme:manage_photos", slug=activity.slug)
    return render(
        request,
        "programme/manage/activity_photos.html",
        {"activity": activity, "form": form, "photos": activity.photos.all()},
    )


@login_required
@require_safe
def photo_file(request: HttpRequest, slug: str, pk: int, name: str) -> FileResponse:
    """Any stored size of any photo of the activity, public or not, for its coordinators."""
    activity = _managed_activity(request, slug)
    photo = get_object_or_404(ActivityPhoto, pk=pk, activity=activity)
    if name not in photo.file_names():
        raise Http404
    try:
        handle = default_storage.open(photo.storage_name(name), "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
