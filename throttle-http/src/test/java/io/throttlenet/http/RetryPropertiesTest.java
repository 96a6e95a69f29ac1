package io.throttlenet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Whatever a server answers, the client makes exactly the attempts the classifier and the retry
 * allow, returns the response it should, and charges every attempt one permit: properties over
 * scripted status sequences against a real loopback server. The retry waits 1 ms between
 * attempts on the system clock (time is not under test here); the limiter's ticker never moves,
 * so its permits count the attempts exactly.
 */
class RetryPropertiesTest {
  private static final int MAX_ATTEMPTS = 3;
  private static final int[] STATUSES = {
    200, 201, 304, 400, 404, 408, 422, 429, 500, 501, 502, 503
  };

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ScriptedServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Gen<List<Integer>> scripts() {
    Gen<Integer> status = integers().between(0, STATUSES.length - 1).map(i -> STATUSES[i]);
    return lists().of(status).ofSizeBetween(0, 5);
  }

  /** What the client should do: the status it returns and how many attempts it makes. */
  private static int[] expected(List<Integer> script) {
    HttpCallClassifier c = HttpCallClassifier.defaults();
    for (int attempt = 1; ; attempt++) {
      int status = attempt <= script.size() ? script.get(attempt - 1) : 200;
      if (!c.isRetryable(status) || attempt == MAX_ATTEMPTS) {
        return new int[] {status, attempt};
      }
    }
  }

  @Test
  void anyAnswers_makeExactlyTheAllowedAttempts_eachChargedOnce() {
    ManualTicker frozen = ManualTicker.create();
    Throttle limiter =
        Throttle.builder().rate(1_000_000, Duration.ofSeconds(1)).ticker(frozen).build();
    ThrottledHttpClient client =
        ThrottledHttpClient.builder(http)
            .limiter(limiter)
            .retry(
                Retry.builder()
                    .maxAttempts(MAX_ATTEMPTS)
                    .backoff(Backoff.constant(Duration.ofMillis(1)))
                    .build())
            .build();
    qt().withExamples(60)
        .forAll(scripts())
        .checkAssert(
            script -> {
              server.reset();
              for (int s : script) {
                server.then(ScriptedServer.status(s));
              }
              long before = limiter.availablePermits();
              HttpResponse<String> response;
              try {
                response =
                    client.send(
                        HttpRequest.newBuilder(server.uri()).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              int[] want = expected(script);
              assertThat(response.statusCode()).as("status for %s", script).isEqualTo(want[0]);
              assertThat(server.requests()).as("attempts for %s", script).isEqualTo(want[1]);
              assertThat(before - limiter.availablePermits())
                  .as("permits for %s", script)
                  .isEqualTo(want[1]);
            });
  }

  @Test
  void anyAnswers_asExceptions_throwExactlyTheFinalErrorStatus() {
    ThrottledHttpClient client =
        ThrottledHttpClient.builder(http)
            .retry(
                Retry.builder()
                    .maxAttempts(MAX_ATTEMPTS)
                    .backoff(Backoff.constant(Duration.ofMillis(1)))
                    .build())
            .errorsAsExceptions()
            .build();
    qt().withExamples(40)
        .forAll(scripts())
        .checkAssert(
            script -> {
              server.reset();
              for (int s : script) {
                server.then(ScriptedServer.status(s));
              }
              int[] want = expected(script);
              int got;
              try {
                got =
                    client
                        .sendAsync(
                            HttpRequest.newBuilder(server.uri()).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                        .handle(
                            (r, t) ->
                                t == null
                                    ? r.statusCode()
                                    : -((HttpStatusException) t).statusCode())
                        .get();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              assertThat(got)
                  .as("outcome for %s", script)
                  .isEqualTo(want[0] >= 400 ? -want[0] : want[0]);
              assertThat(server.requests()).as("attempts for %s", script).isEqualTo(want[1]);
            });
  }
}
