package io.throttlenet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.Outcome;
import io.throttlenet.retry.RetryAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class HttpCallClassifierTest {
  private final HttpCallClassifier c = HttpCallClassifier.defaults();

  @Test
  void classify_statuses_followTheTable() {
    assertThat(c.classify(FakeResponse.of(200), null)).isEqualTo(Outcome.SUCCESS);
    assertThat(c.classify(FakeResponse.of(304), null)).isEqualTo(Outcome.SUCCESS);
    assertThat(c.classify(FakeResponse.of(429), null)).isEqualTo(Outcome.DROPPED);
    assertThat(c.classify(FakeResponse.of(503), null)).isEqualTo(Outcome.DROPPED);
    assertThat(c.classify(FakeResponse.of(408), null)).isEqualTo(Outcome.DROPPED);
    assertThat(c.classify(FakeResponse.of(500), null)).isEqualTo(Outcome.FAILURE);
    assertThat(c.classify(FakeResponse.of(404), null)).isEqualTo(Outcome.FAILURE);
    assertThat(c.isRetryable(429)).isTrue();
    assertThat(c.isRetryable(503)).isTrue();
    assertThat(c.isRetryable(500)).isTrue();
    assertThat(c.isRetryable(408)).isTrue();
    assertThat(c.isRetryable(501)).isFalse();
    assertThat(c.isRetryable(505)).isFalse();
    assertThat(c.isRetryable(404)).isFalse();
    assertThat(c.isRetryable(400)).isFalse();
    assertThat(c.isRetryable(200)).isFalse();
  }

  @Test
  void anyStatus_isClassifiedConsistently() {
    qt().forAll(integers().between(100, 599))
        .checkAssert(
            status -> {
              Outcome o = c.outcome(status);
              boolean overload = status == 429 || status == 503 || status == 408;
              assertThat(o)
                  .isEqualTo(
                      overload
                          ? Outcome.DROPPED
                          : status >= 400 ? Outcome.FAILURE : Outcome.SUCCESS);
              boolean retried = c.isRetryable(status);
              assertThat(retried)
                  .isEqualTo(overload || (status >= 500 && status != 501 && status != 505));
              // what is retried always counts against the server, and a 4xx fault of the request
              // never does
              if (retried || status >= 500) {
                assertThat(c.isServerFailure(status)).isTrue();
              }
              if (status < 500 && !overload) {
                assertThat(c.isServerFailure(status)).isFalse();
              }
            });
  }

  @Test
  void failures_areClassifiedAndRetriedPerPolicy() {
    assertThat(c.classify(null, new HttpTimeoutException("slow"))).isEqualTo(Outcome.DROPPED);
    assertThat(c.classify(null, new HttpConnectTimeoutException("slow")))
        .isEqualTo(Outcome.DROPPED);
    assertThat(c.classify(null, new ConnectException("refused"))).isEqualTo(Outcome.FAILURE);
    assertThat(c.classify(null, new InterruptedException())).isEqualTo(Outcome.IGNORED);
    assertThat(c.classify(null, new CompletionException(new HttpTimeoutException("slow"))))
        .isEqualTo(Outcome.DROPPED);
    assertThat(c.isRetryable(new HttpTimeoutException("slow"))).isTrue();
    assertThat(c.isRetryable(new IOException("reset"))).isTrue();
    assertThat(c.isRetryable(new UncheckedIOException(new IOException("reset")))).isTrue();
    assertThat(c.isRetryable(new IllegalStateException("a body handler's bug"))).isFalse();
    assertThat(c.isRetryable(new IOException("boom", new IllegalStateException("boom"))))
        .isFalse(); // send's wrapper
    assertThat(c.isRetryable(new InterruptedException())).isFalse();
    assertThat(
            c.isRetryable(
                new MaxWaitExceededException("l", 1, Duration.ofSeconds(9), Duration.ZERO)))
        .isFalse();
    HttpCallClassifier noIo = HttpCallClassifier.builder().retryIoErrors(false).build();
    assertThat(noIo.isRetryable(new IOException("reset"))).isFalse();
    assertThat(noIo.isRetryable(new HttpStatusException(FakeResponse.of(503), null))).isTrue();
  }

  @Test
  void statusException_isClassifiedByItsResponse() {
    HttpStatusException e = new HttpStatusException(FakeResponse.of(429), Duration.ofSeconds(3));
    assertThat(c.classify(null, e)).isEqualTo(Outcome.DROPPED);
    assertThat(c.retryAfter(null, e)).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.retryAction(e)).isEqualTo(RetryAction.retryAfter(Duration.ofSeconds(3)));
    assertThat(c.retryAction(new HttpStatusException(FakeResponse.of(500), null)))
        .isEqualTo(RetryAction.retry());
    assertThat(c.retryAction(new HttpStatusException(FakeResponse.of(501), null)))
        .isEqualTo(RetryAction.fail());
    assertThat(e.getMessage()).contains("HTTP 429", "GET", "http://127.0.0.1/fake");
  }

  @Test
  void retryAfter_readsEveryHint_largestWins() {
    assertThat(c.retryAfter(FakeResponse.of(429, "Retry-After", "2")))
        .contains(Duration.ofSeconds(2));
    assertThat(c.retryAfter(FakeResponse.of(503, "retry-after-ms", "1500")))
        .contains(Duration.ofMillis(1500));
    assertThat(c.retryAfter(FakeResponse.of(429, "retry-after", "1", "retry-after-ms", "2500")))
        .contains(Duration.ofMillis(2500));
    assertThat(c.retryAfter(FakeResponse.of(200, "retry-after", "5")))
        .isEmpty(); // a success asks nothing
  }

  @Test
  void retryAfter_httpDate_isMeasuredFromTheClock() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    HttpCallClassifier dated = HttpCallClassifier.builder().clock(clock).build();
    assertThat(
            dated.retryAfter(FakeResponse.of(503, "Retry-After", "Thu, 01 Jan 2026 00:00:30 GMT")))
        .contains(Duration.ofSeconds(30));
  }

  @Test
  void retryAfter_429WithoutAHint_isTheResetOfTheUsedUpDimension() {
    assertThat(
            c.retryAfter(
                FakeResponse.of(
                    429,
                    "x-ratelimit-remaining-requests",
                    "3",
                    "x-ratelimit-reset-requests",
                    "1s",
                    "x-ratelimit-remaining-tokens",
                    "0",
                    "x-ratelimit-reset-tokens",
                    "6m0s")))
        .contains(Duration.ofMinutes(6));
    assertThat(c.retryAfter(FakeResponse.of(429, "x-ratelimit-remaining-tokens", "5"))).isEmpty();
  }

  @Test
  void retryAfter_garbage_isIgnored() {
    assertThat(c.retryAfter(FakeResponse.of(429, "Retry-After", "soon", "retry-after-ms", "-5")))
        .isEmpty();
    assertThat(
            c.retryAfter(
                FakeResponse.of(
                    429,
                    "retry-after-ms",
                    "NaN",
                    "x-ratelimit-reset-tokens",
                    "1e9s",
                    "x-ratelimit-remaining-tokens",
                    "0")))
        .isEmpty();
  }

  @Test
  void anyHeaderValue_neverThrows() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 40), integers().between(400, 599))
        .checkAssert(
            (value, status) -> {
              for (String name :
                  new String[] {
                    "retry-after",
                    "retry-after-ms",
                    "x-ratelimit-remaining-tokens",
                    "x-ratelimit-reset-tokens",
                    "ratelimit",
                    "ratelimit-policy"
                  }) {
                FakeResponse r =
                    FakeResponse.of(status, name, value, "x-ratelimit-remaining-requests", "0");
                c.retryAfter(r);
                c.classify(r, null);
              }
            });
  }
}
