from django.urls import path

from . import import_views, views

app_name = "complaints"

urlpatterns = [
    # public (no login)
    path("new/", views.complaint_new, name="public-new"),
    path("new/done/", views.complaint_done, name="public-done"),
    path("new/estates/", views.complaint_estate_search, name="public-estate-search"),
    path("new/photo/<str:token>/", views.complaint_kept_photo, name="public-kept-photo"),
    path("track/", views.complaint_track, name="public-track"),
    path("track/rate/", views.complaint_rate, name="public-rate"),
    # staff
    path("", views.complaint_list, name="list"),
    path("intake/", views.complaint_intake, name="intake"),
    path("statistics/", views.complaint_statistics, name="statistics"),
    path("import/", import_views.import_upload, name="import"),
    path("import/confirm/", import_views.import_confirm, name="import-confirm"),
    path("import/errors.xlsx", import_views.import_error_rows, name="import-errors"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/reply/", views.complaint_reply, name="reply"),
    path("<int:pk>/return-call/", views.complaint_return_call, name="return-call"),
    path("<int:pk>/reopen/", views.complaint_reopen, name="reopen"),
    path("replies.xlsx", views.hotline_replies_export, name="hotline-replies"),
    path("<int:pk>/move/", views.complaint_move, name="move"),
    path("<int:pk>/split/", views.complaint_split, name="split"),
    path("<int:pk>/estate/", views.complaint_resolve_estate, name="resolve-estate"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("estates/<int:estate_id>/qr/", views.estate_qr, name="estate-qr"),
]
