package io.throttlenet.redis;

import io.throttlenet.core.Ticker;

/**
 * A {@link RedisMultiLimiter}'s lease: per dimension, permits Redis granted ahead of use, spent by
 * this instance until they expire. Refilled by replacement (what is left of an older lease is
 * dropped, never added, so the pool holds at most one batch); a take is all or nothing across the
 * dimensions, so the pool is guarded by a lock held for a few array reads and writes. Expired
 * permits are dropped, not returned. Thread-safe.
 */
final class MultiLease {
  private final long[] batch;
  private final long ttlNanos;
  private final Ticker ticker;
  private final LeaseRefill refill = new LeaseRefill();
  private final long[] pool; // guarded by this
  private long expiry; // guarded by this

  MultiLease(long[] batch, long ttlNanos, Ticker ticker) {
    this.batch = batch;
    this.ttlNanos = ttlNanos;
    this.ticker = ticker;
    this.pool = new long[batch.length];
  }

  LeaseRefill refill() {
    return refill;
  }

  /**
   * What to ask Redis for beyond {@code values}, per dimension: the rest of a batch in each
   * dimension the call charges (the script leases only in those, and only what is free at once).
   */
  long[] extras(long[] values) {
    long[] extras = new long[values.length];
    for (int d = 0; d < values.length; d++) {
      extras[d] = values[d] > 0 ? Math.max(batch[d] - values[d], 0) : 0;
    }
    return extras;
  }

  /** Takes {@code values} from the pool if it covers every one of them; false otherwise. */
  synchronized boolean take(long[] values) {
    for (int d = 0; d < values.length; d++) {
      if (values[d] > pool[d]) {
        return false;
      }
    }
    if (ticker.read() - expiry > 0) {
      java.util.Arrays.fill(pool, 0); // expired: dropped, not returned
      return false;
    }
    for (int d = 0; d < values.length; d++) {
      pool[d] -= values[d];
    }
    return true;
  }

  /** Replaces the pool by {@code leased}, if Redis leased anything. */
  synchronized void fill(long[] leased) {
    boolean any = false;
    for (long l : leased) {
      any |= l > 0;
    }
    if (any) {
      expiry = ticker.read() + ttlNanos;
      System.arraycopy(leased, 0, pool, 0, pool.length);
    }
  }

  /**
   * Returns what a settled or cancelled leased grant did not use, up to a batch per dimension (the
   * rest is dropped); nothing once the lease expired. Returns what went back.
   */
  synchronized long[] giveBack(long[] amounts) {
    long[] back = new long[amounts.length];
    if (ticker.read() - expiry > 0) {
      return back;
    }
    for (int d = 0; d < amounts.length; d++) {
      long room = Math.max(batch[d] - pool[d], 0);
      back[d] = Math.min(amounts[d], room);
      pool[d] += back[d];
    }
    return back;
  }

  /** Takes what it can of positive {@code amounts}; returns what is still to charge Redis. */
  synchronized long[] charge(long[] amounts) {
    long[] rest = amounts.clone();
    if (ticker.read() - expiry <= 0) {
      for (int d = 0; d < rest.length; d++) {
        long taken = Math.min(rest[d], pool[d]);
        pool[d] -= taken;
        rest[d] -= taken;
      }
    }
    return rest;
  }

  /** What this instance holds of {@code dimension}. */
  synchronized long available(int dimension) {
    return ticker.read() - expiry > 0 ? 0 : pool[dimension];
  }

  /** Drops the pool: after a pause, restriction, reset or rate change. */
  synchronized void drop() {
    java.util.Arrays.fill(pool, 0);
  }
}
