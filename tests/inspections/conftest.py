import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a temporary directory, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
