"""Named fixture users per role over a small region tree (see tests.factories.make_tree)."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import override_settings
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from accounts.models import Role
from communities.models import Region
from tests.factories import EnterpriseFactory, EstateFactory, UserFactory, make_tree

PASSWORD = "Test@2025x"


def pytest_configure(config):
    """Parallel runs (pytest-xdist): each worker has its own Redis database for the cache, so one
    worker's `cache.clear()` or rate-limit counters never reach another's tests. The Celery broker
    stays on the configured database; the real-worker tests run in their own, serial pass."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or not settings.REDIS_URL:
        return
    url = urlsplit(settings.REDIS_URL)
    database = 1 + int(worker.removeprefix("gw"))
    settings.CACHES["default"]["LOCATION"] = urlunsplit(url._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """PostgreSQL: no autovacuum in the test database. Tests' rows roll back; a VACUUM of them,
    running while the next test loads its own rows, records the tables as empty, and the planner
    then joins thousands of rows by nested loops (CI hung on 40 s queries). Table sizes come from
    the ANALYZE after bulk loads (core.bulk.refresh_statistics) and from the tables' real size."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT format('ALTER TABLE %I SET (autovacuum_enabled = off)', tablename) "
                           "FROM pg_tables WHERE schemaname = current_schema()")
            for (statement,) in cursor.fetchall():
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _file_store(settings, tmp_path):
    """Every stored file (core.files) goes to a temporary directory, never to the project's."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_FILES_DIR = tmp_path / "demo"


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def estates(tree):
    """Two estates in 海阳镇 (秀阳社区, 城北社区), one in 万安镇, one in 屯溪区."""
    ent_a = EnterpriseFactory(name="海阳物业公司", registered_region=tree["county"])
    ent_b = EnterpriseFactory(name="万安物业公司", registered_region=tree["county"])
    ent_c = EnterpriseFactory(name="屯溪物业公司", registered_region=tree["district"])
    return {
        "haiyang_1": EstateFactory(name="海阳花园", community=tree["xiuyang"], enterprise=ent_a),
        "haiyang_2": EstateFactory(name="城北佳苑", community=tree["chengbei"], enterprise=ent_a),
        "wanan_1": EstateFactory(name="横江苑", community=tree["wanan_community"], enterprise=ent_b),
        "tunxi_1": EstateFactory(name="老街府", community=tree["laojie"], enterprise=ent_c),
    }


@pytest.fixture
def county_user(tree):
    return UserFactory(username="county", role=Role.COUNTY_GROUP, region=tree["county"])


@pytest.fixture
def office_user(tree):
    return UserFactory(username="office", role=Role.COUNTY_OFFICE, region=tree["county"])


@pytest.fixture
def town_user(tree):
    """A town officer of 海阳镇."""
    return UserFactory(username="town-haiyang", role=Role.TOWN, region=tree["haiyang"])


@pytest.fixture
def other_town_user(tree):
    """A town officer of 万安镇."""
    return UserFactory(username="town-wanan", role=Role.TOWN, region=tree["wanan"])


@pytest.fixture
def community_user(tree):
    return UserFactory(username="community-xiuyang", role=Role.COMMUNITY, region=tree["xiuyang"])


@pytest.fixture
def city_user(tree):
    return UserFactory(username="city", role=Role.CITY, region=tree["city"])


@pytest.fixture
def discipline_user(tree):
    return UserFactory(username="discipline", role=Role.DISCIPLINE, region=tree["county"])


@pytest.fixture
def enterprise_user(estates):
    return UserFactory(username="enterprise-a", role=Role.ENTERPRISE, enterprise=estates["haiyang_1"].enterprise)


@pytest.fixture
def api_client():
    return APIClient()


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests (browser, PostgreSQL concurrency) can start after another one's flush
    emptied the tables the data migrations filled; reload the taxonomy (idempotent)."""
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures \
        or "transactional_db" in fixtures


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that empties the tables the data migrations filled
    (taxonomy, channels, rules). Put them back once the flush is done, so the plain tests that run
    after it in the same process (in whatever order pytest-xdist hands out files) find them."""
    yield
    # nextitem None: the process's last test, whose teardown already destroyed the test database
    if _transactional(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            call_command("load_reference_data", verbosity=0)
            # a serialized-rollback flush skips post_migrate: content types and permissions back too
            emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
            ContentType.objects.clear_cache()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """A serialized-rollback test restores the database as migrations left it, inserting each row by
    its primary key: Django expects the tables empty. A plain transactional test before it (in the
    same process, whatever order pytest-xdist gives) leaves content types recreated in another order
    and the reference data reloaded, so the restore collides on unique keys. Empty the tables first —
    only the test database's (it exists once `_test_serialized_contents` is set)."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("serialized_rollback") and hasattr(connection, "_test_serialized_contents"):
        with item.config.stash[blocking_manager_key].unblock():
            # keep the sequences where they are: the restore writes the migrations' rows by their
            # ids without moving a sequence, so a restarted one would hand out id 1 again
            call_command("flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0)
        ContentType.objects.clear_cache()  # the restore brings back the migrations' ids
    yield


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Every transactional test (browser, PostgreSQL concurrency, real Celery worker) gets the
    reference data back first, whatever flush ran before it."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or "live_server" in request.fixturenames):
        request.getfixturevalue("reference_data")


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Test clients answer the public form at once; the one test of the minimum sets it back."""
    settings.COMPLAINTS_MIN_FILL_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts and ends with an empty cache: rate-limit counters, spent questions, and
    the cached reference data (campaigns, categories, rules: rows of a rolled-back test whose ids
    the next test's rows reuse)."""
    from django.core.cache import cache

    from core import config_cache

    cache.clear()
    config_cache.forget_local()
    yield
    cache.clear()
    config_cache.forget_local()


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process in every test except those marked celery_worker, which need the real
    broker and worker; so the PostgreSQL + Redis run doesn't queue tasks no one executes."""
    from config.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    _set_task_join_will_block(False)  # in-process: an eager result never waits on a worker
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo county of seed_demo, seeded once for the module (30 s) and rolled back at its end."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media / "m", PRIVATE_MEDIA_ROOT=media / "p",
                                                                   DEMO_FILES_DIR=media / "demo"):
        with transaction.atomic():
            call_command("load_reference_data", verbosity=0)
            call_command("seed_demo", verbosity=0)
            yield Region.objects.get(code="341022")
            transaction.set_rollback(True)
