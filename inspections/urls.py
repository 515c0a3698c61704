from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/checklist/", views.checklist_edit, name="checklist-edit"),
    path("rounds/<int:pk>/visits/new/", views.visit_new, name="visit-new"),
    path("rounds/<int:pk>/import/", views.ledger_import, name="ledger-import"),
    path("import-template/", views.ledger_template, name="ledger-template"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("photos/<int:pk>/", views.photo_download, name="photo"),
    path("self-check/", views.self_check, name="self-check"),
    path("spot-checks/", views.draw_list, name="draw-list"),
    path("spot-checks/new/", views.draw_create, name="draw-create"),
    path("spot-checks/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("spot-checks/<int:pk>/visits/new/", views.spot_visit_new, name="spot-visit-new"),
]
