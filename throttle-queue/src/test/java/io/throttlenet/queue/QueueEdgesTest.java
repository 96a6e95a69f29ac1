package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What the queue's rejections say, each builder option set twice, and the decorators of a
 * concurrency limit and of an admission queue over one: the slot always comes back, with the
 * outcome the classifier gives.
 */
class QueueEdgesTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + 99);
  private final EventRegistry events = EventRegistry.create();
  private final List<ConcurrencyEvent.Released> released = new ArrayList<>();

  private ConcurrencyLimit limit(int n) {
    events.subscribe(ConcurrencyEvent.Released.class, released::add);
    return ConcurrencyLimit.builder()
        .name("bulkhead")
        .limit(n)
        .classify(t -> t instanceof IOException ? Outcome.FAILURE : Outcome.DROPPED)
        .ticker(ticker)
        .events(events)
        .build();
  }

  @Test
  void rejections_sayWhatHappened() {
    assertThat(new QueueFullException("q", 8, false)).hasMessage("q: the queue is full (8 waiters)")
        .satisfies(e -> assertThat(e.dropped()).isFalse());
    assertThat(new QueueFullException("q", 8, 100, true)).hasMessage("q: dropped from the full queue (8 waiters or 100 cost)")
        .satisfies(e -> assertThat(e.dropped()).isTrue());
    assertThat(new DeadlineExceededException("q", true)).hasMessage("q: the predicted wait already exceeds the deadline");
    assertThat(new DeadlineExceededException("q", false)).hasMessage("q: the deadline passed while waiting");
  }

  @Test
  void admissionQueueOptions_setTwice_areRefused() {
    ConcurrencyLimit c = limit(1);
    assertThatThrownBy(() -> AdmissionQueue.builder(c).capacity(1).capacity(2)).hasMessage("capacity was already set");
    assertThatThrownBy(() -> AdmissionQueue.builder(c).maxQueuedCost(1).maxQueuedCost(2)).hasMessage("maxQueuedCost was already set");
    assertThatThrownBy(() -> AdmissionQueue.builder(c).overflow(Overflow.REJECT).overflow(Overflow.REJECT))
        .hasMessage("overflow was already set");
    assertThatThrownBy(() -> AdmissionQueue.builder(c).quantum(1).quantum(2)).hasMessage("quantum was already set");
    assertThatThrownBy(() -> AdmissionQueue.builder(c).name("a").name("b")).hasMessage("name was already set");
    assertThatThrownBy(() -> AdmissionQueue.builder(c).events(events).events(events)).hasMessage("events was already set");
    assertThatThrownBy(() -> ConcurrencyLimit.builder().limit(1).limit(2)).hasMessage("limit was already set");
    assertThatThrownBy(() -> ConcurrencyLimit.builder().limit(0)).hasMessage("limit must be >= 1, was 0");
    assertThatThrownBy(() -> ConcurrencyLimit.builder().classify(t -> Outcome.FAILURE).classify(t -> Outcome.FAILURE))
        .hasMessage("classify was already set");
  }

  @Test
  void names_andToString() {
    ConcurrencyLimit c = limit(3);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(c).name("front").capacity(5).events(events).build();
    assertThat(q.name()).isEqualTo("front");
    assertThat(q).hasToString("AdmissionQueue[front, 0/5]");
    assertThat(c.name()).isEqualTo("bulkhead");
    assertThat(c.ticker()).isSameAs(ticker);
    assertThat(c).hasToString("ConcurrencyLimit[bulkhead, 0/3]");
    assertThat(AdmissionQueue.<String>builder(Throttle.builder().rate(1, Duration.ofSeconds(1)).ticker(ticker).build()).build().name())
        .startsWith("admission-queue-");
  }

  @Test
  void concurrencyLimitDecorator_releasesWithTheClassifiedOutcome_onBothPaths() throws Exception {
    ConcurrencyLimit c = limit(1);
    CheckedSupplier<String> ok = c.decorate(() -> "ok");
    CheckedSupplier<String> down = c.decorate(() -> {
      throw new IOException("down");
    });
    CheckedSupplier<String> odd = c.decorate(() -> {
      throw new IllegalStateException("odd");
    });
    assertThat(ok.get()).isEqualTo("ok");
    assertThatThrownBy(down::get).isInstanceOf(IOException.class);
    assertThatThrownBy(odd::get).isInstanceOf(IllegalStateException.class);
    assertThat(released).extracting(ConcurrencyEvent.Released::outcome).containsExactly(Outcome.SUCCESS, Outcome.FAILURE, Outcome.DROPPED);
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void concurrencyLimitDecorateAsync_releasesWhenTheStageEnds() {
    ConcurrencyLimit c = limit(1);
    CompletableFuture<String> inner = new CompletableFuture<>();
    CompletableFuture<String> out = c.decorateAsync(() -> inner).get().toCompletableFuture();
    assertThat(c.inFlight()).isEqualTo(1);
    inner.completeExceptionally(new IOException("down"));
    assertThat(out).isCompletedExceptionally();
    CompletableFuture<String> thrown = c.<String>decorateAsync(() -> {
      throw new IllegalStateException("no stage");
    }).get().toCompletableFuture();
    assertThat(thrown).isCompletedExceptionally();
    assertThat(c.decorateAsync(() -> CompletableFuture.completedFuture("x")).get().toCompletableFuture()).isCompletedWithValue("x");
    assertThat(released).extracting(ConcurrencyEvent.Released::outcome).containsExactly(Outcome.FAILURE, Outcome.DROPPED, Outcome.SUCCESS);
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void admissionQueueDecorator_overALimit_releasesTheSlotWithTheClassifiedOutcome() throws Exception {
    ConcurrencyLimit c = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(c).events(events).build();
    var d = q.decorator("k", 0, 1, null);
    assertThat(d.decorate(() -> "ok").get()).isEqualTo("ok");
    assertThatThrownBy(() -> d.decorate(() -> {
      throw new IOException("down");
    }).get()).isInstanceOf(IOException.class);
    assertThat(d.decorateAsync(() -> CompletableFuture.completedFuture("a")).get().toCompletableFuture()).isCompletedWithValue("a");
    CompletableFuture<Object> failed = d.decorateAsync(() -> CompletableFuture.failedFuture(new IllegalStateException())).get().toCompletableFuture();
    assertThat(failed).isCompletedExceptionally();
    CompletableFuture<Object> thrown = d.decorateAsync(() -> {
      throw new IllegalStateException("no stage");
    }).get().toCompletableFuture();
    assertThat(thrown).isCompletedExceptionally();
    assertThat(released).extracting(ConcurrencyEvent.Released::outcome)
        .containsExactly(Outcome.SUCCESS, Outcome.FAILURE, Outcome.SUCCESS, Outcome.DROPPED, Outcome.DROPPED);
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void admissionQueueDecorateAsync_cancelledWhileQueued_leavesAndLeaksNothing() {
    ConcurrencyLimit c = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(c).events(events).build();
    Permit held = c.tryAcquire().orElseThrow();
    var d = q.decorator("k", 0, 1, null);
    CompletableFuture<String> out = d.decorateAsync(() -> CompletableFuture.completedFuture("late")).get().toCompletableFuture();
    assertThat(q.size()).isEqualTo(1);
    out.cancel(false);
    assertThat(q.size()).isZero();
    held.success();
    assertThat(c.inFlight()).isZero();
  }

  @Test
  void admissionQueueOverAThrottle_decoratesWithSpentPermits() throws Exception {
    Throttle t = Throttle.builder().rate(2, Duration.ofSeconds(1)).ticker(ticker).build();
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(t).events(events).build();
    var d = q.decorator("k", 0, 1, null);
    assertThat(d.decorate(() -> "one").get()).isEqualTo("one");
    assertThatThrownBy(() -> d.decorate(() -> {
      throw new IOException();
    }).get()).isInstanceOf(IOException.class);
    assertThat(t.availablePermits()).isZero(); // a rate limiter's turn is spent whatever the call did
    assertThat(q.tryAcquire("k", 1)).isEmpty();
  }
}
