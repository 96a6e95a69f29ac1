package io.throttlenet.examples;

import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Jitter;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryAction;
import io.throttlenet.retry.RetryAfter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Retry a flaky call with exponential backoff and decorrelated jitter, honouring a server's
 * {@code Retry-After}. The "server" is a stand-in that fails twice (once with a 429 and a hint of
 * one second), then answers.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.RetryBackoff}
 */
public final class RetryBackoff {
  private RetryBackoff() {}

  /** A rejection carrying the server's Retry-After header, as an HTTP client would report it. */
  static final class TooManyRequests extends IOException {
    private static final long serialVersionUID = 1L;
    final String retryAfter;

    TooManyRequests(String retryAfter) {
      super("429 Too Many Requests");
      this.retryAfter = retryAfter;
    }
  }

  public static void main(String[] args) throws Exception {
    Retry retry =
        Retry.builder()
            .name("flaky-retry")
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), 2)
                    .withMax(Duration.ofSeconds(5))
                    .withJitter(Jitter.DECORRELATED))
            .maxAttempts(5)
            .build();
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    String body =
        retry.run(
            () -> {
              int n = calls.incrementAndGet();
              System.out.printf("attempt %d at %4d ms%n", n, (System.nanoTime() - start) / 1_000_000);
              if (n == 1) {
                throw new IOException("connection reset");
              }
              if (n == 2) {
                throw new TooManyRequests("1");
              }
              return "{\"ok\":true}";
            },
            e ->
                e instanceof TooManyRequests t
                    ? RetryAfter.parse(t.retryAfter, Instant.now())
                        .map(RetryAction::retryAfter)
                        .orElse(RetryAction.retry())
                    : RetryAction.retry());
    System.out.printf("got %s after %d calls%n", body, calls.get());
  }
}
