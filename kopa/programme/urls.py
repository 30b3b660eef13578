from django.urls import path

from kopa.programme import manage_views, photo_views, views
from kopa.programme.document_views import attendance_sheet, certificate, certificate_verify

app_name = "programme"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("plan/", views.project_plan, name="plan"),
    path("r/<str:token>/", views.registration_detail, name="registration"),
    path("r/<str:token>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("check-in/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path("manage/", manage_views.activity_list, name="manage_list"),
    path("manage/new/", manage_views.activity_create, name="manage_create"),
    path("manage/<slug:slug>/", manage_views.activity_manage, name="manage_activity"),
    path("manage/<slug:slug>/edit/", manage_views.activity_edit, name="manage_edit"),
    path("manage/<slug:slug>/duplicate/", manage_views.activity_duplicate, name="manage_duplicate"),
    path("manage/<slug:slug>/cancel/", manage_views.activity_cancel, name="manage_cancel"),
    path("manage/<slug:slug>/questions/", manage_views.activity_questions, name="manage_questions"),
    path(
        "manage/<slug:slug>/registrations.csv",
        manage_views.registrations_export,
        {"fmt": "csv"},
        name="manage_export_csv",
    ),
    path(
        "manage/<slug:slug>/registrations.xlsx",
        manage_views.registrations_export,
        {"fmt": "xlsx"},
        name="manage_export_xlsx",
    ),
    path("r/<str:token>/certificate.pdf", certificate, name="certificate"),
    path("certificates/<str:code>/", certificate_verify, name="certificate_verify"),
    path("<slug:slug>/attendance.pdf", attendance_sheet, name="attendance_sheet"),
    path("<slug:slug>/", views.activity_detail, name="activity"),
    path("<slug:slug>/register/", views.activity_register, name="register"),
    path("<slug:slug>.ics", views.activity_ics, name="activity_ics"),
]

urlpatterns += [
    path("manage/<slug:slug>/photos/", photo_views.activity_photos, name="manage_photos"),
    path(
        "manage/<slug:slug>/photos/<int:pk>/<str:name>",
        photo_views.photo_file,
        name="manage_photo_file",
    ),
]
