from django.urls import path

from kopa.accounts import views as accounts_views
from kopa.site import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/edit/", accounts_views.organisation_edit, name="edit"),
    path("<slug:slug>/people/", accounts_views.organisation_members, name="members"),
    path(
        "<slug:slug>/people/<int:membership_id>/",
        accounts_views.membership_change,
        name="membership_change",
    ),
]
