from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from communities.api import EstateViewSet, RegionViewSet
from enterprises.api import EnterpriseViewSet
from rectification.api import CaseViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("estates", EstateViewSet, basename="estate")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI only: drf-spectacular's Redoc page pulls Google Fonts, which an intranet cannot reach.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
