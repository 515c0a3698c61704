"""core.cache: the windowed counter of the rate limits on either backend, and the Redis backend's
one client per pool; core.config_cache's per-process copy."""

import pytest
from django.conf import settings
from django.core.cache import cache

from core import cache as core_cache
from core import config_cache


def test_window_hit_counts_this_window_and_reads_the_previous_one():
    assert core_cache.window_hit("t:rl:b2", "t:rl:b1", 60) == (1, 0)
    assert core_cache.window_hit("t:rl:b2", "t:rl:b1", 60) == (2, 0)
    assert core_cache.window_hit("t:rl:b3", "t:rl:b2", 60) == (1, 2)
    assert cache.get("t:rl:b3") == 1  # what Django's own cache API reads back


@pytest.mark.skipif(not settings.REDIS_URL, reason="Redis 只在设置 REDIS_URL 时可用（CI 的第二轮运行）")
def test_the_redis_backend_reuses_one_client_and_sets_an_expiry():
    from django.core.cache import caches

    backend = caches["default"]
    assert isinstance(backend, core_cache.RedisCache)
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client() is client
    core_cache.window_hit("t:rl:ttl", "t:rl:none", 90)
    ttl = client.ttl(backend.make_key("t:rl:ttl"))
    assert 0 < ttl <= 90


def test_a_process_keeps_its_copy_briefly_and_forgets_it_on_change(monkeypatch):
    calls = []

    def compute():
        calls.append(1)
        return ["a"]

    assert config_cache.cached("t:cfg", compute) == ["a"]
    cache.delete("t:cfg")  # another process's change, seen only after LOCAL_SECONDS here
    assert config_cache.cached("t:cfg", compute) == ["a"] and len(calls) == 1
    clock = [config_cache.time.monotonic() + config_cache.LOCAL_SECONDS + 1]
    monkeypatch.setattr(config_cache.time, "monotonic", lambda: clock[0])
    assert config_cache.cached("t:cfg", compute) == ["a"] and len(calls) == 2
    config_cache.forget("t:cfg")  # a save in this process: at once
    assert config_cache.cached("t:cfg", compute) == ["a"] and len(calls) == 3
