from django.urls import path

from core import tabular_import

from . import registers, views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise-list"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("<int:pk>/credit/", views.credit_file, name="credit-file"),
    path("<int:pk>/regrade/", views.service_level_regrade, name="service-level-regrade"),
    path("credit-events/<int:pk>/publish/", views.credit_event_publish, name="credit-event-publish"),
    path("credit-events/<int:pk>/withdraw/", views.credit_event_withdraw, name="credit-event-withdraw"),
    path("evaluations/", views.evaluation_list, name="evaluation-list"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluations/<int:pk>/publish/", views.evaluation_publish, name="evaluation-publish"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal-decide"),
    path("list-entries/<int:pk>/end/", views.list_entry_end, name="list-entry-end"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection-answer"),
    path("my-credit/", views.my_credit, name="my-credit"),
    path("exits/", views.exit_list, name="exit-list"),
    path("exits/<int:pk>/", views.exit_detail, name="exit-detail"),
    path("exits/<int:pk>/<str:action>/", views.exit_action, name="exit-action"),
]

# registers from Excel (core.tabular_import): upload/preview, confirm, error rows, template
urlpatterns += tabular_import.urls(registers.ENTERPRISE_IMPORT, "import/", name="enterprise-import")
urlpatterns += tabular_import.urls(registers.ESTATE_IMPORT, "estates/import/", name="estate-import")
