package io.throttlenet.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One lease refill in flight at a time, for a leasing limiter: the caller that claims it asks
 * Redis for a batch, and callers that miss the local pool meanwhile wait for that one reply (a
 * round trip at most) instead of each asking Redis. So the pool never holds more than one batch,
 * and at high concurrency most callers are served by the refill of another. Thread-safe.
 */
final class LeaseRefill {
  private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();

  /** The refill in flight, or null. */
  CompletableFuture<Void> current() {
    return inFlight.get();
  }

  /** Makes the caller the one that refills, or returns null if another caller is refilling. */
  CompletableFuture<Void> claim() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    return inFlight.compareAndSet(null, mine) ? mine : null;
  }

  /** Ends the claimed refill (after the pool is filled) and releases those waiting for it. */
  void done(CompletableFuture<Void> mine) {
    if (mine != null) {
      inFlight.set(null);
      mine.complete(null);
    }
  }

  /** Waits for another caller's refill; bounded by its call's timeout, so uninterruptibly. */
  static void await(CompletableFuture<Void> refill) {
    boolean interrupted = false;
    for (;;) {
      try {
        refill.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break; // never completed exceptionally; nothing to wait for
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
