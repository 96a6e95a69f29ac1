package io.throttlenet.bucket.internal;

import io.throttlenet.core.RateLimiter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Finds the {@link Part}s behind a limiter without putting composite-only methods on the public
 * types: each composable limiter class registers an accessor when it is initialised (a plain
 * limiter is one part; an all-of composite is the parts it combines). Not part of the public API.
 */
public final class Parts {
  private static final ConcurrentHashMap<Class<?>, Function<RateLimiter, Part[]>> ACCESS =
      new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();

  private Parts() {}

  /** Called once by each composable limiter class, from its static initialiser. */
  public static void register(
      Class<? extends RateLimiter> type, Function<RateLimiter, Part[]> access) {
    ACCESS.put(type, access);
  }

  /** The parts behind {@code limiter}, or null if it cannot take part in atomic composition. */
  public static Part[] of(RateLimiter limiter) {
    Function<RateLimiter, Part[]> access = ACCESS.get(limiter.getClass());
    return access == null ? null : access.apply(limiter);
  }

  /** A fresh part id; ids only fix the locking order. */
  public static long nextId() {
    return IDS.incrementAndGet();
  }
}
