package io.throttlenet.queue;

import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;

/**
 * What an {@link AdmissionQueue} waits on. A rate limiter can predict when it will afford a cost,
 * so the queue sets a timer for that moment; a concurrency limit cannot (a slot frees when some
 * call ends), so it tells the queue when a slot is given back instead. Each gate is called with
 * the queue's lock held, except {@link #giveBack} and {@link #classify}.
 */
abstract class Gate {
  /** {@link #waitNanos} result: no prediction is possible, the gate calls back when freed. */
  static final long UNTIL_FREED = -1;

  abstract String name();

  abstract Ticker ticker();

  /** The largest cost one waiter may ask for. */
  abstract long capacity();

  /** 0 if {@code cost} can be taken now, a predicted wait, or {@link #UNTIL_FREED}. */
  abstract long waitNanos(long cost, long now);

  /** Takes {@code cost} now; null if it cannot. Publishes no rejection for a failed probe. */
  abstract Permit take(long cost, long now);

  /**
   * True if a grant is spent (a rate limiter's cost), false if it is borrowed (a slot, which its
   * limit hands on by itself when given back).
   */
  abstract boolean spends();

  /** Gives back a grant that nobody will use. */
  abstract void giveBack(Permit permit, long cost, long now);

  /** The outcome a decorated call's failure stands for. */
  abstract Outcome classify(Throwable failure);

  /** Lets {@code queue} pump when capacity frees up by itself (not by the passing of time). */
  abstract void onFreed(Runnable pump);

  static Gate of(RateLimiter limiter) {
    return new Gate() {
      @Override
      String name() {
        return limiter.name();
      }

      @Override
      Ticker ticker() {
        return limiter.ticker();
      }

      @Override
      long capacity() {
        return limiter.capacity();
      }

      @Override
      long waitNanos(long cost, long now) {
        long wait = limiter.waitNanos(cost, now);
        return wait == RateLimiter.NEVER ? Long.MAX_VALUE : wait;
      }

      @Override
      Permit take(long cost, long now) {
        // peek first: a refused reserve would publish a rejection event for a mere probe
        return limiter.waitNanos(cost, now) == 0 && limiter.reserve(cost, now, 0) >= 0 ? Permit.SPENT : null;
      }

      @Override
      boolean spends() {
        return true;
      }

      @Override
      void giveBack(Permit permit, long cost, long now) {
        limiter.cancel(cost, now, 0);
      }

      @Override
      Outcome classify(Throwable failure) {
        return Outcome.IGNORED; // a spent cost is not given back, so nobody reads it
      }

      @Override
      void onFreed(Runnable pump) {
        // a rate limiter frees capacity only as time passes: the queue's timer covers it
      }
    };
  }

  static Gate of(ConcurrencyLimit limit) {
    return new Gate() {
      @Override
      String name() {
        return limit.name();
      }

      @Override
      Ticker ticker() {
        return limit.ticker();
      }

      @Override
      long capacity() {
        return Long.MAX_VALUE; // every waiter takes one slot; its cost only weighs its turn
      }

      @Override
      long waitNanos(long cost, long now) {
        return limit.hasFreeSlot() ? 0 : UNTIL_FREED;
      }

      @Override
      Permit take(long cost, long now) {
        return limit.tryTake();
      }

      @Override
      boolean spends() {
        return false;
      }

      @Override
      void giveBack(Permit permit, long cost, long now) {
        permit.ignore();
      }

      @Override
      Outcome classify(Throwable failure) {
        return limit.classify(failure);
      }

      @Override
      void onFreed(Runnable pump) {
        limit.onFreed(pump);
      }
    };
  }
}
