package io.throttlenet.http;

import io.throttlenet.adaptive.RateLimitHeaders;
import io.throttlenet.adaptive.RateLimitStatus;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.internal.Args;
import io.throttlenet.retry.RetryAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.IntPredicate;

/**
 * What one HTTP exchange says about the server, and whether it is worth another attempt. A
 * {@link ThrottledHttpClient} asks it about every attempt; use it on its own as the {@link
 * CallClassifier} of a {@code Decorators} chain over an {@code HttpClient}, or to classify a
 * bulkhead's outcomes ({@code ConcurrencyLimit.builder().classify(t -> http.classify(null, t))}).
 *
 * <table>
 *   <caption>The defaults</caption>
 *   <tr><th>exchange</th><th>{@link Outcome}</th><th>retried</th></tr>
 *   <tr><td>1xx, 2xx, 3xx</td><td>SUCCESS</td><td>no</td></tr>
 *   <tr><td>429, 503</td><td>DROPPED (overload)</td><td>yes, after the server's hint</td></tr>
 *   <tr><td>408</td><td>DROPPED (a timeout)</td><td>yes</td></tr>
 *   <tr><td>other 5xx</td><td>FAILURE</td>
 *       <td>yes, except 501 and 505, which no retry cures</td></tr>
 *   <tr><td>other 4xx</td><td>FAILURE (the request's fault)</td><td>no</td></tr>
 *   <tr><td>{@code HttpTimeoutException}</td><td>DROPPED</td><td>yes</td></tr>
 *   <tr><td>other {@link IOException} (refused, reset, closed)</td><td>FAILURE</td>
 *       <td>yes</td></tr>
 *   <tr><td>anything else (a body handler's bug, even wrapped in an {@code IOException} by a
 *       blocking {@code send}; an interrupt; a rejection)</td>
 *       <td>as {@link CallClassifier#defaults()}</td><td>no</td></tr>
 * </table>
 *
 * <p>The server's hint is read with {@link RateLimitHeaders} from a response of status 400 or
 * more: {@code Retry-After} (seconds or an HTTP date), {@code retry-after-ms}, {@code
 * x-ms-retry-after-ms}, Google's {@code RetryInfo} in the body, and so on; for a 429 without any,
 * the latest reset among the dimensions the server reports used up. Unreadable headers give no
 * hint; nothing a server sends makes a classifier throw. A response is a result here, never an
 * exception: {@link HttpStatusException} is classified by its response.
 *
 * <p>Immutable and thread-safe.
 */
public final class HttpCallClassifier implements CallClassifier {
  private static final HttpCallClassifier DEFAULTS = builder().build();

  private final IntPredicate retryStatus;
  private final boolean retryIoErrors;
  private final Clock clock;
  private final RateLimitHeaders.Parser parser;

  private HttpCallClassifier(Builder b) {
    this.retryStatus = b.retryStatus != null ? b.retryStatus : HttpCallClassifier::retriedByDefault;
    this.retryIoErrors = b.retryIoErrors;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.parser = b.parser != null ? b.parser : RateLimitHeaders.defaults();
  }

  /** The classifier the table above describes. */
  public static HttpCallClassifier defaults() {
    return DEFAULTS;
  }

  /** A builder, starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  private static boolean retriedByDefault(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  @Override
  public Outcome classify(Object result, Throwable failure) {
    if (failure != null) {
      Throwable t = unwrap(failure);
      if (t instanceof HttpStatusException h) {
        return outcome(h.statusCode());
      }
      return CallClassifier.defaults().classify(null, t);
    }
    return result instanceof HttpResponse<?> r ? outcome(r.statusCode()) : Outcome.SUCCESS;
  }

  /** The outcome a response of {@code status} stands for. */
  public Outcome outcome(int status) {
    if (status == 429 || status == 503 || status == 408) {
      return Outcome.DROPPED;
    }
    return status >= 400 ? Outcome.FAILURE : Outcome.SUCCESS;
  }

  @Override
  public Duration retryAfter(Object result, Throwable failure) {
    HttpResponse<?> response = null;
    if (failure != null && unwrap(failure) instanceof HttpStatusException h) {
      return h.retryAfter().orElse(null);
    }
    if (result instanceof HttpResponse<?> r) {
      response = r;
    }
    return response == null ? null : retryAfter(response).orElse(null);
  }

  /**
   * How long the server asked callers to wait before trying again, if it said: read only from a
   * response of status 400 or more. Never throws on what the server sent.
   */
  public Optional<Duration> retryAfter(HttpResponse<?> response) {
    Args.requireNonNull(response, "response");
    if (response.statusCode() < 400) {
      return Optional.empty();
    }
    try {
      String body = response.body() instanceof String s ? s : null;
      RateLimitStatus status = parser.parse(response.headers().map(), body, clock.instant());
      if (status.retryAfter().isPresent() || response.statusCode() != 429) {
        return status.retryAfter();
      }
      Duration latest = null;
      for (RateLimitStatus.Dimension d : status.dimensions()) {
        if (d.remaining().isPresent()
            && d.remaining().getAsLong() == 0
            && d.resetAfter().isPresent()) {
          Duration reset = d.resetAfter().get();
          latest = latest == null || reset.compareTo(latest) > 0 ? reset : latest;
        }
      }
      return Optional.ofNullable(latest);
    } catch (RuntimeException unreadable) {
      return Optional.empty(); // a parser of the user's that throws: no hint
    }
  }

  /** Whether a response of {@code status} is worth another attempt. */
  public boolean isRetryable(int status) {
    return retryStatus.test(status);
  }

  /**
   * Whether an attempt that failed with {@code failure} is worth another: an {@link
   * HttpStatusException} if its status is, an I/O error or timeout if I/O errors are retried;
   * nothing else (a body handler's own exception, also when the JDK's blocking {@code send}
   * wraps it in an {@link IOException}; an interrupt; a throttle-net rejection).
   */
  public boolean isRetryable(Throwable failure) {
    Throwable t = unwrap(Args.requireNonNull(failure, "failure"));
    if (t instanceof HttpStatusException h) {
      return isRetryable(h.statusCode());
    }
    if (t instanceof IOException
        && (t.getCause() instanceof RuntimeException || t.getCause() instanceof Error)) {
      return false; // what the JDK's blocking send makes of a body handler's own exception
    }
    return t instanceof IOException && retryIoErrors;
  }

  /** What a retry should do about {@code failure}: wait the server's hint, the backoff, or stop. */
  RetryAction retryAction(Throwable failure) {
    if (!isRetryable(failure)) {
      return RetryAction.fail();
    }
    if (unwrap(failure) instanceof HttpStatusException h && h.retryAfter().isPresent()) {
      return RetryAction.retryAfter(h.retryAfter().get());
    }
    return RetryAction.retry();
  }

  /**
   * Whether a response of {@code status} is evidence against the server's health, which a
   * breaker counts and a bulkhead reports: a status that is retried, or any 5xx. A 4xx that is
   * the request's own fault (a 404, a 422) is not.
   */
  boolean isServerFailure(int status) {
    return status >= 500 || isRetryable(status);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof UncheckedIOException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "HttpCallClassifier[retryIoErrors=" + retryIoErrors + "]";
  }

  /**
   * Builds an {@link HttpCallClassifier}; every option has the default of the table above and
   * may be set once. Not thread-safe; the classifier is.
   */
  public static final class Builder {
    private IntPredicate retryStatus;
    private boolean retryIoErrors = true;
    private boolean retryIoErrorsSet;
    private Clock clock;
    private RateLimitHeaders.Parser parser;

    private Builder() {}

    /**
     * Which response statuses are retried; by default 408, 429 and 5xx other than 501 and 505.
     * A retried status also counts against the server's health.
     */
    public Builder retryStatuses(IntPredicate retried) {
      Args.requireUnset(this.retryStatus != null, "retryStatuses");
      this.retryStatus = Args.requireNonNull(retried, "retried");
      return this;
    }

    /**
     * Whether an I/O error or a timeout (the connection refused, reset or closed before the
     * response, no response in time) is retried; default true. Turn it off for requests a server
     * must never see twice and that carry no idempotency key.
     */
    public Builder retryIoErrors(boolean retry) {
      Args.requireUnset(retryIoErrorsSet, "retryIoErrors");
      this.retryIoErrors = retry;
      this.retryIoErrorsSet = true;
      return this;
    }

    /** The wall clock that HTTP-date hints are measured from; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      Args.requireUnset(this.clock != null, "clock");
      this.clock = Args.requireNonNull(clock, "clock");
      return this;
    }

    /** Reads hints with {@code parser}; default {@link RateLimitHeaders#defaults()}. */
    public Builder parser(RateLimitHeaders.Parser parser) {
      Args.requireUnset(this.parser != null, "parser");
      this.parser = Args.requireNonNull(parser, "parser");
      return this;
    }

    /** The classifier. */
    public HttpCallClassifier build() {
      return new HttpCallClassifier(this);
    }
  }
}
