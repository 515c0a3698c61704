from django.urls import path

from core import tabular_import

from . import importers, views
from .registry import REGISTERS

app_name = "estate_registers"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("parking-disputes/", views.dispute_list, name="dispute-list"),
    path("parking-disputes/new/", views.dispute_create, name="dispute-create"),
    path("fund-use-documents/<int:pk>/", views.document_download, name="document"),
    path("fee-disclosures/<int:pk>/photo/", views.fee_photo, name="fee-photo"),
    path("<slug:slug>/new/", views.row_create, name="create"),
    path("<slug:slug>/<int:pk>/", views.row_detail, name="detail"),
    path("<slug:slug>/<int:pk>/edit/", views.row_edit, name="edit"),
    path("<slug:slug>/<int:pk>/review/", views.row_review, name="review"),
]
# Excel imports (core.tabular_import): upload/preview, confirm, error rows, template
urlpatterns += tabular_import.urls(importers.LIFT_IMPORT, "lifts/import/", name="lift-import")
urlpatterns += tabular_import.urls(importers.CONTRACT_IMPORT, "service-contracts/import/", name="contract-import")
# one named list per register (no parameter): links, exports and the scope crawler see each one
urlpatterns += [path(f"{slug}/", views.register_list, {"slug": slug}, name=f"list-{slug}") for slug in REGISTERS]
