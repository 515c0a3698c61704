from django.contrib import admin
from django.urls import include, path

from accounts import urls as account_urls
from core import health, job_views, notification_views
from portal import views as portal_views

admin.site.site_header = "物业服务专项整治 · 后台管理"
admin.site.site_title = "后台管理"
admin.site.index_title = "基础数据"

urlpatterns = [
    path("", portal_views.public_home, name="public-home"),
    # The home page keeps its name accounts:home; it lives in portal, above the registers it reads.
    path("accounts/", include(
        (account_urls.urlpatterns + [path("home/", portal_views.home, name="home")], account_urls.app_name))),
    path("communities/", include("communities.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("rectification/", include("rectification.urls")),
    path("inspections/", include("inspections.urls")),
    path("revenue/", include("public_revenue.urls")),
    path("registers/", include("estate_registers.urls")),
    path("subjects/", include("subjects.urls")),
    path("public/", include("rectification.public_urls")),
    path("credit/", include("enterprises.public_urls")),
    path("complaints/", include("complaints.urls")),
    path("reporting/", include("reporting.urls")),
    path("votes/", include("votes.urls")),
    path("help/", portal_views.help_page, name="help"),
    path("favicon.ico", portal_views.favicon),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/settings/", notification_views.notification_settings, name="notification-settings"),
    path("notifications/read/", notification_views.notification_mark_all_read, name="notification-read-all"),
    path("jobs/<int:pk>/", job_views.import_job_detail, name="import-job"),
    path("jobs/<int:pk>/status/", job_views.import_job_status, name="import-job-status"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
