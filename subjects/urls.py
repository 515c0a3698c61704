from django.urls import path

from core import tabular_import

from . import registers, views

app_name = "subjects"

urlpatterns = [
    path("developers/", views.developer_list, name="developer-list"),
    path("developers/new/", views.developer_edit, name="developer-create"),
    path("developers/<int:pk>/", views.developer_detail, name="developer-detail"),
    path("developers/<int:pk>/edit/", views.developer_edit, name="developer-edit"),
    path("developers/<int:developer_pk>/projects/new/", views.project_edit, name="project-create"),
    path("developers/<int:developer_pk>/projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("obligations/<int:pk>/", views.obligation_update, name="obligation-update"),
    path("committees/", views.committee_list, name="committee-list"),
    path("committees/new/", views.committee_edit, name="committee-create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee-detail"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee-edit"),
    path("committees/<int:pk>/members/", views.member_add, name="member-add"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("units/", views.unit_list, name="unit-list"),
    path("cases/<int:case_pk>/subject/", views.case_subject, name="case-subject"),
]

# registers from Excel (core.tabular_import): upload/preview, confirm, error rows, template
urlpatterns += tabular_import.urls(registers.DEVELOPER_IMPORT, "developers/import/", name="developer-import")
urlpatterns += tabular_import.urls(registers.COMMITTEE_IMPORT, "committees/import/", name="committee-import")
