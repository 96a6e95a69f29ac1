package io.throttlenet.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A response that stands for a failure: the server answered, with a status the {@link
 * HttpCallClassifier} does not count as a success. A {@link ThrottledHttpClient} uses it inside
 * its chain, so that its retry, breaker and bulkhead see a 429, a 503 or a 500 as what it is, and
 * hands the caller the response itself unless {@linkplain
 * ThrottledHttpClient.Builder#errorsAsExceptions asked for exceptions}; then the caller gets
 * this, with the last response and the server's hint.
 *
 * <p>It is an {@link IOException}, as every failure {@link java.net.http.HttpClient#send} reports.
 * Immutable once thrown; the response it carries is whatever the body handler made of it.
 */
public final class HttpStatusException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponse<?> response;
  private final transient Duration retryAfter;

  /**
   * A failure for {@code response}; {@code retryAfter} is the server's hint, or null if it gave
   * none.
   *
   * @throws NullPointerException if {@code response} is null
   */
  public HttpStatusException(HttpResponse<?> response, Duration retryAfter) {
    super(message(response));
    this.response = response;
    this.retryAfter = retryAfter;
  }

  private static String message(HttpResponse<?> response) {
    if (response == null) {
      throw new NullPointerException("response must not be null");
    }
    return "HTTP "
        + response.statusCode()
        + " from "
        + response.request().method()
        + " "
        + response.request().uri();
  }

  /** The response, as the body handler made it. */
  public HttpResponse<?> response() {
    return response;
  }

  /** The response's status code. */
  public int statusCode() {
    return response.statusCode();
  }

  /** How long the server asked callers to wait, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
