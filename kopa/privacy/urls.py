from django.urls import path

from kopa.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_form, name="request"),
    path("sent/", views.request_sent, name="sent"),
    path("access/<str:token>/", views.data_page, name="data"),
    path("access/<str:token>/download/", views.download, name="download"),
    path("access/<str:token>/erase/", views.erase, name="erase"),
    path("notices/<int:version>/", views.notice_version, name="notice"),
]
