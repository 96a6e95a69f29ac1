package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.AllOf;
import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Permits per subscription and per element, from every kind of limiter, never blocking. */
class RateLimitTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final Sources sources = new Sources();

  /** 1 per second, a burst of 2, starting full. */
  private Throttle throttle() {
    return Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(2).ticker(ticker).events(events).build();
  }

  @Test
  void takesOnePermitPerSubscription_andWaitsWithoutHoldingAThread() {
    Throttle throttle = throttle();
    Mono<String> guarded = sources.just("a").transformDeferred(ReactorThrottling.rateLimiter(throttle));

    StepVerifier.create(guarded).expectNext("a").verifyComplete();
    StepVerifier.create(guarded).expectNext("a").verifyComplete();
    assertThat(throttle.availablePermits()).isZero();

    // the third waits a second: the source is not subscribed to until the ticker gets there
    StepVerifier.create(guarded)
        .expectSubscription()
        .then(() -> assertThat(sources.subscriptions).hasValue(2))
        .then(() -> ticker.advance(Duration.ofMillis(999)))
        .then(() -> assertThat(sources.subscriptions).hasValue(2))
        .then(() -> ticker.advance(Duration.ofMillis(1)))
        .expectNext("a")
        .verifyComplete();
    assertThat(sources.subscriptions).hasValue(3);
  }

  @Test
  void aFluxTakesOnePermitForTheWholeSubscription_orCostPermits() {
    Throttle throttle = throttle();
    Flux<String> guarded = Flux.just("a", "b", "c").transformDeferred(ReactorThrottling.of().withThrottle(throttle, 2).operator());
    StepVerifier.create(guarded).expectNext("a", "b", "c").verifyComplete();
    assertThat(throttle.availablePermits()).isZero();
  }

  @Test
  void aWaitLongerThanMaxWait_failsAtOnceWithTheLimitersRejection_andChargesNothing() {
    Throttle throttle = throttle();
    throttle.tryAcquire(2);
    Mono<String> guarded =
        sources.just("a").transformDeferred(ReactorThrottling.rateLimiter(throttle, 1, Duration.ofMillis(500)));
    StepVerifier.create(guarded)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MaxWaitExceededException.class)
            .satisfies(r -> assertThat(((MaxWaitExceededException) r).retryAfter()).contains(Duration.ofSeconds(1))))
        .verify();
    assertThat(sources.subscriptions).hasValue(0);
    assertThat(throttle.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(2));
    assertThat(throttle.availablePermits()).isEqualTo(2); // nothing was booked for the refused one
  }

  @Test
  void aCancelWhileWaiting_givesTheReservationBack_once_andNeverSubscribes() {
    Throttle throttle = throttle();
    List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();
    events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
    throttle.tryAcquire(2);
    Disposable waiting = sources.just("a").transformDeferred(ReactorThrottling.rateLimiter(throttle)).subscribe();
    assertThat(throttle.availablePermits()).isEqualTo(-1);

    waiting.dispose();
    waiting.dispose();
    assertThat(throttle.availablePermits()).isZero(); // the booking is gone, whole
    assertThat(cancelled).singleElement().satisfies(c -> assertThat(c.refunded()).isEqualTo(1));
    ticker.advance(Duration.ofSeconds(5));
    assertThat(sources.subscriptions).hasValue(0);
  }

  @Test
  void aCostAboveTheCapacityIsRefusedWhenTheStepIsBuilt() {
    assertThatThrownBy(() -> ReactorThrottling.of().withThrottle(throttle(), 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCostAboveAKeysCapacity_failsTheSubscription_notTheBuild() {
    PerKey<String> perKey = PerKey.<String>builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
    Mono<String> keyed = sources.just("x")
        .transformDeferred(ReactorThrottling.of().withThrottle(perKey, "alice", 2, Duration.ZERO).operator());
    StepVerifier.create(keyed).expectError(CostExceedsCapacityException.class).verify();

    Layered<String> layered = Layered.<String>builder()
        .perKey(PerKey.<String>builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).build())
        .ticker(ticker)
        .build();
    Mono<String> tenant = sources.just("x")
        .transformDeferred(ReactorThrottling.of().withThrottle(layered, "t", null, 2, Duration.ZERO).operator());
    StepVerifier.create(tenant).expectError(CostExceedsCapacityException.class).verify();
    assertThat(sources.subscriptions).hasValue(0); // refused before the source
  }

  @Test
  void worksWithAllOf_perKey_andLayered() {
    Throttle a = throttle();
    Throttle b = Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
    AllOf both = Throttle.allOf(a, b);
    StepVerifier.create(sources.just("x").transformDeferred(ReactorThrottling.rateLimiter(both))).expectNext("x").verifyComplete();
    assertThat(a.availablePermits()).isEqualTo(1);
    assertThat(b.availablePermits()).isZero();

    PerKey<String> perKey = PerKey.<String>builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
    Mono<String> forAlice = sources.just("x").transformDeferred(ReactorThrottling.of().withThrottle(perKey, "alice").operator());
    StepVerifier.create(forAlice).expectNext("x").verifyComplete();
    StepVerifier.create(forAlice)
        .expectSubscription()
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext("x")
        .verifyComplete();
    assertThat(perKey.availablePermits("bob")).isEqualTo(1);

    Layered<String> layered = Layered.<String>builder()
        .global(Throttle.builder().rate(5, Duration.ofSeconds(1)).burst(5).ticker(ticker).build())
        .perKey(PerKey.<String>builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).build())
        .ticker(ticker)
        .build();
    Mono<String> tenant = sources.just("x")
        .transformDeferred(ReactorThrottling.of().withThrottle(layered, "t", null, 1, Duration.ZERO).operator());
    StepVerifier.create(tenant).expectNext("x").verifyComplete();
    StepVerifier.create(tenant).expectError(MaxWaitExceededException.class).verify();
  }

  @Test
  void elementsArePacedByTheirOwnCost_inOrder() {
    Throttle throttle = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(3).ticker(ticker).build();
    Flux<Integer> paced = Flux.just(1, 2, 3).transform(ElementThrottle.of(throttle, (Integer n) -> n));
    StepVerifier.create(paced)
        .expectNext(1) // 1 of 3
        .expectNoEvent(Duration.ZERO)
        .then(() -> ticker.advance(Duration.ofSeconds(1))) // 2 available: the 2 goes
        .expectNext(2)
        .then(() -> ticker.advance(Duration.ofSeconds(2))) // 2 more, the 3 needs a third
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectNext(3)
        .verifyComplete();
  }

  @Test
  void anElementThatCanNeverFit_failsTheStream() {
    Flux<Integer> paced = Flux.just(1, 5).transform(ElementThrottle.of(throttle(), (Integer n) -> n));
    StepVerifier.create(paced).expectNext(1).expectError(CostExceedsCapacityException.class).verify();
  }

  @Test
  void aCancelWhileAnElementWaits_givesItsReservationBack() {
    Throttle throttle = throttle();
    Disposable d = Flux.just(2, 2).transform(ElementThrottle.of(throttle, (Integer n) -> n)).subscribe();
    assertThat(throttle.availablePermits()).isEqualTo(-2);
    d.dispose();
    assertThat(throttle.availablePermits()).isZero();
  }

  @Test
  void aMonoElementIsPacedToo() {
    Throttle throttle = throttle();
    StepVerifier.create(Mono.just(2).transform(ElementThrottle.of(throttle, (Integer n) -> n)))
        .expectNext(2)
        .verifyComplete();
    assertThat(throttle.availablePermits()).isZero();
  }

  // ---- multi-dimensional: reserve, then settle ----

  private MultiLimiter llm() {
    return MultiLimiter.builder()
        .dimension("requests", Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(10).ticker(ticker).build())
        .dimension("tokens", Throttle.builder().rate(1_000, Duration.ofSeconds(1)).burst(1_000).ticker(ticker).build())
        .ticker(ticker)
        .events(events)
        .build();
  }

  @Test
  void aMonoReservesTheEstimate_andSettlesAtTheActualCostOfItsValue() {
    MultiLimiter limiter = llm();
    Mono<String> answer = Mono.just("forty-two")
        .transformDeferred(ReactorThrottling.of()
            .withThrottle(limiter, Costs.of("requests", 1, "tokens", 500), (String s) -> Costs.of("requests", 1, "tokens", s.length()))
            .operator());
    StepVerifier.create(answer).expectNext("forty-two").verifyComplete();
    assertThat(limiter.availablePermits("tokens")).isEqualTo(1_000 - 9);
    assertThat(limiter.availablePermits("requests")).isEqualTo(9);
  }

  @Test
  void aFluxSettlesAtItsLastElement() {
    MultiLimiter limiter = llm();
    Flux<Integer> stream = Flux.just(3, 7, 120) // chunks; the last carries the total
        .transformDeferred(ReactorThrottling.of()
            .withThrottle(limiter, Costs.of("tokens", 500), (Integer total) -> Costs.of("tokens", total))
            .operator());
    StepVerifier.create(stream).expectNext(3, 7, 120).verifyComplete();
    assertThat(limiter.availablePermits("tokens")).isEqualTo(1_000 - 120);
  }

  @Test
  void aFailedAttemptKeepsTheEstimate_aCancelBeforeTheStartGivesItBack() {
    MultiLimiter limiter = llm();
    Mono<String> failing = Mono.<String>error(new IllegalStateException("boom"))
        .transformDeferred(ReactorThrottling.of()
            .withThrottle(limiter, Costs.of("tokens", 600), (String s) -> Costs.of("tokens", 1))
            .operator());
    StepVerifier.create(failing).expectError(IllegalStateException.class).verify();
    assertThat(limiter.availablePermits("tokens")).isEqualTo(400);

    // the next one must wait for 200 tokens: cancelled while waiting, it leaves the line
    Disposable waiting = sources.just("x")
        .transformDeferred(ReactorThrottling.of().withThrottle(limiter, Costs.of("tokens", 600)).operator())
        .subscribe();
    assertThat(limiter.waiting()).isEqualTo(1); // a composite waits in line without booking
    waiting.dispose();
    assertThat(limiter.waiting()).isZero();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.availablePermits("tokens")).isEqualTo(1_000);
    assertThat(sources.subscriptions).hasValue(0);
  }

  @Test
  void elementsCanBeChargedToSeveralDimensions() {
    MultiLimiter limiter = llm();
    Flux<String> prompts = Flux.just("a", "bb", "ccc")
        .transform(ElementThrottle.of(limiter, (String p) -> Costs.of("requests", 1, "tokens", p.length())));
    StepVerifier.create(prompts).expectNext("a", "bb", "ccc").verifyComplete();
    assertThat(limiter.availablePermits("requests")).isEqualTo(7);
    assertThat(limiter.availablePermits("tokens")).isEqualTo(994);
  }

  // ---- one chain, built once, priced by each call's argument ----

  record Prompt(String tenant, int maxTokens) {}

  record Completion(int tokens) {}

  @Test
  void aFunctionChainPricesEachArgument_reservesThenSettles_forEveryElementOfAStream() {
    MultiLimiter limiter = llm();
    List<String> names = new ArrayList<>();
    events.subscribe(io.throttlenet.core.CallEvent.Finished.class, e -> names.add(e.component()));
    java.util.function.Function<Prompt, Mono<Completion>> ask = ReactorThrottling.of()
        .withThrottle(limiter,
            (Prompt p) -> Costs.of("requests", 1, "tokens", p.maxTokens()),
            (Prompt p, Completion c) -> Costs.of("requests", 1, "tokens", c.tokens()))
        .withEvents(events)
        .function(p -> Mono.just(new Completion(p.maxTokens() / 10)));
    Flux<Completion> answers = Flux.just(new Prompt("a", 300), new Prompt("b", 500), new Prompt("c", 200)).concatMap(ask);
    StepVerifier.create(answers).expectNext(new Completion(30), new Completion(50), new Completion(20)).verifyComplete();
    assertThat(limiter.availablePermits("tokens")).isEqualTo(1_000 - 100);
    assertThat(limiter.availablePermits("requests")).isEqualTo(7);
    assertThat(names).hasSize(3).containsOnly(names.get(0)); // one chain, one name
  }

  @Test
  void aFunctionChainTakesACostOrATenantFromTheArgument() {
    Throttle throttle = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(3).ticker(ticker).build();
    PerKey<String> perTenant = PerKey.<String>builder().rate(1, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
    java.util.function.Function<Prompt, Mono<String>> send = ReactorThrottling.of()
        .withThrottleKeyedBy(perTenant, Prompt::tenant, 1, Duration.ZERO) // inner: asked after the throttle
        .withThrottle(throttle, (Prompt p) -> p.maxTokens(), Duration.ZERO)
        .function(p -> sources.just(p.tenant()));
    StepVerifier.create(send.apply(new Prompt("acme", 1))).expectNext("acme").verifyComplete();
    // acme's own budget refuses (the throttle outside it has charged its permit, as in any chain)
    StepVerifier.create(send.apply(new Prompt("acme", 1))).expectError(MaxWaitExceededException.class).verify();
    StepVerifier.create(send.apply(new Prompt("globex", 2))).expectError(MaxWaitExceededException.class).verify(); // 2 > the 1 left
    StepVerifier.create(send.apply(new Prompt("globex", 1))).expectNext("globex").verifyComplete();
    assertThat(throttle.availablePermits()).isZero();
  }

  @Test
  void aChainThatNeedsAnArgument_cannotGuardAPlainPublisher() {
    ReactorThrottling perPrompt = ReactorThrottling.of().withThrottle(throttle(), (Prompt p) -> p.maxTokens(), Duration.ZERO);
    assertThatThrownBy(perPrompt::operator).isInstanceOf(IllegalStateException.class).hasMessageContaining("function(..)");
    assertThatThrownBy(() -> perPrompt.mono(Mono.just("x"))).isInstanceOf(IllegalStateException.class);
  }
}
