package io.throttlenet.core;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Decides what one finished call says about the downstream: its {@link Outcome} and, if the
 * downstream asked callers to wait (a {@code Retry-After}), for how long. A decorated chain asks
 * its classifier once per attempt and publishes the answer as a {@link CallEvent.Finished}; the
 * HTTP module supplies one that reads status codes and headers.
 *
 * <p>Implementations must be thread-safe, quick, and should not throw; a classifier that throws
 * makes the attempt count as {@link Outcome#IGNORED}, and the call itself is never affected.
 */
@FunctionalInterface
public interface CallClassifier {

  /**
   * The outcome of an attempt that returned {@code result} (then {@code failure} is null) or threw
   * {@code failure}.
   */
  Outcome classify(Object result, Throwable failure);

  /** How long the downstream asked callers to wait, or null if it did not say; by default null. */
  default Duration retryAfter(Object result, Throwable failure) {
    return null;
  }

  /**
   * The default, looking through {@code CompletionException}, {@code ExecutionException} and
   * {@code UncheckedIOException}: a result is a {@link Outcome#SUCCESS}; a timeout ({@link TimeoutException},
   * {@link SocketTimeoutException}, {@link CallTimeoutException}, {@code
   * java.net.http.HttpTimeoutException}) is {@link
   * Outcome#DROPPED}; an interrupt, a cancellation or a throttle-net rejection is {@link
   * Outcome#IGNORED}; any other exception is a {@link Outcome#FAILURE}.
   */
  static CallClassifier defaults() {
    return CallClassifier::byDefault;
  }

  private static Outcome byDefault(Object result, Throwable failure) {
    if (failure == null) {
      return Outcome.SUCCESS;
    }
    // look through the wrappers a synchronous caller of asynchronous or I/O code meets
    while ((failure instanceof java.util.concurrent.CompletionException
            || failure instanceof java.util.concurrent.ExecutionException
            || failure instanceof java.io.UncheckedIOException)
        && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof InterruptedException
        || failure instanceof CancellationException
        || failure instanceof RejectedException) {
      return Outcome.IGNORED;
    }
    if (failure instanceof TimeoutException
        || failure instanceof SocketTimeoutException
        || failure instanceof CallTimeoutException) {
      return Outcome.DROPPED;
    }
    // java.net.http is not a module core reads: match the HTTP client's timeout by name
    for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("java.net.http.HttpTimeoutException")) {
        return Outcome.DROPPED;
      }
    }
    return Outcome.FAILURE;
  }
}
