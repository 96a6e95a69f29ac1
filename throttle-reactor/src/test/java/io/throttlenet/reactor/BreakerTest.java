package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.breaker.BreakerEvent;
import io.throttlenet.breaker.BreakerState;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.breaker.Trip;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The breaker's admission at subscription, its records at the end, and cancels counting nothing. */
class BreakerTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final Sources sources = new Sources();

  private CircuitBreaker breaker(int failures) {
    return CircuitBreaker.builder()
        .trip(Trip.consecutive(failures))
        .cooldown(Duration.ofSeconds(10))
        .successesToClose(1)
        .ticker(ticker)
        .events(events)
        .build();
  }

  @Test
  void failuresOpenIt_andAnOpenBreakerRejectsAtSubscription_withoutSubscribing() {
    CircuitBreaker breaker = breaker(2);
    Mono<String> failing = sources.failing(100, new IllegalStateException("down"), "x")
        .transformDeferred(ReactorThrottling.circuitBreaker(breaker));
    StepVerifier.create(failing).expectError(IllegalStateException.class).verify();
    StepVerifier.create(failing).expectError(IllegalStateException.class).verify();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

    StepVerifier.create(failing)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CircuitOpenException.class)
            .satisfies(o -> assertThat(((CircuitOpenException) o).retryAfter()).contains(Duration.ofSeconds(10))))
        .verify();
    assertThat(sources.subscriptions).hasValue(2);
  }

  @Test
  void aSuccessfulProbeClosesIt() {
    CircuitBreaker breaker = breaker(1);
    StepVerifier.create(Mono.error(new IllegalStateException()).transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectError()
        .verify();
    ticker.advance(Duration.ofSeconds(10));
    StepVerifier.create(sources.just("up").transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectNext("up")
        .verifyComplete();
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aMonosValueGoesThroughTheResultPredicate() {
    CircuitBreaker breaker = CircuitBreaker.builder()
        .trip(Trip.consecutive(1))
        .recordResult(r -> "503".equals(r))
        .ticker(ticker)
        .events(events)
        .build();
    StepVerifier.create(Mono.just("503").transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectNext("503") // delivered as it is, but counted as a failure
        .verifyComplete();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aCancelIsNeitherSuccessNorFailure_andFreesAHalfOpenProbe() {
    CircuitBreaker breaker = CircuitBreaker.builder()
        .trip(Trip.consecutive(1))
        .cooldown(Duration.ofSeconds(10))
        .halfOpenProbes(1)
        .ticker(ticker)
        .events(events)
        .build();
    List<BreakerEvent> recorded = new ArrayList<>();
    events.subscribe(BreakerEvent.Success.class, recorded::add);
    events.subscribe(BreakerEvent.Failure.class, recorded::add);

    Disposable running = sources.mono().transformDeferred(ReactorThrottling.circuitBreaker(breaker)).subscribe();
    running.dispose();
    assertThat(sources.cancels).hasValue(1);
    assertThat(recorded).isEmpty();
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);

    StepVerifier.create(Mono.error(new IllegalStateException()).transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectError()
        .verify();
    ticker.advance(Duration.ofSeconds(10));
    // half open, one probe: a cancelled probe gives its slot back, so the next probe is admitted
    Disposable probe = sources.mono().transformDeferred(ReactorThrottling.circuitBreaker(breaker)).subscribe();
    probe.dispose();
    StepVerifier.create(sources.just("up").transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectNext("up")
        .verifyComplete();
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aFluxIsOneCall_recordedWhenItCompletes() {
    CircuitBreaker breaker = breaker(1);
    List<BreakerEvent.Success> successes = new ArrayList<>();
    events.subscribe(BreakerEvent.Success.class, successes::add);
    StepVerifier.create(Flux.just(1, 2, 3).transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectNext(1, 2, 3)
        .verifyComplete();
    assertThat(successes).hasSize(1);
    StepVerifier.create(Flux.just(1).concatWith(Flux.error(new IllegalStateException()))
            .transformDeferred(ReactorThrottling.circuitBreaker(breaker)))
        .expectNext(1)
        .expectError(IllegalStateException.class)
        .verify();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aStreamCancelledMidwayCountsNeitherWay() {
    CircuitBreaker breaker = breaker(1);
    List<BreakerEvent> recorded = new ArrayList<>();
    events.subscribe(BreakerEvent.Success.class, recorded::add);
    events.subscribe(BreakerEvent.Failure.class, recorded::add);
    StepVerifier.create(Flux.range(1, 10).transformDeferred(ReactorThrottling.circuitBreaker(breaker)).take(2))
        .expectNext(1, 2)
        .verifyComplete();
    assertThat(recorded).isEmpty();
    assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
  }
}
