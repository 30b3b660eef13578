from django.urls import path

from kopa.circle import views

app_name = "circle"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("services/<str:service_id>/", views.service_page, name="service"),
]
