from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from kopa.core import views as core_views
from kopa.core.media_views import media_file
from kopa.programme import views as programme_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("programme.ics", programme_views.programme_ics, name="programme_ics"),
    # Uploaded media, only what its record says is public (docs/media.md).
    path("media/<path:path>", media_file, name="media"),
    # The HSDS 3.0 read API of the support circle's directory (docs/circle.md).
    path("api/hsds/", include("kopa.circle.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("kopa.site.urls")),
    path("accounts/", include("kopa.accounts.urls")),
    path("organisations/", include("kopa.site.organisation_urls")),
    path("programme/", include("kopa.programme.urls")),
    path("directory/", include("kopa.circle.urls")),
    path("stories/", include("kopa.stories.urls")),
    path("learning/", include("kopa.learning.urls")),
    path("reports/", include("kopa.reporting.urls")),
    path("my-data/", include("kopa.privacy.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "kopa.core.views.page_not_found"
handler500 = "kopa.core.views.server_error"
