package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.breaker.BreakerEvent;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CallTimeoutException;
import io.throttlenet.core.Event;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Timeout;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryEvent;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Steps compose as the Decorators chain does, and every component publishes its events. */
class ChainTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final Sources sources = new Sources();
  private static final RuntimeException FLAKY = new UncheckedIOException(new java.io.IOException("flaky"));

  @Test
  void throttleInsideBreakerInsideRetry_everyAttemptPaysAPermitAndIsRecorded_inThatOrder() {
    Throttle throttle = Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(10).ticker(ticker).events(events).name("t").build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(10)).ticker(ticker).events(events).name("b").build();
    Retry retry = Retry.builder().backoff(Backoff.constant(Duration.ofSeconds(1))).ticker(ticker).events(events).name("r").build();
    List<Event> seen = new ArrayList<>();
    events.subscribe(LimiterEvent.class, seen::add);
    events.subscribe(BreakerEvent.Success.class, seen::add);
    events.subscribe(BreakerEvent.Failure.class, seen::add);
    events.subscribe(RetryEvent.class, seen::add);
    events.subscribe(CallEvent.class, seen::add);

    Mono<String> guarded = sources.failing(1, FLAKY, "ok")
        .transformDeferred(ReactorThrottling.of()
            .withThrottle(throttle)
            .withBreaker(breaker)
            .withRetry(retry)
            .named("llm")
            .withEvents(events)
            .withTicker(ticker)
            .operator());
    StepVerifier.create(guarded)
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("ok")
        .verifyComplete();

    assertThat(seen).extracting(e -> e.getClass().getSimpleName()).containsExactly(
        "Acquired", "Finished", "Failure", "Attempt",          // attempt 1: permit, call, breaker, retry
        "Acquired", "Finished", "Success", "SucceededAfterRetries");
    assertThat(seen.get(1)).isInstanceOfSatisfying(CallEvent.Finished.class, f -> {
      assertThat(f.component()).isEqualTo("llm");
      assertThat(f.outcome()).isEqualTo(Outcome.FAILURE);
    });
    assertThat(throttle.availablePermits()).isEqualTo(8 + 1); // two permits, one refilled in the second
  }

  @Test
  void anOpenBreakerInsideARetry_stopsAtOnce_withoutTakingAPermit() {
    Throttle throttle = Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(10).ticker(ticker).events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().ticker(ticker).events(events).build();
    breaker.forceOpen();
    Retry retry = Retry.builder().ticker(ticker).events(events).build();
    // the breaker outside the throttle: it rejects before the permit is taken
    Mono<String> guarded = sources.just("x")
        .transformDeferred(ReactorThrottling.of().withThrottle(throttle).withBreaker(breaker).withRetry(retry).operator());
    StepVerifier.create(guarded).expectError(CircuitOpenException.class).verify();
    assertThat(throttle.availablePermits()).isEqualTo(10);
    assertThat(sources.subscriptions).hasValue(0);
  }

  @Test
  void aCancelReachesEveryStep_andEachGivesBackWhatItHeldOnce() {
    Throttle throttle = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).events(events).build();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(1).ticker(ticker).events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(1)).ticker(ticker).events(events).build();
    Retry retry = Retry.builder().ticker(ticker).events(events).build();
    ReactorThrottling chain = ReactorThrottling.of().withThrottle(throttle).withBulkhead(bulkhead).withBreaker(breaker).withRetry(retry);

    var running = chain.mono(sources.mono()).subscribe();
    var waitingForSlot = chain.mono(sources.mono()).subscribe(); // the bulkhead is outside the throttle
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    assertThat(bulkhead.waiting()).isEqualTo(1);
    assertThat(throttle.availablePermits()).isZero();

    waitingForSlot.dispose();
    assertThat(bulkhead.waiting()).isZero();
    running.dispose();
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(breaker.state()).isEqualTo(io.throttlenet.breaker.BreakerState.CLOSED); // a cancel is no failure
    ticker.advance(Duration.ofMinutes(1));
    assertThat(sources.subscriptions).hasValue(1);
    assertThat(ticker.pendingTasks()).isZero();
  }

  @Test
  void aTimeoutFailsTheAttempt_andCancelsIt() {
    Mono<String> guarded = sources.mono()
        .transformDeferred(ReactorThrottling.of().with(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build()).operator());
    StepVerifier.create(guarded)
        .expectSubscription()
        .then(() -> ticker.advance(Duration.ofSeconds(2)))
        .expectError(CallTimeoutException.class)
        .verify();
    assertThat(sources.cancels).hasValue(1);
  }

  @Test
  void aTimeoutEndsAStreamMidway_andNothingOfItFollowsTheError() {
    reactor.core.publisher.Sinks.Many<Integer> sink = reactor.core.publisher.Sinks.many().unicast().onBackpressureBuffer();
    Flux<Integer> guarded = sink.asFlux()
        .transformDeferred(ReactorThrottling.of().with(Timeout.builder().timeout(Duration.ofSeconds(2)).ticker(ticker).build()).operator());
    StepVerifier.create(guarded)
        .then(() -> sink.tryEmitNext(1))
        .expectNext(1)
        .then(() -> ticker.advance(Duration.ofSeconds(2)))
        .expectError(CallTimeoutException.class)
        .verify();
    assertThat(sink.tryEmitNext(2).isFailure()).isTrue(); // the source was cancelled
  }

  @Test
  void theSubscribersContextReachesTheSource() {
    Mono<String> guarded = Mono.deferContextual(ctx -> Mono.just(ctx.<String>get("tenant")))
        .transformDeferred(ReactorThrottling.of().withRetry(Retry.builder().ticker(ticker).build()).operator());
    StepVerifier.create(guarded.contextWrite(c -> c.put("tenant", "acme"))).expectNext("acme").verifyComplete();
  }

  @Test
  void anEmptyMonoCompletesEmpty_andASourceThatThrowsFailsTheSubscription() {
    StepVerifier.create(Mono.<String>empty().transformDeferred(ReactorThrottling.of().withRetry(Retry.builder().ticker(ticker).build()).operator()))
        .verifyComplete();
    Flux<String> broken = Flux.from(subscriber -> {
      throw new IllegalStateException("broken source");
    });
    StepVerifier.create(broken.transformDeferred(ReactorThrottling.of().withTicker(ticker).operator()))
        .expectError(IllegalStateException.class)
        .verify();
  }

  @Test
  void aMonosValueWaitsForDemand() {
    StepVerifier.create(Mono.just("v").transformDeferred(ReactorThrottling.of().withTicker(ticker).operator()), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ZERO)
        .thenRequest(1)
        .expectNext("v")
        .verifyComplete();
  }

  @Test
  void unnamedChainsGetTheirOwnNames() {
    assertThat(ReactorThrottling.of().name()).startsWith("call-").isNotEqualTo(ReactorThrottling.of().name());
    assertThat(ReactorThrottling.of().named("x").name()).isEqualTo("x");
  }
}
