"""Register rows written through the services, as the pages write them."""

from datetime import date
from decimal import Decimal

from estate_registers import services
from tests.rectification.factories import png


def add_collection(user, estate, *, collected_on=date(2025, 8, 1), amount="50000.00", transferred="0", **kwargs):
    transferred = Decimal(transferred)
    return services.fund_collection_save(
        user=user, estate_id=estate.pk, collected_by="海阳物业公司", collected_on=collected_on,
        collected_amount=Decimal(amount), transferred_amount=transferred,
        transferred_on=kwargs.pop("transferred_on", date(2025, 8, 20) if transferred else None), **kwargs,
    )


def add_lift(user, estate, *, number="31103410222012000001", year=2008, maintained=date(2025, 10, 1), **kwargs):
    return services.lift_save(
        user=user, estate_id=estate.pk, registration_number=number, location=kwargs.pop("location", "1栋1单元"),
        install_year=year, maintenance_company="黄山市某电梯工程有限公司", last_maintained_on=maintained, **kwargs,
    )


def add_contract(user, estate, *, start=date(2023, 1, 1), end=date(2025, 12, 31), fee="1.20", filing="XN-2023-001",
                 signed_on=None, **kwargs):
    return services.contract_save(
        user=user, estate_id=estate.pk, enterprise=kwargs.pop("enterprise", estate.enterprise),
        kind=kwargs.pop("kind", "owners"), signed_on=signed_on or start, start=start, end=end,
        service_level=kwargs.pop("service_level", "3"), fee_standard=Decimal(fee), filing_number=filing,
        filed_on=kwargs.pop("filed_on", (signed_on or start) if filing else None), **kwargs,
    )


def add_fee_disclosure(user, estate, *, day=date(2025, 9, 1), fee="1.20"):
    return services.fee_disclosure_save(
        user=user, estate_id=estate.pk, disclosed_on=day, fee_charged=Decimal(fee), location="小区大门公告栏",
        photo=png("notice.png"),
    )
