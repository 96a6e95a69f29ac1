package io.throttlenet.adaptive;

import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Client-side adaptive throttling, from Google's SRE book ("Handling Overload"): over a sliding
 * window (default 2 minutes) the client counts its {@code requests} and the ones the downstream
 * {@code accepts}, and rejects a new call locally with probability {@code max(0, (requests − K ×
 * accepts) / (requests + 1))} (default {@code K = 2}). While the downstream accepts everything
 * nothing is rejected; once it refuses more than {@code 1 − 1/K} of the calls, the client sheds the
 * excess itself, at no cost to the downstream, and still lets enough through to see it recover.
 *
 * <p>A call counts as a request whether or not it was rejected locally (that is what makes the
 * probability fall again as accepts come back); it counts as accepted unless it ended {@link
 * Outcome#DROPPED} (a 429 or 503, a timeout). As a {@link Decorator} it classifies a call's
 * exception with the {@link CallClassifier} given (default {@link CallClassifier#defaults()});
 * {@link #follow} counts outcomes from a chain's {@link CallEvent}s instead, for results that
 * carry the refusal (an HTTP 503 response).
 *
 * <p>Thread-safe. The window is a ring of one-second buckets behind a short lock.
 */
public final class ClientSideThrottle implements Decorator<Object> {
  private final String name;
  private final Ticker ticker;
  private final double k;
  private final long bucketNanos;
  private final CallClassifier classifier;
  private final DoubleSupplier random;
  private final long[] requests;
  private final long[] accepts;
  private final long[] epochs;
  private final Object lock = new Object();

  private ClientSideThrottle(Builder b, String name, Ticker ticker) {
    this.name = name;
    this.ticker = ticker;
    this.k = b.k;
    int buckets = (int) Math.max(1, Math.min(3_600, b.window.toSeconds()));
    this.bucketNanos = b.window.toNanos() / buckets;
    this.requests = new long[buckets];
    this.accepts = new long[buckets];
    this.epochs = new long[buckets];
    java.util.Arrays.fill(epochs, Long.MIN_VALUE);
    this.classifier = b.classifier == null ? CallClassifier.defaults() : b.classifier;
    this.random = b.random == null ? () -> ThreadLocalRandom.current().nextDouble() : b.random;
  }

  /** A throttle with the defaults: K = 2 over 2 minutes. */
  public static ClientSideThrottle create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** This throttle's name, in its exceptions. */
  public String name() {
    return name;
  }

  /** The probability with which a call would be rejected now. */
  public double rejectionProbability() {
    long now = ticker.read();
    synchronized (lock) {
      return probability(now);
    }
  }

  /**
   * Counts a request and decides whether it may go to the downstream.
   *
   * @return false if it is rejected locally
   */
  public boolean tryAcquire() {
    long now = ticker.read();
    double p;
    synchronized (lock) {
      p = probability(now);
      requests[slot(now)]++;
    }
    return p <= 0 || random.getAsDouble() >= p;
  }

  /** Counts how an admitted call ended: accepted unless {@link Outcome#DROPPED}. */
  public void onOutcome(Outcome outcome) {
    Args.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.DROPPED) {
      return;
    }
    long now = ticker.read();
    synchronized (lock) {
      accepts[slot(now)]++;
    }
  }

  /**
   * Counts the outcomes of the {@link CallEvent}s {@code component} publishes in {@code events};
   * use it with {@link #tryAcquire} (or this decorator with a classifier that counts nothing, via
   * {@link #gate()}) when the refusal is a result rather than an exception.
   */
  public Subscription follow(EventRegistry events, String component) {
    Args.requireNonNull(events, "events");
    Args.requireNonNull(component, "component");
    return events.subscribe(CallEvent.Finished.class, component, e -> onOutcome(e.outcome()));
  }

  /** A decorator that only admits or rejects calls, counting no outcome (see {@link #follow}). */
  public Decorator<Object> gate() {
    ClientSideThrottle self = this;
    return new Decorator<>() {
      @Override
      public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          self.admit();
          return call.get();
        };
      }

      @Override
      public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
        Args.requireNonNull(call, "call");
        return () -> {
          if (!tryAcquire()) {
            return CompletableFuture.failedFuture(new ClientThrottledException(name, rejectionProbability()));
          }
          return call.get();
        };
      }
    };
  }

  @Override
  public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      admit();
      R result;
      try {
        result = call.get();
      } catch (Exception | Error e) {
        onOutcome(classify(null, e));
        throw e;
      }
      onOutcome(classify(result, null));
      return result;
    };
  }

  @Override
  public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      if (!tryAcquire()) {
        return CompletableFuture.failedFuture(new ClientThrottledException(name, rejectionProbability()));
      }
      return Stages.observe(
          call.get(),
          (result, failure) ->
              onOutcome(classify(result, failure == null ? null : Stages.unwrap(failure))));
    };
  }

  private void admit() {
    if (!tryAcquire()) {
      throw new ClientThrottledException(name, rejectionProbability());
    }
  }

  private Outcome classify(Object result, Throwable failure) {
    try {
      return classifier.classify(result, failure);
    } catch (RuntimeException e) {
      return Outcome.IGNORED;
    }
  }

  // ---- the window; with the lock held ----

  private int slot(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    int i = (int) Math.floorMod(epoch, (long) requests.length);
    if (epochs[i] != epoch) {
      epochs[i] = epoch;
      requests[i] = 0;
      accepts[i] = 0;
    }
    return i;
  }

  private double probability(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    long req = 0;
    long acc = 0;
    for (int i = 0; i < requests.length; i++) {
      if (epochs[i] != Long.MIN_VALUE && epoch - epochs[i] < requests.length && epoch - epochs[i] >= 0) {
        req += requests[i];
        acc += accepts[i];
      }
    }
    return Math.max(0, (req - k * acc) / (req + 1));
  }

  @Override
  public String toString() {
    return "ClientSideThrottle[" + name + ", K " + k + "]";
  }

  /**
   * Builds a {@link ClientSideThrottle}. The shared options ({@link ComponentBuilder}) default to
   * a unique name such as {@code "client-side-throttle-1"} and the system ticker. Not thread-safe.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private double k = 2;
    private Duration window = Duration.ofMinutes(2);
    private CallClassifier classifier;
    private DoubleSupplier random;

    private Builder() {}

    /**
     * The multiplier of accepts; default 2. Lower rejects sooner (1.1 sheds almost all the excess,
     * at the cost of rejecting calls the downstream could have taken).
     *
     * @throws IllegalArgumentException unless {@code k >= 1}, finite
     */
    public Builder k(double k) {
      if (!(k >= 1 && k < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("k must be finite and >= 1, was " + k);
      }
      this.k = k;
      return this;
    }

    /**
     * The sliding window over which requests and accepts count; default 2 minutes, in one-second
     * buckets (at most 3,600; shorter windows get one bucket per second, at least one).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder window(Duration window) {
      Args.requirePositiveNanos(window, "window");
      this.window = window;
      return this;
    }

    /** How a call's result or exception is classified; default {@link CallClassifier#defaults()}. */
    public Builder classifier(CallClassifier classifier) {
      this.classifier = Args.requireNonNull(classifier, "classifier");
      return this;
    }

    /** The source of uniform random numbers in [0, 1), for deterministic tests. */
    public Builder random(DoubleSupplier random) {
      this.random = Args.requireNonNull(random, "random");
      return this;
    }

    /** Builds the throttle. */
    public ClientSideThrottle build() {
      return new ClientSideThrottle(this, nameOr("client-side-throttle"), tickerOr(Ticker.system()));
    }
  }
}
