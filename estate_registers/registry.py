"""The registers by their URL slug: read by the services (review), the pages, the export and the
API, so that a register added here gets the workflow, pages and endpoints at once."""

from dataclasses import dataclass

from django.urls import reverse

from .models import (
    FeeDisclosure,
    FundAccount,
    FundCollection,
    FundUse,
    Lift,
    ParkingRegister,
    RegisterRow,
    ServiceContract,
)


@dataclass(frozen=True)
class Register:
    slug: str
    model: type[RegisterRow]
    group: str  # one of the four registers the plans name
    #: the model fields a list, the detail and the export show after 小区 (in order)
    columns: tuple[str, ...]
    #: one row per estate (the estate's position), not a history
    one_per_estate: bool = False

    @property
    def list_url(self) -> str:
        return reverse(f"estate_registers:list-{self.slug}")

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


GROUPS = ("住宅专项维修资金", "电梯", "停车", "合同备案、收费公示")

REGISTERS: dict[str, Register] = {
    r.slug: r
    for r in [
        Register("fund-accounts", FundAccount, GROUPS[0],
                 ("deposit_status", "account_bank", "balance", "balance_on", "note"), one_per_estate=True),
        Register("fund-collections", FundCollection, GROUPS[0],
                 ("collected_by", "collected_on", "collected_amount", "transferred_on", "transferred_amount",
                  "voucher_number", "note")),
        Register("fund-uses", FundUse, GROUPS[0],
                 ("item", "amount", "used_on", "owners_approved_on", "approval_basis", "emergency", "disclosed_on",
                  "note")),
        Register("lifts", Lift, GROUPS[1],
                 ("registration_number", "location", "install_year", "maintenance_company", "last_maintained_on",
                  "in_service", "renewal_status", "renewal_applied_on", "funding_source", "note")),
        Register("parking", ParkingRegister, GROUPS[2],
                 ("planned_spaces", "public_spaces", "sold_spaces", "rented_spaces", "monthly_fee", "temporary_fee",
                  "rules_approved", "rules"), one_per_estate=True),
        Register("service-contracts", ServiceContract, GROUPS[3],
                 ("enterprise", "kind", "signed_on", "start", "end", "service_level", "fee_standard", "filing_number",
                  "filed_on")),
        Register("fee-disclosures", FeeDisclosure, GROUPS[3],
                 ("disclosed_on", "fee_charged", "location", "note")),
    ]
}

BY_MODEL = {r.model: r for r in REGISTERS.values()}


def register_for(slug: str) -> Register | None:
    return REGISTERS.get(slug)
