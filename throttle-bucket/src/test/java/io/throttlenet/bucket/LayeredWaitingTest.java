package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link Layered} callers that wait: blocking and asynchronous, bounded and not, with the
 * capacity taken by someone else while they wait, given up, cancelled and interrupted. Nothing is
 * booked while a caller waits, so a caller that does not get through leaves every scope as it was.
 *
 * <p>Each test's tenant "k" gets one permit a second and starts drained: a caller for it waits
 * exactly one second. A blocking caller runs in a {@link Waiter} driven by the manual ticker.
 */
class LayeredWaitingTest {
  private static final Duration S = Duration.ofSeconds(1);
  private static final long SECOND = S.toNanos();

  private final ManualTicker manual = ManualTicker.startingAt(Long.MAX_VALUE - 3 * SECOND);
  private final StaleTicker ticker = new StaleTicker(manual);
  private final EventRegistry events = EventRegistry.create();
  private final EventRegistry quiet = EventRegistry.create();
  private final List<LimiterEvent> seen = new ArrayList<>();
  private final Throttle global =
      Throttle.builder().name("global").rate(10, S).ticker(ticker).events(quiet).build();
  private final PerKey<String> tenants =
      PerKey.<String>builder().name("tenants").rate(1, S).ticker(ticker).events(quiet).build();
  private final Layered<String> layered =
      Layered.<String>builder().name("layered").global(global).perKey(tenants).events(events).build();
  private final long start;

  LayeredWaitingTest() {
    assertThat(layered.tryAcquire("k", null, 1)).isTrue(); // "k" drained, global at 9
    events.subscribe(LimiterEvent.class, "layered", seen::add);
    start = manual.read();
  }

  /** Books the tenant's next permit directly (another user of "k"): the caller must wait again. */
  private void takeTheNextPermitMeanwhile() {
    assertThat(tenants.acquireAsync("k", 1).toCompletableFuture()).isNotDone(); // released at 1 s
  }

  private LimiterEvent.Rejected gaveUp(Duration retryAfter) {
    return new LimiterEvent.Rejected(
        "layered", 1, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, Optional.of(retryAfter), Optional.of("key"), Optional.of("k"));
  }

  // ---- blocking

  @Test
  void acquire_waitsExactlyForTheBindingScope_andChargesEveryScopeOnce() throws Exception {
    Waiter waiter = Waiter.start(() -> layered.acquire("k", null));
    assertThat(waiter.driveWith(manual)).isNull();
    assertThat(manual.read() - start).isEqualTo(SECOND);
    assertThat(seen).containsExactly(new LimiterEvent.Acquired("layered", 1, S));
    assertThat(tenants.availablePermits("k")).isZero();
    assertThat(tenants.waitTime("k", 1)).contains(S);
    assertThat(global.availablePermits()).isEqualTo(9); // 8, then 1 refilled
  }

  @Test
  void acquire_capacityTakenWhileItWaited_waitsAgain() throws Exception {
    Waiter waiter = Waiter.start(() -> layered.acquire("k", null, 1));
    manual.awaitSleepers(1);
    takeTheNextPermitMeanwhile();
    assertThat(waiter.driveWith(manual)).isNull();
    assertThat(manual.read() - start).isEqualTo(2 * SECOND);
    assertThat(seen).containsExactly(new LimiterEvent.Acquired("layered", 1, Duration.ofSeconds(2)));
    assertThat(tenants.waitTime("k", 1)).contains(S);
  }

  @Test
  void tryAcquireWithMaxWait_withinTheBound_waitsAndAnswersTrue() throws Exception {
    AtomicBoolean granted = new AtomicBoolean();
    Waiter waiter = Waiter.start(() -> granted.set(layered.tryAcquire("k", null, 1, S)));
    assertThat(waiter.driveWith(manual)).isNull();
    assertThat(granted).isTrue();
    assertThat(manual.read() - start).isEqualTo(SECOND);
    assertThat(seen).containsExactly(new LimiterEvent.Acquired("layered", 1, S));
  }

  @Test
  void tryAcquireWithMaxWait_tooLong_answersFalseAtOnceAndChargesNothing() throws Exception {
    assertThat(layered.tryAcquire("k", null, 1, Duration.ofMillis(999))).isFalse();
    assertThat(manual.read()).isEqualTo(start);
    assertThat(seen).containsExactly(gaveUp(S));
    assertThat(global.availablePermits()).isEqualTo(9);
  }

  @Test
  void tryAcquireWithMaxWait_capacityTakenWhileItWaited_givesUpWhenTheBoundWouldPass() throws Exception {
    AtomicBoolean granted = new AtomicBoolean(true);
    Waiter waiter =
        Waiter.start(() -> granted.set(layered.tryAcquire("k", null, 1, Duration.ofMillis(1500))));
    manual.awaitSleepers(1);
    takeTheNextPermitMeanwhile();
    assertThat(waiter.driveWith(manual)).isNull();
    assertThat(granted).isFalse(); // at 1 s it would need another second: past the bound
    assertThat(manual.read() - start).isEqualTo(SECOND);
    assertThat(seen).containsExactly(gaveUp(S));
    assertThat(global.availablePermits()).isEqualTo(10); // charged nothing, refilled one
  }

  @Test
  void acquire_interrupted_throwsAndChargesNothing() throws Exception {
    Waiter waiter = Waiter.start(() -> layered.acquire("k", null, 1));
    manual.awaitSleepers(1);
    waiter.interrupt();
    assertThat(waiter.join()).isInstanceOf(InterruptedException.class);
    manual.advance(SECOND);
    assertThat(tenants.availablePermits("k")).isEqualTo(1);
    assertThat(global.availablePermits()).isEqualTo(10);
    assertThat(seen).isEmpty();
  }

  @Test
  void aWaitOfDecades_failsAtOnceInsteadOfParking() {
    // A global scope that grants one permit every 30 years, drained: waiting for it would look
    // like a hang, so the call fails at once (longer than about 18 years).
    Throttle glacial =
        Throttle.builder().name("glacial").rate(1, Duration.ofDays(30 * 365)).ticker(ticker).events(quiet).build();
    Layered<String> l = Layered.<String>builder().name("layered").global(glacial).events(events).build();
    assertThat(glacial.tryAcquire()).isTrue();
    assertThatThrownBy(() -> l.acquire("k", null, 1))
        .isInstanceOfSatisfying(
            MaxWaitExceededException.class,
            e -> {
              assertThat(e.component()).isEqualTo("layered");
              assertThat(e.retryAfter()).contains(Duration.ofDays(30 * 365));
            });
    assertThatThrownBy(() -> l.acquireAsync("k", null, 1).toCompletableFuture().join())
        .cause()
        .isInstanceOf(MaxWaitExceededException.class);
    assertThat(seen).hasSize(2).allSatisfy(e -> assertThat(e).isEqualTo(new LimiterEvent.Rejected(
        "layered", 1, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, Optional.of(Duration.ofDays(30 * 365)),
        Optional.of("global"), Optional.empty())));
    assertThat(manual.read()).isEqualTo(start);
  }

  // ---- asynchronous

  @Test
  void acquireAsync_completesExactlyWhenItFits_andChargesEveryScopeOnce() {
    CompletableFuture<Void> f = layered.acquireAsync("k", null, 1).toCompletableFuture();
    manual.advance(SECOND - 1);
    assertThat(f).isNotDone();
    manual.advance(1);
    assertThat(f).isCompleted();
    assertThat(seen).containsExactly(new LimiterEvent.Acquired("layered", 1, S));
    assertThat(tenants.waitTime("k", 1)).contains(S); // charged once, not twice
    assertThat(global.availablePermits()).isEqualTo(9);
    assertThat(manual.pendingTasks()).isZero();
  }

  @Test
  void acquireAsync_capacityTakenWhileItWaited_triesAgainWhenItWouldFit() {
    CompletableFuture<Void> f = layered.acquireAsync("k", null, 1).toCompletableFuture();
    takeTheNextPermitMeanwhile();
    manual.advance(SECOND);
    assertThat(f).isNotDone();
    assertThat(global.availablePermits()).isEqualTo(10); // not charged at the failed try
    manual.advance(SECOND - 1);
    assertThat(f).isNotDone();
    manual.advance(1);
    assertThat(f).isCompleted();
    assertThat(seen).containsExactly(new LimiterEvent.Acquired("layered", 1, Duration.ofSeconds(2)));
    assertThat(tenants.waitTime("k", 1)).contains(S);
  }

  @Test
  void acquireAsyncWithMaxWait_capacityTakenWhileItWaited_failsWhenTheBoundWouldPass() {
    CompletableFuture<Void> f =
        layered.acquireAsync("k", null, 1, Duration.ofMillis(1500)).toCompletableFuture();
    takeTheNextPermitMeanwhile();
    manual.advance(SECOND);
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOfSatisfying(
            MaxWaitExceededException.class,
            e -> {
              assertThat(e.retryAfter()).contains(S);
              assertThat(e.maxWait()).isEqualTo(Duration.ofMillis(1500));
            });
    assertThat(seen).containsExactly(gaveUp(S));
    assertThat(global.availablePermits()).isEqualTo(10);
    assertThat(manual.pendingTasks()).isZero();
  }

  @Test
  void acquireAsyncWithMaxWait_tooLong_failsAtOnce() {
    CompletableFuture<Void> f =
        layered.acquireAsync("k", null, 1, Duration.ofMillis(999)).toCompletableFuture();
    assertThatThrownBy(f::join).cause().isInstanceOf(MaxWaitExceededException.class);
    assertThat(manual.pendingTasks()).isZero();
    assertThat(seen).containsExactly(gaveUp(S));
  }

  @Test
  void acquireAsync_cancelled_dropsItsTimerAndChargesNothing() {
    CompletableFuture<Void> f = layered.acquireAsync("k", null, 1).toCompletableFuture();
    assertThat(manual.pendingTasks()).isEqualTo(1);
    assertThat(f.cancel(false)).isTrue();
    assertThat(manual.pendingTasks()).isZero();
    manual.advance(SECOND);
    assertThat(tenants.availablePermits("k")).isEqualTo(1);
    assertThat(global.availablePermits()).isEqualTo(10);
  }

  @Test
  void acquireAsync_cancelledAtTheVeryInstantOfItsGrant_givesEveryScopeBackItsCharge() {
    CompletableFuture<Void> f = layered.acquireAsync("k", null, 1).toCompletableFuture();
    // The waiter reads the clock at 1 s; before it charges, its holder cancels it.
    ticker.afterNextReadBy(c -> c.getName().endsWith("Waits$AsyncWaiter"), () -> f.cancel(false));
    manual.advance(SECOND);
    assertThat(f).isCancelled();
    assertThat(tenants.availablePermits("k")).isEqualTo(1);
    assertThat(global.availablePermits()).isEqualTo(10);
    assertThat(seen).isEmpty();
    assertThat(manual.pendingTasks()).isZero();
  }
}
