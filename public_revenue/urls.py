from django.urls import path

from . import views

app_name = "public_revenue"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("estates/<int:pk>/", views.estate_ledger, name="estate"),
    path("estates/<int:pk>/account/", views.account_edit, name="account-edit"),
    path("estates/<int:pk>/sources/new/", views.source_create, name="source-create"),
    path("estates/<int:pk>/entries/new/", views.entry_create, name="entry-create"),
    path("estates/<int:pk>/disclosures/new/", views.disclosure_create, name="disclosure-create"),
    path("estates/<int:pk>/import/", views.ledger_import, name="import"),
    path("disclosures/", views.disclosure_list, name="disclosure-list"),
    path("disclosures/<int:pk>/review/", views.disclosure_review, name="disclosure-review"),
    path("disclosures/<int:pk>/photo/", views.disclosure_photo, name="disclosure-photo"),
    path("entries/<int:pk>/voucher/", views.voucher_download, name="voucher"),
    # Public, no login: the estate's QR code leads here.
    path("public/estates/<int:estate_id>/", views.public_estate, name="public-estate"),
    path("public/disclosures/<int:pk>/photo/", views.public_photo, name="public-photo"),
]
