package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Components waiting on a Reactor scheduler: virtual time drives limiters and retries alike. */
class SchedulerTickerTest {

  @Test
  void readsAndSchedulesOnTheScheduler_andACancelStopsATaskOnce() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    SchedulerTicker ticker = SchedulerTicker.of(vts);
    long start = ticker.read();
    AtomicInteger ran = new AtomicInteger();
    Ticker.Scheduled first = ticker.schedule(start + 1_000, ran::incrementAndGet);
    Ticker.Scheduled second = ticker.schedule(start + 2_000, ran::incrementAndGet);
    vts.advanceTimeBy(Duration.ofNanos(1_000));
    assertThat(ran).hasValue(1);
    assertThat(first.cancel()).isFalse(); // it ran
    assertThat(second.cancel()).isTrue();
    assertThat(second.cancel()).isFalse();
    vts.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(ran).hasValue(1);
    assertThat(ticker.read() - start).isEqualTo(1_000_000_000L + 1_000);
  }

  @Test
  void aLimitersWaitRunsInVirtualTime() {
    StepVerifier.withVirtualTime(() -> {
          Throttle throttle = Throttle.builder()
              .rate(1, Duration.ofMinutes(1))
              .burst(1)
              .ticker(SchedulerTicker.of(VirtualTimeScheduler.get()))
              .build();
          return Mono.just("a").transformDeferred(ReactorThrottling.rateLimiter(throttle, 1, Duration.ofHours(1)))
              .concatWith(Mono.just("b").transformDeferred(ReactorThrottling.rateLimiter(throttle, 1, Duration.ofHours(1))));
        })
        .expectNext("a")
        .expectNoEvent(Duration.ofSeconds(59))
        .thenAwait(Duration.ofSeconds(1))
        .expectNext("b")
        .verifyComplete();
  }
}
