/**
 * throttle-net on Redis: the same limiter SPI as the local limiters, with the state in Redis so a
 * whole fleet shares one budget. {@link io.throttlenet.redis.RedisThrottle} (a GCRA token
 * bucket), {@link io.throttlenet.redis.RedisMultiLimiter} (several dimensions charged all or
 * nothing in one Lua script) and {@link io.throttlenet.redis.RedisPerKey} (one bucket per tenant,
 * with key TTLs), all on a {@link io.throttlenet.redis.RedisStore} (a Lettuce connection), with an
 * explicit {@link io.throttlenet.redis.OutagePolicy} for when Redis cannot be reached.
 */
module io.throttlenet.redis {
  requires transitive io.throttlenet.core;
  requires transitive io.throttlenet.bucket;
  requires transitive io.throttlenet.multidim;
  requires transitive lettuce.core; // RedisStore.of takes a Lettuce connection

  exports io.throttlenet.redis;
}
