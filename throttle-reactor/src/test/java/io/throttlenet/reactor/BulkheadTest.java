package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.BulkheadFullException;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.queue.DeadlineExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** A slot per subscription, taken without blocking and given back exactly once. */
class BulkheadTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final Sources sources = new Sources();

  private ConcurrencyLimit bulkhead(int limit) {
    return ConcurrencyLimit.builder().limit(limit).maxWait(Duration.ofSeconds(5)).ticker(ticker).events(events).build();
  }

  @Test
  void subscribersBeyondTheLimitWait_andGoInWhenASlotIsGivenBack() {
    ConcurrencyLimit bulkhead = bulkhead(2);
    List<Disposable> subs = new ArrayList<>();
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      subs.add(sources.mono().transformDeferred(ReactorThrottling.bulkhead(bulkhead)).subscribe(got::add, e -> {}));
    }
    assertThat(sources.subscriptions).hasValue(2);
    assertThat(bulkhead.inFlight()).isEqualTo(2);
    assertThat(bulkhead.waiting()).isEqualTo(2);

    sources.sink(0).tryEmitValue("first");
    assertThat(got).containsExactly("first");
    assertThat(sources.subscriptions).hasValue(3);

    sources.sink(1).tryEmitError(new IllegalStateException());
    assertThat(sources.subscriptions).hasValue(4);
    assertThat(bulkhead.inFlight()).isEqualTo(2);
    assertThat(bulkhead.waiting()).isZero();

    subs.forEach(Disposable::dispose);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(sources.maxLive).hasValue(2);
  }

  @Test
  void aSlotIsReleasedBeforeTheSubscriberHearsTheEnd_soItCanSubscribeAgainAtOnce() {
    ConcurrencyLimit bulkhead = bulkhead(1);
    Mono<String> guarded = sources.just("x").transformDeferred(ReactorThrottling.bulkhead(bulkhead));
    StepVerifier.create(guarded.repeat(4)).expectNextCount(5).verifyComplete();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void aCancelReleasesTheSlot_asIgnored_once() {
    ConcurrencyLimit bulkhead = bulkhead(1);
    List<ConcurrencyEvent.Released> released = new ArrayList<>();
    events.subscribe(ConcurrencyEvent.Released.class, released::add);
    Disposable running = sources.mono().transformDeferred(ReactorThrottling.bulkhead(bulkhead)).subscribe();
    assertThat(bulkhead.inFlight()).isEqualTo(1);
    running.dispose();
    running.dispose();
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(released).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.IGNORED));
    assertThat(sources.cancels).hasValue(1);
  }

  @Test
  void aWaiterCancelledLeavesTheLine_andIsNeverSubscribed() {
    ConcurrencyLimit bulkhead = bulkhead(1);
    Disposable first = sources.mono().transformDeferred(ReactorThrottling.bulkhead(bulkhead)).subscribe();
    Disposable second = sources.mono().transformDeferred(ReactorThrottling.bulkhead(bulkhead)).subscribe();
    assertThat(bulkhead.waiting()).isEqualTo(1);
    second.dispose();
    assertThat(bulkhead.waiting()).isZero();
    first.dispose();
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(sources.subscriptions).hasValue(1);
  }

  @Test
  void aWaitLongerThanTheBulkheadsMaxWait_failsWithBulkheadFull() {
    ConcurrencyLimit bulkhead = bulkhead(1);
    Disposable holder = sources.mono().transformDeferred(ReactorThrottling.bulkhead(bulkhead)).subscribe();
    StepVerifier.create(sources.just("late").transformDeferred(ReactorThrottling.bulkhead(bulkhead)))
        .expectSubscription()
        .then(() -> ticker.advance(Duration.ofSeconds(5)))
        .expectError(BulkheadFullException.class)
        .verify();
    holder.dispose();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void aFluxHoldsItsSlotUntilItEnds() {
    ConcurrencyLimit bulkhead = bulkhead(1);
    StepVerifier.create(Flux.range(1, 3).transformDeferred(ReactorThrottling.bulkhead(bulkhead)), 0)
        .thenRequest(1)
        .expectNext(1)
        .then(() -> assertThat(bulkhead.inFlight()).isEqualTo(1))
        .thenRequest(2)
        .expectNext(2, 3)
        .verifyComplete();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void anAdmissionQueueServesHigherPriorityFirst_andGivesTheTurnBack() {
    ConcurrencyLimit slots = bulkhead(1);
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(slots).events(events).build();
    List<String> order = new ArrayList<>();
    Disposable holder = sources.mono().transformDeferred(ReactorThrottling.of().withQueue(queue, "a", 0).operator()).subscribe();
    Mono.just("low").transformDeferred(ReactorThrottling.of().withQueue(queue, "b", 1).operator()).subscribe(order::add);
    Mono.just("high").transformDeferred(ReactorThrottling.of().withQueue(queue, "c", 9).operator()).subscribe(order::add);
    assertThat(queue.size()).isEqualTo(2);
    holder.dispose();
    assertThat(order).containsExactly("high", "low");
    assertThat(slots.inFlight()).isZero();
  }

  @Test
  void aQueueDeadlineFailsTheSubscription() {
    ConcurrencyLimit slots = bulkhead(1);
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(slots).events(events).build();
    Disposable holder = sources.mono().transformDeferred(ReactorThrottling.of().withQueue(queue, "a", 0).operator()).subscribe();
    StepVerifier.create(Mono.just("x")
            .transformDeferred(ReactorThrottling.of().withQueue(queue, "b", 0, 1, Duration.ofSeconds(1)).operator()))
        .expectSubscription()
        .then(() -> ticker.advance(Duration.ofSeconds(1)))
        .expectError(DeadlineExceededException.class)
        .verify();
    holder.dispose();
    assertThat(slots.inFlight()).isZero();
  }

  @Test
  void manyConcurrentSubscribersOnRealThreads_neverExceedTheLimit_andCancelsGiveTheirSlotsBack() throws Exception {
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(3).maxWaiters(10_000).events(events).build();
    AtomicInteger live = new AtomicInteger();
    AtomicInteger maxLive = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    int subscribers = 2_000;
    CountDownLatch ended = new CountDownLatch(subscribers);
    Scheduler workers = Schedulers.newParallel("bulkhead-test", 4);
    try {
      Mono<Integer> call = Mono.fromCallable(() -> {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            return 1;
          })
          .subscribeOn(workers)
          .publishOn(workers) // ends on another worker: the slot is held across threads
          .doOnTerminate(live::decrementAndGet)
          .doOnCancel(live::decrementAndGet)
          .transformDeferred(ReactorThrottling.bulkhead(bulkhead));
      for (int i = 0; i < subscribers; i++) {
        boolean cancelled = i % 7 == 0; // disposed at once from another worker: waiting, or already running
        AtomicBoolean once = new AtomicBoolean();
        Runnable end = () -> {
          if (once.compareAndSet(false, true)) {
            ended.countDown();
          }
        };
        workers.schedule(() -> {
          Disposable d = call.subscribe(v -> answered.incrementAndGet(), e -> end.run(), end);
          if (cancelled) {
            workers.schedule(() -> {
              d.dispose();
              end.run(); // a disposed subscriber hears nothing more
            });
          }
        });
      }
      assertThat(ended.await(60, TimeUnit.SECONDS)).as("every subscriber ended").isTrue();
      assertThat(maxLive.get()).isBetween(1, 3);
      assertThat(answered.get()).isBetween(subscribers - subscribers / 7 - 1, subscribers);
      assertThat(bulkhead.inFlight()).isZero();
      assertThat(bulkhead.waiting()).isZero();
    } finally {
      workers.dispose();
    }
  }
}
