package io.throttlenet.redis;

import io.throttlenet.core.Ticker;

/**
 * A {@link RedisMultiLimiter}'s lease: per dimension, permits Redis granted ahead of use, spent by
 * this instance until they expire. Refilled by replacement (what is left of an older lease is
 * dropped, never added, so the pool holds at most one batch); a take is all or nothing across the
 * dimensions, so the pool is guarded by a lock held for a few array reads and writes. Expired
 * permits are dropped, not returned.
 *
 * <p>Each {@link #drop} (a pause, restriction, reset or rate change) starts a new epoch. A grant
 * from the pool and a refill in flight carry the epoch they began in, and {@link #giveBack} and
 * {@link #fill} ignore an older one: otherwise a reservation granted before a pause and settled
 * after it, or a refill whose script ran before the pause and whose reply came after, would put
 * permits back into a pool the pause had emptied, and the next take would be granted locally
 * during the pause. Thread-safe.
 */
final class MultiLease {
  private final long[] batch;
  private final long ttlNanos;
  private final Ticker ticker;
  private final LeaseRefill refill = new LeaseRefill();
  private final long[] pool; // guarded by this
  private long expiry; // guarded by this
  private long epoch; // guarded by this; moved on by drop()

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

  /**
   * Whether the pool could ever cover {@code values}: it never holds more than a batch in any
   * dimension (none in one the batch does not name), so a call above that must go to Redis.
   */
  boolean couldCover(long[] values) {
    for (int d = 0; d < values.length; d++) {
      if (values[d] > batch[d]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Takes {@code values} from the pool if it covers every one of them: returns the epoch they were
   * taken in (for {@link #giveBack}), or -1 if the pool does not cover them.
   */
  synchronized long take(long[] values) {
    for (int d = 0; d < values.length; d++) {
      if (values[d] > pool[d]) {
        return -1;
      }
    }
    if (ticker.read() - expiry > 0) {
      java.util.Arrays.fill(pool, 0); // expired: dropped, not returned
      return -1;
    }
    for (int d = 0; d < values.length; d++) {
      pool[d] -= values[d];
    }
    return epoch;
  }

  /** The current epoch: read by the caller claiming a refill before it asks Redis. */
  synchronized long epoch() {
    return epoch;
  }

  /**
   * Replaces the pool by {@code leased}, if Redis leased anything and the pool was not dropped
   * since {@code claimedIn}, the epoch read before the refill was sent.
   */
  synchronized void fill(long[] leased, long claimedIn) {
    if (claimedIn != epoch) {
      return; // dropped while in flight: the permits are spent in Redis, never here
    }
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
   * rest is dropped); nothing once the lease expired or was dropped since {@code takenIn}, the
   * epoch of the grant. Returns what went back.
   */
  synchronized long[] giveBack(long[] amounts, long takenIn) {
    long[] back = new long[amounts.length];
    if (takenIn != epoch || ticker.read() - expiry > 0) {
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

  /**
   * Drops the pool, and with it what grants made before give back and what refills in flight
   * bring: after a pause, restriction, reset or rate change.
   */
  synchronized void drop() {
    epoch++;
    java.util.Arrays.fill(pool, 0);
  }

  /**
   * Drops the pool if it holds more of {@code dimension} than {@code permits}, the new bound on it,
   * or the bound leaves nothing (so nothing may come back); keeps it otherwise.
   */
  synchronized void bound(int dimension, long permits) {
    if (permits <= 0 || pool[dimension] > permits) {
      drop();
    }
  }
}
