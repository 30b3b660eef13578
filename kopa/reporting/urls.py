from django.urls import path

from kopa.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/report.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<slug:slug>/report.pdf", views.export, {"fmt": "pdf"}, name="export_pdf"),
    path("<slug:slug>/freeze/", views.freeze, name="freeze"),
    path("<slug:slug>/frozen/<int:pk>/", views.frozen_detail, name="frozen"),
    path(
        "<slug:slug>/frozen/<int:pk>/report.xlsx",
        views.frozen_export,
        {"fmt": "xlsx"},
        name="frozen_xlsx",
    ),
    path(
        "<slug:slug>/frozen/<int:pk>/report.pdf",
        views.frozen_export,
        {"fmt": "pdf"},
        name="frozen_pdf",
    ),
    path("<slug:slug>/grant/", views.grant_edit, name="grant"),
    path("<slug:slug>/allocations/", views.allocations, name="allocations"),
    path("<slug:slug>/dissemination/", views.dissemination, name="dissemination"),
    path(
        "<slug:slug>/activities/<slug:activity_slug>/note/",
        views.activity_note,
        name="activity_note",
    ),
]
