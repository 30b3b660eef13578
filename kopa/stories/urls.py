from django.urls import path

from kopa.stories import manage_views, views

app_name = "stories"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("feed.atom", views.feed, name="feed"),
    path("export.json", views.export, name="export"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("manage/", manage_views.story_list, name="manage_list"),
    path("manage/new/", manage_views.story_create, name="manage_create"),
    path("manage/book/", manage_views.book, name="manage_book"),
    path("manage/<uuid:public_id>/", manage_views.story_manage, name="manage_story"),
    path("manage/<uuid:public_id>/edit/", manage_views.story_edit, name="manage_edit"),
    path("manage/<uuid:public_id>/status/", manage_views.story_status, name="manage_status"),
    path("manage/<uuid:public_id>/consent/", manage_views.consent_record, name="manage_consent"),
    path(
        "manage/<uuid:public_id>/translation/",
        manage_views.translation_credit,
        name="manage_translation",
    ),
    path(
        "manage/<uuid:public_id>/consent/<int:pk>/form",
        manage_views.consent_form_file,
        name="manage_consent_file",
    ),
    path(
        "manage/<uuid:public_id>/<str:kind>/add/",
        manage_views.media_upload,
        name="manage_media_add",
    ),
    path(
        "manage/<uuid:public_id>/<str:kind>/<int:pk>/remove/",
        manage_views.media_remove,
        name="manage_media_remove",
    ),
    path(
        "manage/<uuid:public_id>/<str:kind>/<int:pk>/<str:name>",
        manage_views.media_file,
        name="manage_media_file",
    ),
    path("<uuid:public_id>/", views.story_detail, name="detail"),
    path("<uuid:public_id>/card/", views.recipe_card, name="recipe_card"),
]
