"""Factories and helpers for rectification tests."""

from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import ProblemCategory
from rectification.models import Case, CaseAttachment, CaseState, ClueSource

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdacd\xf8\xcfP\x0f\x00\x03\x86\x01\x80Z4}k\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_png(name="evil.png"):
    """Named and typed as an image, but an HTML file."""
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="image/png")


def leaf_category(code="A1"):
    return ProblemCategory.objects.get(code=code)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case placed directly in a state (tests of the walk go through the service instead)."""

    class Meta:
        model = Case

    estate = None
    region_path = factory.LazyAttribute(lambda o: o.estate.community.path)
    enterprise = factory.LazyAttribute(lambda o: o.estate.enterprise)
    category = factory.LazyFunction(lambda: leaf_category("A1"))
    description = factory.Sequence(lambda n: f"问题描述{n}")
    source = ClueSource.COMPLAINT
    state = CaseState.PENDING_VERIFICATION
    complainant_count = 1


def rectifying_case(estate, *, deadline=None, **kwargs):
    values = {
        "state": CaseState.RECTIFYING, "verification_result": "true", "measures": "限期整改",
        "responsible_unit": "物业公司", "responsible_person": "李强",
        "deadline": deadline or timezone.localdate() + timedelta(days=10), **kwargs,
    }
    return CaseFactory(estate=estate, **values)


def add_evidence(case, user=None):
    return CaseAttachment.objects.create(
        case=case, file=png(), original_name="photo.png", content_type="image/png", size=len(PNG), uploaded_by=user
    )


def ledger_rows(response) -> str:
    """The ledger page from its table on: the filter form above lists every estate by name."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    return body[body.index('data-testid="case-table"'):]
