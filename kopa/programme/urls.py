from django.urls import path

from kopa.programme import views

app_name = "programme"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("r/<str:token>/", views.registration_detail, name="registration"),
    path("r/<str:token>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("check-in/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path("<slug:slug>/", views.activity_detail, name="activity"),
    path("<slug:slug>.ics", views.activity_ics, name="activity_ics"),
]
