import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Complaint photos and pending imports go to a temporary directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
