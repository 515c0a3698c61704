from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("unit/", views.unit_report, name="unit-report"),
    path("review/", views.review, name="review"),
    path("unit-reports/<int:pk>/", views.unit_report_detail, name="unit-report-detail"),
    path("unit-reports/<int:pk>/review/", views.unit_report_review, name="unit-report-review"),
    path("enterprise/", views.enterprise_report, name="enterprise-report"),
    path("enterprise-review/", views.enterprise_review, name="enterprise-review"),
    path("enterprise-reports/<int:pk>/", views.enterprise_report_detail, name="enterprise-report-detail"),
    path("enterprise-reports/<int:pk>/review/", views.enterprise_report_review, name="enterprise-report-review"),
    path("reports/", views.stored_list, name="stored-list"),
    path("reports/build/", views.stored_build, name="stored-build"),
    path("reports/<int:pk>/download/", views.stored_download, name="stored-download"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("statistics/", views.statistics, name="statistics"),
]
