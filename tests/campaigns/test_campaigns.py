from datetime import date

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Campaign, CampaignStage, StageKind


@pytest.fixture
def campaign(tree):
    campaign = Campaign.objects.create(
        name="休宁县专项行动", region=tree["county"], start_date=date(2025, 3, 1), end_date=date(2025, 12, 31)
    )
    CampaignStage.objects.create(campaign=campaign, kind=StageKind.MOBILISATION, start_date=date(2025, 3, 1), end_date=date(2025, 4, 30))
    CampaignStage.objects.create(campaign=campaign, kind=StageKind.CONCENTRATED, start_date=date(2025, 5, 1), end_date=date(2025, 11, 30))
    return campaign


@pytest.mark.django_db
class TestCampaign:
    def test_stage_on(self, campaign):
        assert campaign.stage_on(date(2025, 6, 1)).kind == StageKind.CONCENTRATED
        assert campaign.stage_on(date(2026, 6, 1)) is None

    def test_dates_must_be_ordered(self, tree):
        campaign = Campaign(name="x", region=tree["county"], start_date=date(2025, 3, 1), end_date=date(2025, 1, 1))
        with pytest.raises(ValidationError) as info:
            campaign.full_clean()
        assert "结束日期不能早于开始日期。" in str(info.value)

    def test_town_user_sees_county_campaign_other_county_does_not(self, campaign, town_user, tree):
        from accounts.models import Role
        from tests.factories import UserFactory

        assert list(Campaign.objects.visible_to(town_user)) == [campaign]
        neighbour = UserFactory(role=Role.TOWN, region=tree["yuzhong"])
        assert list(Campaign.objects.visible_to(neighbour)) == []

    def test_public_home_names_the_campaign(self, client, campaign):
        body = client.get("/").content.decode()
        assert "休宁县专项行动" in body
        assert 'href="/complaints/new/"' in body
