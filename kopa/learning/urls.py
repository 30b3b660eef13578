from django.urls import path

from kopa.learning import template_views, views

app_name = "learning"

urlpatterns = [
    path("", views.material_list, name="list"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:pk>/", views.material_detail, name="material"),
    path("materials/<int:pk>/file", views.material_file, name="material_file"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("q/<str:token>/", views.answer, name="answer"),
    path(
        "activities/<slug:slug>/questionnaires/",
        views.activity_questionnaires,
        name="activity_questionnaires",
    ),
    path("questionnaires/<int:pk>/invite/", views.questionnaire_invite, name="invite"),
    path("results/", views.results_index, name="results"),
    path("results/<int:pk>/", views.results_questionnaire, name="results_questionnaire"),
    path("results/<int:pk>/results.csv", views.results_export, {"fmt": "csv"}, name="results_csv"),
    path(
        "results/<int:pk>/results.xlsx",
        views.results_export,
        {"fmt": "xlsx"},
        name="results_xlsx",
    ),
    path("results/all/<slug:code>/", views.results_template, name="results_template"),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/new/", template_views.template_create, name="template_create"),
    path("templates/<int:pk>/", template_views.template_edit, name="template_edit"),
    path("templates/<int:pk>/copy/", template_views.template_copy, name="template_copy"),
]
