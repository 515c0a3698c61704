from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("clues/", views.clue_list, name="clue-list"),
    path("cases/bulk/", views.case_bulk, name="case-bulk"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/do/<str:transition>/", views.case_transition, name="case-transition"),
    path("cases/<int:pk>/supervision/", views.supervision_create, name="supervision-create"),
    path("cases/<int:pk>/typical/", views.typical_case_edit, name="typical-edit"),
    path("supervision/<int:pk>/lift/", views.supervision_lift, name="supervision-lift"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("supervisions/<int:pk>/minutes/", views.supervision_file, {"field": "minutes_file"},
         name="supervision-minutes"),
    path("supervisions/<int:pk>/receipt/", views.supervision_file, {"field": "receipt_file"},
         name="supervision-receipt"),
    path("cases/<int:pk>/documents/<str:kind>/", views.document_issue, name="document-issue"),
    path("documents/templates/", views.document_templates, name="document-templates"),
    path("documents/templates/<str:kind>/", views.document_template_edit, name="document-template-edit"),
    path("typical/", views.typical_case_list, name="typical-list"),
    path("estates/<int:estate_id>/plans/", views.estate_plans, name="estate-plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/<str:action>/", views.plan_action, name="plan-action"),
]
