package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link PerKey}'s blocking verbs, driven by a manual ticker. */
class PerKeyBlockingTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);

  private PerKey<String> perKey() {
    return PerKey.<String>builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(EventRegistry.create()).build();
  }

  interface Body {
    Object run() throws Exception;
  }

  /** Runs {@code body} on another thread, advancing the ticker to each wait it starts. */
  private Object drive(Body body) throws InterruptedException {
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        out.set(body.run());
      } catch (Throwable e) {
        out.set(e);
      }
    });
    t.start();
    while (t.isAlive()) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        t.join(1); // let the worker make progress; nothing here measures time
      }
    }
    return out.get();
  }

  @Test
  void acquire_withNothingLeft_waitsExactlyUntilTheRefill() throws Exception {
    PerKey<String> p = perKey();
    assertThat(p.tryAcquire("k", 10)).isTrue();
    long start = ticker.read();
    assertThat(drive(() -> {
      p.acquire("k");
      return "done";
    })).isEqualTo("done");
    assertThat(ticker.read() - start).isEqualTo(100_000_000L);
    assertThat(drive(() -> {
      p.acquire("k", 3);
      return "done";
    })).isEqualTo("done");
    assertThat(ticker.read() - start).isEqualTo(400_000_000L);
    assertThat(p.availablePermits("k")).isZero();
    assertThat(p.availablePermits("other")).isEqualTo(10);
  }

  @Test
  void acquire_withTokensLeft_doesNotWait() throws Exception {
    PerKey<String> p = perKey();
    long start = ticker.read();
    p.acquire("k", 4);
    assertThat(p.tryAcquire("k", 1, Duration.ZERO)).isTrue();
    assertThat(ticker.read()).isEqualTo(start);
    assertThat(p.availablePermits("k")).isEqualTo(5);
  }

  @Test
  void tryAcquireWithMaxWait_waitsWithinTheBoundOnly() throws Exception {
    PerKey<String> p = perKey();
    assertThat(p.tryAcquire("k", 10)).isTrue();
    assertThat(p.tryAcquire("k", 2, Duration.ofMillis(199))).isFalse();
    assertThat(p.waitTime("k", 2)).contains(Duration.ofMillis(200)); // the refusal booked nothing
    assertThat(drive(() -> p.tryAcquire("k", 2, Duration.ofMillis(200)))).isEqualTo(true);
    assertThat(p.availablePermits("k")).isZero();
  }

  @Test
  void acquire_aCostAboveTheBurst_failsAtOnce() {
    PerKey<String> p = perKey();
    assertThatThrownBy(() -> p.acquire("k", 11))
        .isInstanceOfSatisfying(CostExceedsCapacityException.class, e -> assertThat(e.capacity()).isEqualTo(10));
    assertThat(p.availablePermits("k")).isEqualTo(10);
  }

  @Test
  void interruptedWhileWaiting_givesTheBookingBack() throws Exception {
    PerKey<String> p = perKey();
    assertThat(p.tryAcquire("k", 10)).isTrue();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        p.acquire("k", 5);
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    t.start();
    ticker.awaitSleepers(1);
    assertThat(p.waitTime("k", 1)).contains(Duration.ofMillis(600)); // booked behind the waiter
    t.interrupt();
    t.join(30_000);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(p.waitTime("k", 1)).contains(Duration.ofMillis(100)); // the booking came back
  }

  @Test
  void accessors() {
    PerKey<String> p = PerKey.<String>builder().name("per-user").rate(10, Duration.ofSeconds(1)).ticker(ticker).build();
    assertThat(p.name()).isEqualTo("per-user");
    assertThat(p.toString()).contains("per-user");
    assertThat(p.limiter("k").availablePermits()).isEqualTo(10);
  }
}
