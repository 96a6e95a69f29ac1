package io.throttlenet.queue;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The options of an {@link AdmissionQueue}, as a value: what an {@link AdmissionQueueRegistry}
 * keeps under a configuration name, what {@link AdmissionQueue#config()} reads back, and what
 * {@link AdmissionQueue.Builder#from} starts a builder from. An empty option takes the builder's
 * default (capacity 1024, no bound on queued cost, {@link Overflow#REJECT}, quantum 1, strict
 * priority).
 *
 * <p>The limiter a queue waits on is an object given to {@link AdmissionQueue#builder}, not an
 * option; {@link #limiter} only names it, by the kind and name it has in a registry, so that an
 * {@link AdmissionQueueRegistry} can find it. A queue built with a limiter directly reads back an
 * empty one.
 *
 * <p>A plain value that checks only for null; a queue built from it is checked by the builder,
 * with the builder's messages. Immutable and thread-safe.
 *
 * @param capacity the most waiters
 * @param maxQueuedCost the most total cost queued
 * @param overflow what to do with a newcomer when the queue is full
 * @param quantum the credit a key earns per turn
 * @param ageing the wait that raises a waiter's priority by one (empty: strict priority)
 * @param limiter the limiter the queue fronts, by kind and name in a registry
 */
public record AdmissionQueueConfig(
    OptionalInt capacity,
    OptionalLong maxQueuedCost,
    Optional<Overflow> overflow,
    OptionalLong quantum,
    Optional<Duration> ageing,
    Optional<LimiterRef> limiter) {

  /** No option set: the default configuration of an {@link AdmissionQueueRegistry}. */
  public static final AdmissionQueueConfig NONE =
      new AdmissionQueueConfig(
          OptionalInt.empty(),
          OptionalLong.empty(),
          Optional.empty(),
          OptionalLong.empty(),
          Optional.empty(),
          Optional.empty());

  /**
   * @throws NullPointerException if an argument is null
   */
  public AdmissionQueueConfig {
    Args.requireNonNull(capacity, "capacity");
    Args.requireNonNull(maxQueuedCost, "maxQueuedCost");
    Args.requireNonNull(overflow, "overflow");
    Args.requireNonNull(quantum, "quantum");
    Args.requireNonNull(ageing, "ageing");
    Args.requireNonNull(limiter, "limiter");
  }

  /**
   * A limiter named by its kind in properties ({@code throttle}, {@code bulkhead}) and its name in
   * that kind's registry. Immutable and thread-safe.
   *
   * @param kind the registry's kind
   * @param name the limiter's name in it
   */
  public record LimiterRef(String kind, String name) {
    /**
     * @throws NullPointerException if an argument is null
     */
    public LimiterRef {
      Args.requireNonNull(kind, "kind");
      Args.requireNonNull(name, "name");
    }

    /** {@code kind:name}. */
    @Override
    public String toString() {
      return kind + ":" + name;
    }
  }
}
