"""The cache backend used when REDIS_URL is set, and the one windowed counter the rate limits use.

Django's RedisCache builds a new `redis.Redis` client object for every call (each one fills a
table of ~170 response callbacks), and its `incr` is two round trips (EXISTS, then INCRBY). On the
public form, which asks the cache about twenty times per submission, that was a tenth of the
request's CPU (bench/README.md). `RedisCache` here keeps one client per connection pool (the client
is thread-safe; the pool holds the sockets), and `window_hit` counts an attempt and reads the
previous window's count in one pipelined round trip. Values are stored exactly as Django's backend
stores them (integers raw, everything else pickled), so either backend reads the other's keys."""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def window_hit(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        client = self._cache.get_client(write=True)
        key = self.make_and_validate_key(key)
        previous_key = self.make_and_validate_key(previous_key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout)
        pipe.get(previous_key)
        count, _, previous = pipe.execute()
        return int(count), int(previous or 0)


def window_hit(key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """One more attempt under `key` (kept `timeout` seconds) and the count under `previous_key`
    (the previous window's): (this window's count including this attempt, the previous one's)."""
    fast = getattr(cache, "window_hit", None)
    if fast is not None:
        return fast(key, previous_key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        count = 1
    return count, cache.get(previous_key, 0)
