from django.urls import path

from kopa.circle import manage_views, people_views, views

app_name = "circle"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("services/<str:service_id>/", views.service_page, name="service"),
    # The people of the circle (logged-in circle members only).
    path("people/", people_views.people_list, name="people"),
    path("people/me/", people_views.profile_edit, name="profile_edit"),
    path("people/<str:profile_id>/", people_views.person, name="person"),
    path("people/<str:profile_id>/write/", people_views.message, name="message"),
    # Suggestions from circle members; the editors' pages.
    path("suggest/", manage_views.suggest_new, name="suggest"),
    path(
        "services/<str:service_id>/suggest/",
        manage_views.suggest_correction,
        name="suggest_correction",
    ),
    path("manage/", manage_views.manage_home, name="manage"),
    path("manage/new/", manage_views.service_new, name="manage_new"),
    path("manage/review/", manage_views.review_queue, name="manage_review"),
    path("manage/suggestions/", manage_views.suggestion_list, name="manage_suggestions"),
    path(
        "manage/suggestions/<str:suggestion_id>/",
        manage_views.suggestion_review,
        name="manage_suggestion",
    ),
    path("manage/services/<str:service_id>/", manage_views.service_edit, name="manage_edit"),
    path(
        "manage/services/<str:service_id>/verify/",
        manage_views.service_verify,
        name="manage_verify",
    ),
]
