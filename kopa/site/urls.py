from django.urls import path

from kopa.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
]
