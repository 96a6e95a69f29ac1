package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An admission queue in front of a bulkhead: turns are slots, handed on as calls end. */
class AdmissionQueueOverConcurrencyTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final List<String> served = new ArrayList<>();

  private ConcurrencyLimit limit(int n) {
    return ConcurrencyLimit.builder().limit(n).ticker(ticker).events(events).build();
  }

  private CompletableFuture<Permit> join(AdmissionQueue<String> q, String key, int priority, String label) {
    CompletableFuture<Permit> f = q.acquireAsync(key, priority, 1, null).toCompletableFuture();
    f.thenRun(() -> served.add(label));
    return f;
  }

  @Test
  void slotsGivenBack_goToWaitersInPolicyOrder() {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).events(events).build();
    List<CompletableFuture<Permit>> turns = new ArrayList<>();
    turns.add(join(q, "a", 0, "a1"));
    turns.add(join(q, "a", 0, "a2"));
    turns.add(join(q, "b", 0, "b1"));
    turns.add(join(q, "c", 7, "c-high"));
    assertThat(served).containsExactly("a1");
    assertThat(q.size()).isEqualTo(3);
    // the ticker never moves: only slots given back move the queue
    for (int i = 0; i < 4; i++) {
      assertThat(limit.inFlight()).isEqualTo(1);
      String label = served.get(served.size() - 1);
      turns.get(List.of("a1", "a2", "b1", "c-high").indexOf(label)).join().success();
    }
    assertThat(served).containsExactly("a1", "c-high", "a2", "b1");
    assertThat(limit.inFlight()).isZero();
    assertThat(q.size()).isZero();
  }

  @Test
  void callersOfTheLimitItself_goBeforeTheQueue() throws Exception {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    Permit held = limit.tryAcquire().orElseThrow();
    CompletableFuture<Permit> queued = join(q, "k", 9, "queued");
    CompletableFuture<Permit> direct = limit.acquireAsync().toCompletableFuture();
    held.success();
    assertThat(direct).isCompleted();
    assertThat(queued).isNotDone();
    direct.join().success();
    assertThat(queued).isCompleted();
    queued.join().close();
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void deadline_boundsTheWait_andTheWaiterNeverTakesASlotAfterIt() {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    Permit held = q.tryAcquire("k", 1).orElseThrow();
    CompletableFuture<Permit> late = q.acquireAsync("k", 0, 1, Duration.ofSeconds(1)).toCompletableFuture();
    assertThat(late).isNotDone(); // a bulkhead predicts nothing: no refusal up front
    ticker.advance(Duration.ofSeconds(1));
    assertThatThrownBy(late::join).hasCauseInstanceOf(DeadlineExceededException.class);
    held.success();
    assertThat(limit.inFlight()).isZero();
    assertThat(q.size()).isZero();
  }

  @Test
  void cancelledWhileQueued_leaves_andAGrantNobodyTakesIsGivenBack() {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    Permit held = q.tryAcquire("k", 1).orElseThrow();
    CompletableFuture<Permit> cancelled = join(q, "k", 0, "cancelled");
    CompletableFuture<Permit> next = join(q, "k", 0, "next");
    cancelled.cancel(false);
    assertThat(q.size()).isEqualTo(1);
    held.success();
    assertThat(served).containsExactly("next");
    // the caller completes its own view: the slot handed over later must come back
    CompletableFuture<Permit> abandoned = join(q, "k", 0, "abandoned");
    abandoned.complete(Permit.SPENT);
    next.join().success();
    assertThat(limit.inFlight()).isZero();
    assertThat(q.size()).isZero();
  }

  @Test
  void decorator_holdsTheSlotForTheCall_andReportsItsOutcome() throws Throwable {
    ConcurrencyLimit limit =
        ConcurrencyLimit.builder().limit(1).ticker(ticker).events(events)
            .classify(t -> t instanceof IOException ? Outcome.DROPPED : Outcome.IGNORED).build();
    List<ConcurrencyEvent.Released> released = new ArrayList<>();
    events.subscribe(ConcurrencyEvent.Released.class, released::add);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    var decorator = q.decorator("k", 0, 1, null);
    assertThat(decorator.decorate(() -> {
      assertThat(limit.inFlight()).isEqualTo(1);
      return "ok";
    }).get()).isEqualTo("ok");
    assertThatThrownBy(() -> decorator.decorate(() -> {
      throw new IOException("503");
    }).get()).isInstanceOf(IOException.class);
    CompletableFuture<String> async = new CompletableFuture<>();
    CompletableFuture<String> out = decorator.decorateAsync(() -> async).get().toCompletableFuture();
    assertThat(limit.inFlight()).isEqualTo(1);
    async.complete("later");
    assertThat(out.join()).isEqualTo("later");
    assertThat(limit.inFlight()).isZero();
    assertThat(released).extracting(ConcurrencyEvent.Released::outcome)
        .containsExactly(Outcome.SUCCESS, Outcome.DROPPED, Outcome.SUCCESS);
  }

  @Test
  void manyWaitersWhoseCallsEndAtOnce_areServedWithoutDeepRecursion() throws Exception {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).capacity(20_000).build();
    Permit held = q.tryAcquire("k", 1).orElseThrow();
    var decorator = q.decorator("k", 0, 1, null);
    List<CompletableFuture<String>> outs = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // each call ends at once, freeing its slot inside the completion that granted it
      outs.add(decorator.decorateAsync(() -> CompletableFuture.completedFuture("x")).get().toCompletableFuture());
    }
    held.success();
    assertThat(outs).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(limit.inFlight()).isZero();
    assertThat(q.size()).isZero();
  }

  @Test
  void aCallerFinishingItsStageBeforeItsTurn_leavesAndNeverTakesASlot() throws Exception {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    Permit held = q.tryAcquire("k", 1).orElseThrow();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> out = q.decorator("k", 0, 1, null)
        .decorateAsync(() -> {
          calls.incrementAndGet();
          return CompletableFuture.completedFuture("x");
        })
        .get().toCompletableFuture();
    out.completeExceptionally(new java.util.concurrent.TimeoutException("gave up"));
    assertThat(q.size()).isZero();
    held.success();
    assertThat(calls).hasValue(0);
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void aContinuationThatBlocksOnTheQueue_neverStopsOtherThreadsFromServingIt() throws Exception {
    ConcurrencyLimit limit = limit(2);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    Permit x = q.tryAcquire("k", 1).orElseThrow();
    Permit y = q.tryAcquire("k", 1).orElseThrow();
    CompletableFuture<Permit> nested = new CompletableFuture<>();
    // A's continuation runs on the thread that frees y, and blocks there in the queue again
    q.acquireAsync("k", 0, 1, null).thenAccept(a -> {
      try {
        a.success();
        nested.complete(q.acquire("k", 0, 1, null));
      } catch (Throwable e) {
        nested.completeExceptionally(e);
      }
    });
    CompletableFuture<Permit> b = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    Thread releasesY = new Thread(y::success);
    releasesY.start();
    while (!b.isDone() && q.size() < 2) {
      Thread.onSpinWait(); // until A went and its nested acquire is queued behind B
    }
    x.success(); // this thread must serve B itself, not leave it to the blocked one
    b.get(30, java.util.concurrent.TimeUnit.SECONDS).success();
    nested.get(30, java.util.concurrent.TimeUnit.SECONDS).success();
    releasesY.join(30_000);
    assertThat(releasesY.isAlive()).isFalse();
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void aCallCancelledWhileRunning_getsTheCancel_andItsSlotComesBack() throws Exception {
    ConcurrencyLimit limit = limit(1);
    AdmissionQueue<String> q = AdmissionQueue.<String>builder(limit).build();
    CompletableFuture<String> running = new CompletableFuture<>();
    CompletableFuture<String> out =
        q.decorator("k", 0, 1, null).decorateAsync(() -> running).get().toCompletableFuture();
    assertThat(limit.inFlight()).isEqualTo(1);
    out.cancel(false);
    assertThat(running).isCancelled();
    assertThat(limit.inFlight()).isZero();
  }
}
