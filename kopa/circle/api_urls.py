"""/api/hsds/: the HSDS 3.0 read API, outside the language prefix (see kopa.circle.api)."""

from django.urls import path

from kopa.circle import api

app_name = "hsds"

urlpatterns = [
    path("", api.root, name="root"),
    path("profile", api.profile, name="profile"),
    path("openapi.json", api.openapi, name="openapi"),
    path("services", api.services, name="services"),
    path("services/<str:service_id>", api.service, name="service"),
    path("organizations", api.organizations, name="organizations"),
    path("organizations/<str:organization_id>", api.organization, name="organization"),
    path("taxonomies", api.taxonomies, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", api.taxonomy, name="taxonomy"),
    path("taxonomy_terms", api.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:term_id>", api.taxonomy_term, name="taxonomy_term"),
    path("service_at_locations", api.service_at_locations, name="service_at_locations"),
    path(
        "service_at_locations/<str:item_id>",
        api.service_at_location,
        name="service_at_location",
    ),
    # Anything else under /api/hsds/ is a JSON 404 too, not the site's HTML page.
    path("<path:rest>", api.not_found, name="not_found"),
]
