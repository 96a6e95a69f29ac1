package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.ConcurrencyLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Random sequences of subscribe, complete, fail, cancel (and, for a rate limiter, time steps):
 * what a subscription took is given back exactly once, never twice, and the components end where
 * they began.
 */
class ReleasePropertiesTest {

  record Op(int kind, int index, int ms) {}

  private static Gen<Op> ops() {
    return integers().between(0, 9).zip(integers().between(0, 1_000), integers().between(0, 2_500), Op::new);
  }

  /** One subscription: its source's sink, whether the source was subscribed to, its disposable. */
  static final class Call {
    final Sinks.One<String> sink = Sinks.one();
    boolean started;
    boolean ended;
    boolean cancelledBeforeStart;
    Disposable subscription;

    Mono<String> source(AtomicInteger live) {
      return Mono.defer(() -> {
        started = true;
        live.incrementAndGet();
        return sink.asMono();
      }).doOnTerminate(live::decrementAndGet).doOnCancel(live::decrementAndGet);
    }
  }

  @Test
  void aBulkheadHoldsExactlyTheRunningSubscriptions_andEndsEmpty() {
    qt().withExamples(300)
        .forAll(lists().of(ops()).ofSizeBetween(1, 60), integers().between(1, 3))
        .checkAssert((script, limit) -> {
          EventRegistry events = EventRegistry.create();
          ConcurrencyLimit bulkhead = ConcurrencyLimit.builder()
              .limit(limit).maxWait(Duration.ofHours(1)).ticker(ManualTicker.create()).events(events).build();
          List<ConcurrencyEvent.Released> released = new ArrayList<>();
          events.subscribe(ConcurrencyEvent.Released.class, released::add);
          ReactorThrottling chain = ReactorThrottling.of().withBulkhead(bulkhead);
          AtomicInteger live = new AtomicInteger();
          List<Call> calls = new ArrayList<>();
          for (Op op : script) {
            if (op.kind() < 4 || calls.isEmpty()) {
              Call c = new Call();
              c.subscription = chain.mono(c.source(live)).subscribe(v -> {}, e -> {});
              calls.add(c);
            } else {
              Call c = calls.get(op.index() % calls.size());
              switch (op.kind()) {
                case 4, 5 -> c.sink.tryEmitValue("done");
                case 6 -> c.sink.tryEmitError(new IllegalStateException("failed"));
                default -> c.subscription.dispose();
              }
            }
            assertThat(live.get()).isLessThanOrEqualTo(limit);
            assertThat(bulkhead.inFlight()).isEqualTo(live.get()); // a slot per running source, no more
          }
          calls.forEach(c -> c.subscription.dispose());
          assertThat(bulkhead.inFlight()).isZero();
          assertThat(bulkhead.waiting()).isZero();
          assertThat(live.get()).isZero();
          long started = calls.stream().filter(c -> c.started).count();
          assertThat(released).hasSize((int) started); // each slot given back exactly once
        });
  }

  @Test
  void aRateLimiterIsChargedOncePerSubscription_andRefundedOnlyForCancelledWaits_once() {
    qt().withExamples(300)
        .forAll(lists().of(ops()).ofSizeBetween(1, 60))
        .checkAssert(script -> {
          ManualTicker ticker = ManualTicker.startingAt(-3_000_000_000L);
          EventRegistry events = EventRegistry.create();
          Throttle throttle = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(3).ticker(ticker).events(events).build();
          List<LimiterEvent.Acquired> acquired = new ArrayList<>();
          List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();
          events.subscribe(LimiterEvent.Acquired.class, acquired::add);
          events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
          ReactorThrottling chain = ReactorThrottling.of().withThrottle(throttle, 1, Duration.ofHours(1));
          AtomicInteger live = new AtomicInteger();
          List<Call> calls = new ArrayList<>();
          int cancelledWaits = 0;
          for (Op op : script) {
            if (op.kind() < 3 || calls.isEmpty()) {
              Call c = new Call();
              c.subscription = chain.mono(c.source(live)).subscribe(v -> {}, e -> {});
              calls.add(c);
            } else if (op.kind() < 5) {
              ticker.advance(Duration.ofMillis(op.ms()));
            } else {
              Call c = calls.get(op.index() % calls.size());
              switch (op.kind()) {
                case 5 -> c.sink.tryEmitValue("done");
                case 6 -> c.sink.tryEmitError(new IllegalStateException("failed"));
                default -> {
                  if (!c.started && !c.cancelledBeforeStart) {
                    c.cancelledBeforeStart = true;
                    cancelledWaits++;
                  }
                  c.subscription.dispose();
                }
              }
            }
            assertThat(acquired).hasSize(calls.size()); // one booking per subscription
            assertThat(cancelled).hasSize(cancelledWaits); // one give-back per abandoned wait
            assertThat(throttle.availablePermits()).isLessThanOrEqualTo(3); // never more than the burst
          }
          // the waits that were not withdrawn are all served in the end, and nothing more
          ticker.advance(Duration.ofMinutes(5));
          for (Call c : calls) {
            assertThat(c.started).isEqualTo(!c.cancelledBeforeStart);
          }
          calls.forEach(c -> c.subscription.dispose());
          assertThat(cancelled).hasSize(cancelledWaits);
          assertThat(ticker.pendingTasks()).isZero();
          assertThat(throttle.availablePermits()).isEqualTo(3);
        });
  }

  @Test
  void cancellingTheLatestWaiter_returnsTheLimiterToWhereItWas_however_oftenItIsCancelled() {
    qt().withExamples(200)
        .forAll(integers().between(0, 3), integers().between(0, 12), integers().between(1, 4))
        .checkAssert((granted, waiting, disposals) -> {
          ManualTicker ticker = ManualTicker.create();
          EventRegistry events = EventRegistry.create();
          Throttle throttle = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(3).ticker(ticker).events(events).build();
          List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();
          events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
          ReactorThrottling chain = ReactorThrottling.of().withThrottle(throttle, 1, Duration.ofHours(1));
          AtomicInteger live = new AtomicInteger();
          throttle.tryAcquire(3 - granted);
          for (int i = 0; i < granted + waiting; i++) {
            chain.mono(new Call().source(live)).subscribe();
          }
          long before = throttle.availablePermits();
          Call last = new Call();
          Disposable latest = chain.mono(last.source(live)).subscribe();
          assertThat(throttle.availablePermits()).isEqualTo(before - 1);
          for (int i = 0; i < disposals; i++) {
            latest.dispose();
          }
          assertThat(throttle.availablePermits()).isEqualTo(before);
          assertThat(cancelled).singleElement().satisfies(c -> assertThat(c.refunded()).isEqualTo(1));
          assertThat(last.started).isFalse();
          assertThat(live.get()).isEqualTo(granted);
          ticker.advance(Duration.ofMinutes(1));
          assertThat(last.started).isFalse();
          assertThat(live.get()).isEqualTo(granted + waiting); // the others were served
        });
  }
}
