package io.throttlenet.retry;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The options of a {@link Retry}, as a value: what a {@link RetryRegistry} keeps under a
 * configuration name, what {@link Retry#config()} reads back, and what {@link Retry.Builder#from}
 * starts a builder from. An empty option takes the builder's default (3 attempts, {@link
 * Backoff#ofDefaults()}, no deadline, hints capped at 5 minutes, {@link
 * Retry#defaultClassifier()}, nothing ignored, no budget).
 *
 * <p>A plain value that checks only for null; a retry built from it is checked by the builder,
 * with the builder's messages. Immutable and thread-safe (as long as the functions and the budget
 * it holds are).
 *
 * @param backoff the delays between attempts
 * @param maxAttempts the most calls a run makes
 * @param maxDuration a deadline for a whole run
 * @param maxRetryAfter the longest server hint honoured
 * @param classifier decides about each failure
 * @param resultClassifier decides about each result
 * @param ignoreExceptions failures never retried
 * @param budget retries shared with other retries
 */
public record RetryConfig(
    Optional<Backoff> backoff,
    OptionalInt maxAttempts,
    Optional<Duration> maxDuration,
    Optional<Duration> maxRetryAfter,
    Optional<Function<? super Exception, RetryAction>> classifier,
    Optional<Function<Object, RetryAction>> resultClassifier,
    Optional<List<Class<? extends Throwable>>> ignoreExceptions,
    Optional<RetryBudget> budget) {

  /** No option set: the builder's defaults, and the default configuration of a {@link RetryRegistry}. */
  public static final RetryConfig DEFAULTS = Retry.builder().config();

  /**
   * @throws NullPointerException if an argument is null
   */
  public RetryConfig {
    Args.requireNonNull(backoff, "backoff");
    Args.requireNonNull(maxAttempts, "maxAttempts");
    Args.requireNonNull(maxDuration, "maxDuration");
    Args.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Args.requireNonNull(classifier, "classifier");
    Args.requireNonNull(resultClassifier, "resultClassifier");
    Args.requireNonNull(ignoreExceptions, "ignoreExceptions");
    Args.requireNonNull(budget, "budget");
  }
}
