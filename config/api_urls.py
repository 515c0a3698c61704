from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView
from communities.api import EstateViewSet, RegionViewSet
from complaints.api import ComplaintViewSet
from enterprises.api import CreditEventViewSet, EnterpriseViewSet, EvaluationViewSet, ExitRecordViewSet
from estate_registers.api import VIEWSETS as REGISTER_VIEWSETS
from estate_registers.api import ParkingDisputeViewSet
from inspections.api import InspectionRoundViewSet, VisitViewSet
from public_revenue.api import DisclosureViewSet, RevenueAccountViewSet, RevenueEntryViewSet, RevenueSourceViewSet
from rectification.api import CaseViewSet, ClueViewSet
from reporting.api import StoredReportViewSet
from subjects.api import DeveloperViewSet, OwnersCommitteeViewSet
from votes.api import VoteViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("estates", EstateViewSet, basename="estate")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("credit-events", CreditEventViewSet, basename="credit-event")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("exits", ExitRecordViewSet, basename="exit")
router.register("cases", CaseViewSet, basename="case")
router.register("clues", ClueViewSet, basename="clue")
router.register("inspection-rounds", InspectionRoundViewSet, basename="inspection-round")
router.register("visits", VisitViewSet, basename="visit")
router.register("revenue-accounts", RevenueAccountViewSet, basename="revenue-account")
router.register("revenue-sources", RevenueSourceViewSet, basename="revenue-source")
router.register("revenue-entries", RevenueEntryViewSet, basename="revenue-entry")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("reports", StoredReportViewSet, basename="report")
# issue 17 part B: the estate registers, one endpoint each
for _slug, _viewset in REGISTER_VIEWSETS.items():
    router.register(_slug, _viewset, basename=f"register-{_slug}")
router.register("parking-disputes", ParkingDisputeViewSet, basename="parking-dispute")
router.register("votes", VoteViewSet, basename="vote")
router.register("developers", DeveloperViewSet, basename="developer")
router.register("owners-committees", OwnersCommitteeViewSet, basename="owners-committee")

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI only: drf-spectacular's Redoc page pulls Google Fonts, which an intranet cannot reach.
    # The split view serves its start-up script as a file, which the Content-Security-Policy allows;
    # Swagger UI sets inline styles as it draws, which this one page allows.
    path("docs/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
]
