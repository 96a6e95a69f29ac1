package io.throttlenet.breaker;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * The options of a {@link CircuitBreaker}, as a value: what a {@link CircuitBreakerRegistry} keeps
 * under a configuration name, what {@link CircuitBreaker#config()} reads back, and what {@link
 * CircuitBreaker.Builder#from} starts a builder from. An empty option takes the builder's default
 * ({@code Trip.consecutive(5)}, a fixed 60 s cooldown, one probe, one success to close, 60 s probe
 * timeout, hints capped at 5 minutes, every exception a failure, no result a failure, nothing
 * ignored, rejections not recorded). The cooldown multiplier and its maximum go together.
 *
 * <p>A plain value that checks only for null; a breaker built from it is checked by the builder,
 * with the builder's messages. Immutable and thread-safe (as long as the predicates it holds are).
 *
 * @param trips the conditions that open the breaker
 * @param cooldown how long it stays open
 * @param cooldownMultiplier growth of the cooldown after a failed probe
 * @param maxCooldown the cooldown's cap when it grows
 * @param halfOpenProbes probe calls in flight while half-open
 * @param successesToClose probe successes that close it
 * @param probeTimeout how long probes may go unreported
 * @param maxRetryAfter the longest server hint honoured
 * @param recordFailure which exceptions are failures
 * @param recordResult which results are failures
 * @param ignoreExceptions exceptions counted neither way
 * @param recordRejections whether refusals inside the breaker count as failures
 */
public record CircuitBreakerConfig(
    Optional<List<Trip>> trips,
    Optional<Duration> cooldown,
    OptionalDouble cooldownMultiplier,
    Optional<Duration> maxCooldown,
    OptionalInt halfOpenProbes,
    OptionalInt successesToClose,
    Optional<Duration> probeTimeout,
    Optional<Duration> maxRetryAfter,
    Optional<Predicate<Throwable>> recordFailure,
    Optional<Predicate<Object>> recordResult,
    Optional<List<Class<? extends Throwable>>> ignoreExceptions,
    Optional<Boolean> recordRejections) {

  /** No option set: the builder's defaults, the default configuration of a {@link CircuitBreakerRegistry}. */
  public static final CircuitBreakerConfig DEFAULTS = CircuitBreaker.builder().config();

  /**
   * @throws NullPointerException if an argument is null
   */
  public CircuitBreakerConfig {
    Args.requireNonNull(trips, "trips");
    Args.requireNonNull(cooldown, "cooldown");
    Args.requireNonNull(cooldownMultiplier, "cooldownMultiplier");
    Args.requireNonNull(maxCooldown, "maxCooldown");
    Args.requireNonNull(halfOpenProbes, "halfOpenProbes");
    Args.requireNonNull(successesToClose, "successesToClose");
    Args.requireNonNull(probeTimeout, "probeTimeout");
    Args.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Args.requireNonNull(recordFailure, "recordFailure");
    Args.requireNonNull(recordResult, "recordResult");
    Args.requireNonNull(ignoreExceptions, "ignoreExceptions");
    Args.requireNonNull(recordRejections, "recordRejections");
  }
}
