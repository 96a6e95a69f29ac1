package io.throttlenet.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One limiter's line to Redis: runs the script within the limiter's timeout and keeps the
 * limiter's health, the switch between Redis and the outage policy.
 *
 * <p>Design: healthy, every call goes to Redis. A call that fails for want of Redis (no reply in
 * time, connection refused or lost, a server that is loading or busy) marks the limiter down,
 * once (a compare-and-set, so exactly one {@link RedisEvent.Unavailable} per outage), and the
 * caller gets {@code null}: apply the policy. While down, callers apply the policy without
 * touching Redis, except one caller per probe interval (a compare-and-set on the next probe
 * time), which tries Redis; its success marks the limiter up again (one {@link
 * RedisEvent.Recovered}). A reply that is an error about the script or the key itself (a key of
 * another type, say) is a bug, not an outage, and is thrown. Thread-safe.
 */
final class Remote {
  private final RedisStore store;
  private final String component;
  private final OutagePolicy policy;
  private final Ticker ticker;
  private final long timeoutNanos;
  private final long probeNanos;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong nextProbe = new AtomicLong();
  private final LongAdder roundTrips = new LongAdder();
  private volatile long downSince;
  private final EventPublisher<RedisEvent.Unavailable> unavailableEvents;
  private final EventPublisher<RedisEvent.Recovered> recoveredEvents;

  Remote(
      RedisStore store,
      String component,
      OutagePolicy policy,
      Ticker ticker,
      long timeoutNanos,
      long probeNanos,
      EventRegistry events) {
    this.store = store;
    this.component = component;
    this.policy = policy;
    this.ticker = ticker;
    this.timeoutNanos = timeoutNanos;
    this.probeNanos = probeNanos;
    this.unavailableEvents = events.publisher(RedisEvent.Unavailable.class, component);
    this.recoveredEvents = events.publisher(RedisEvent.Recovered.class, component);
  }

  OutagePolicy policy() {
    return policy;
  }

  RedisStore store() {
    return store;
  }

  long roundTrips() {
    return roundTrips.sum();
  }

  boolean isDown() {
    return down.get();
  }

  /** Time until the next probe of Redis, for a fail-closed refusal's retry-after. */
  long retryAfterNanos() {
    return Math.max(nextProbe.get() - ticker.read(), 0);
  }

  /**
   * Runs the script and waits for its reply at most the timeout, uninterruptibly (the wait is
   * bounded, and an interrupt must not leave a booking unknown; the flag is restored).
   *
   * @return the reply, or null if Redis is unavailable: apply the policy
   */
  List<Long> call(String[] keys, String[] args) {
    if (!shouldTry()) {
      return null;
    }
    CompletableFuture<List<Long>> reply = store.run(keys, args);
    roundTrips.increment();
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      for (;;) {
        try {
          List<Long> result = reply.get(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
          up();
          return result;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (TimeoutException e) {
          reply.cancel(false);
          failed("no reply within " + Duration.ofNanos(timeoutNanos));
          return null;
        } catch (ExecutionException e) {
          return failure(RedisStore.unwrap(e));
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Like {@link #call}, without blocking: the stage completes with the reply or null. */
  CompletableFuture<List<Long>> callAsync(String[] keys, String[] args) {
    if (!shouldTry()) {
      return CompletableFuture.completedFuture(null);
    }
    roundTrips.increment();
    return store.run(keys, args)
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .handle(
            (result, failure) -> {
              if (failure == null) {
                up();
                return result;
              }
              Throwable cause = RedisStore.unwrap(failure);
              if (cause instanceof TimeoutException) {
                failed("no reply within " + Duration.ofNanos(timeoutNanos));
                return null;
              }
              return failure(cause);
            });
  }

  private List<Long> failure(Throwable cause) {
    if (cause instanceof RedisCommandExecutionException && !isTransient(cause.getMessage())) {
      throw new IllegalStateException(
          component + ": Redis refused the limiter's script: " + cause.getMessage(), cause);
    }
    failed(cause.toString());
    return null;
  }

  private static boolean isTransient(String message) {
    if (message == null) {
      return false;
    }
    for (String code : new String[] {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY", "NOREPLICAS"}) {
      if (message.startsWith(code)) {
        return true;
      }
    }
    return false;
  }

  private boolean shouldTry() {
    if (!down.get()) {
      return true;
    }
    long now = ticker.read();
    long probe = nextProbe.get();
    return now - probe >= 0 && nextProbe.compareAndSet(probe, now + probeNanos);
  }

  private void failed(String cause) {
    long now = ticker.read();
    nextProbe.set(now + probeNanos);
    if (down.compareAndSet(false, true)) {
      downSince = now;
      if (unavailableEvents.hasListeners()) {
        unavailableEvents.publish(new RedisEvent.Unavailable(component, policy, cause));
      }
    }
  }

  private void up() {
    if (down.get() && down.compareAndSet(true, false)) {
      if (recoveredEvents.hasListeners()) {
        recoveredEvents.publish(
            new RedisEvent.Recovered(component, Duration.ofNanos(Math.max(ticker.read() - downSince, 0))));
      }
    }
  }
}
