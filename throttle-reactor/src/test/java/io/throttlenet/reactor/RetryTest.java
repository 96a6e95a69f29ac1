package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryAction;
import io.throttlenet.retry.RetryBudget;
import io.throttlenet.retry.RetryBudgetExhaustedException;
import io.throttlenet.retry.RetryDeadlineExceededException;
import io.throttlenet.retry.RetryEvent;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The library's retry policy, re-subscribing to the source, its delays scheduled, never slept. */
class RetryTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final Sources sources = new Sources();
  private static final RuntimeException FLAKY = new UncheckedIOException(new java.io.IOException("flaky"));

  private Retry.Builder retry() {
    return Retry.builder().backoff(Backoff.constant(Duration.ofSeconds(1))).ticker(ticker).events(events);
  }

  @Test
  void resubscribesAfterTheBackoff_andSucceeds() {
    List<RetryEvent> seen = new ArrayList<>();
    events.subscribe(RetryEvent.class, seen::add);
    Mono<String> guarded = sources.failing(2, FLAKY, "ok").transformDeferred(ReactorThrottling.retry(retry().maxAttempts(3).build()));

    StepVerifier.create(guarded)
        .expectSubscription()
        .then(() -> assertThat(sources.subscriptions).hasValue(1))
        .then(() -> ticker.advance(Duration.ofMillis(999)))
        .then(() -> assertThat(sources.subscriptions).hasValue(1))
        .then(() -> ticker.advance(Duration.ofMillis(1)))
        .then(() -> assertThat(sources.subscriptions).hasValue(2))
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("ok")
        .verifyComplete();
    assertThat(seen).hasAtLeastOneElementOfType(RetryEvent.SucceededAfterRetries.class);
    assertThat(seen.stream().filter(e -> e instanceof RetryEvent.Attempt)).hasSize(2);
  }

  @Test
  void whenAttemptsRunOut_theLastFailureArrives_withTheEarlierOnesSuppressed() {
    RuntimeException second = new IllegalStateException("second");
    Mono<String> guarded = Mono.defer(() -> Mono.<String>error(sources.subscriptions.incrementAndGet() == 1 ? FLAKY : second))
        .transformDeferred(ReactorThrottling.retry(retry().maxAttempts(2).build()));
    StepVerifier.create(guarded)
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(second).hasSuppressedException(FLAKY))
        .verify();
  }

  @Test
  void honoursTheServersRetryAfterHint() {
    Retry retry = retry().classifier(e -> RetryAction.retryAfter(Duration.ofSeconds(30))).build();
    Mono<String> guarded = sources.failing(1, FLAKY, "ok").transformDeferred(ReactorThrottling.retry(retry));
    StepVerifier.create(guarded)
        .expectSubscription()
        .then(() -> ticker.advance(Duration.ofSeconds(29)))
        .then(() -> assertThat(sources.subscriptions).hasValue(1))
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("ok")
        .verifyComplete();
  }

  @Test
  void retriesAResultTheRetryRejects() {
    Retry retry = retry().retryOnResult(r -> "busy".equals(r)).build();
    Mono<String> guarded = Mono.defer(() -> Mono.just(sources.subscriptions.incrementAndGet() == 1 ? "busy" : "done"))
        .transformDeferred(ReactorThrottling.retry(retry));
    StepVerifier.create(guarded)
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("done") // the rejected value never reached the subscriber
        .verifyComplete();
  }

  @Test
  void aBudgetStopsRetrying() {
    RetryBudget budget = RetryBudget.builder().ratio(0.0).minPerSecond(0.0).ticker(ticker).build();
    Mono<String> guarded = sources.failing(5, FLAKY, "ok").transformDeferred(ReactorThrottling.retry(retry().budget(budget).build()));
    StepVerifier.create(guarded)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RetryBudgetExhaustedException.class).hasCause(FLAKY))
        .verify();
    assertThat(sources.subscriptions).hasValue(1);
  }

  @Test
  void aDeadlineStopsRetrying() {
    Mono<String> guarded = sources.failing(5, FLAKY, "ok")
        .transformDeferred(ReactorThrottling.retry(retry().maxAttempts(10).maxDuration(Duration.ofMillis(2_500)).build()));
    StepVerifier.create(guarded)
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectError(RetryDeadlineExceededException.class)
        .verify();
    assertThat(sources.subscriptions).hasValue(3);
  }

  @Test
  void aCancelDuringTheBackoff_makesNoFurtherAttempt() {
    Disposable d = sources.failing(5, FLAKY, "ok").transformDeferred(ReactorThrottling.retry(retry().build())).subscribe();
    assertThat(ticker.pendingTasks()).isEqualTo(1);
    d.dispose();
    assertThat(ticker.pendingTasks()).isZero(); // the scheduled attempt was withdrawn
    ticker.advance(Duration.ofMinutes(1));
    assertThat(sources.subscriptions).hasValue(1);
  }

  @Test
  void aRetriedFluxEmitsAgainFromItsStart_andTheDemandCarriesOver() {
    Flux<String> guarded = sources.fluxFailing(1, FLAKY, "a", "b", "c")
        .transformDeferred(ReactorThrottling.retry(retry().build()));
    StepVerifier.create(guarded, 2)
        .expectNext("a", "b")
        .thenRequest(2) // c, then the error: the retry waits
        .expectNext("c")
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("a") // only what was asked for
        .expectNoEvent(Duration.ZERO)
        .thenRequest(Long.MAX_VALUE)
        .expectNext("b", "c")
        .verifyComplete();
    assertThat(sources.subscriptions).hasValue(2);
  }

  @Test
  void virtualTime_drivesTheBackoff_throughASchedulerTicker() {
    StepVerifier.withVirtualTime(() -> {
          Retry retry = Retry.builder()
              .backoff(Backoff.constant(Duration.ofMinutes(10)))
              .ticker(SchedulerTicker.of(Schedulers.parallel()))
              .build();
          return sources.failing(2, FLAKY, "ok").transformDeferred(ReactorThrottling.retry(retry));
        })
        .expectSubscription()
        .expectNoEvent(Duration.ofMinutes(19))
        .thenAwait(Duration.ofMinutes(1))
        .expectNext("ok")
        .verifyComplete();
    assertThat(sources.subscriptions).hasValue(3);
  }
}
