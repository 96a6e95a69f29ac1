/**
 * Limiters whose state lives in Redis, so that several processes share one budget exactly.
 *
 * <p>Start with {@link io.throttlenet.redis.RedisStore#connect(String)}, then build a {@link
 * io.throttlenet.redis.RedisThrottle} (one budget), a {@link io.throttlenet.redis.RedisMultiLimiter}
 * (requests and tokens at once) or a {@link io.throttlenet.redis.RedisPerKey} (one budget per
 * tenant) on it. Every limiter takes its time from the Redis server, charges in one round trip
 * (one Lua script), and applies its {@link io.throttlenet.redis.OutagePolicy} when Redis does not
 * answer in time, publishing a {@link io.throttlenet.redis.RedisEvent} on every switch.
 *
 * <p>No argument or result is null unless documented otherwise.
 */
package io.throttlenet.redis;
