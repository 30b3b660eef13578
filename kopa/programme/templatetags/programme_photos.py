"""`{{ activity|public_photos }}`: the photos of an activity anyone may see.

Uses a list prefetched as `public_photo_list` when the view made one (no query per activity),
else asks the database.
"""

from __future__ import annotations

from django import template

from kopa.programme.models import Activity, ActivityPhoto

register = template.Library()


@register.filter
def public_photos(activity: Activity) -> list[ActivityPhoto]:
    prefetched = getattr(activity, "public_photo_list", None)
    if prefetched is not None:
        return [photo for photo in prefetched if photo.is_public]
    return list(activity.photos.filter(people_consented=True))
