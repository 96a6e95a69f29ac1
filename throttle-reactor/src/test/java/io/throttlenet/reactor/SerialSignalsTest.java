package io.throttlenet.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.CallTimeoutException;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Timeout;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A step that ends a Flux's call on another thread (a timeout's timer) must not signal the end
 * while the source's thread is inside the downstream's onNext, nor let an onNext follow it
 * (Reactive Streams rules 1.3 and 1.7). Latches order the threads; nothing sleeps.
 */
class SerialSignalsTest {
  private static final long WAIT_SECONDS = 30; // a bound for a broken run, never reached when it works
  private final ExecutorService sourceThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    sourceThread.shutdownNow();
  }

  @Test
  void aTimeoutDuringOnNext_waitsForItToReturn_andNothingFollowsTheError() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    CountDownLatch inOnNext = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Checker checker = new Checker() {
      @Override
      void whileInOnNext() throws InterruptedException {
        if (inOnNext.getCount() > 0) {
          inOnNext.countDown();
          assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
      }
    };
    CountDownLatch sourceStopped = new CountDownLatch(1);
    endless(sourceStopped).transformDeferred(timeout(ticker)).subscribe(checker);

    assertThat(inOnNext.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    ticker.advance(Duration.ofSeconds(1)); // the timer ends the call here, on this thread
    assertThat(checker.terminal).as("the error waits for the onNext in progress").hasValue(null);
    release.countDown();

    assertThat(checker.ended.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(sourceStopped.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(checker.terminal.get()).isInstanceOf(CallTimeoutException.class);
    assertThat(checker.violations).hasValue(0);
  }

  @Test
  void aTimeoutRacingAFastSource_neverOverlapsAnOnNext_norIsFollowedByOne() throws Exception {
    for (int i = 0; i < 500; i++) {
      ManualTicker ticker = ManualTicker.create();
      CountDownLatch firstElement = new CountDownLatch(1);
      Checker checker = new Checker() {
        @Override
        void whileInOnNext() {
          firstElement.countDown();
        }
      };
      CountDownLatch sourceStopped = new CountDownLatch(1);
      endless(sourceStopped).transformDeferred(timeout(ticker)).subscribe(checker);

      assertThat(firstElement.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      ticker.advance(Duration.ofSeconds(1)); // races the source's thread, in onNext or between two

      assertThat(checker.ended.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(sourceStopped.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(checker.terminal.get()).isInstanceOf(CallTimeoutException.class);
      assertThat(checker.violations).as("iteration %d", i).hasValue(0);
    }
  }

  private static UnaryOperator<Publisher<Integer>> timeout(ManualTicker ticker) {
    return ReactorThrottling.of().with(Timeout.builder().timeout(Duration.ofSeconds(1)).ticker(ticker).build()).operator();
  }

  /** A source that emits on its own thread, as fast as it can, until it is cancelled. */
  private Flux<Integer> endless(CountDownLatch stopped) {
    return Flux.create(sink -> sourceThread.execute(() -> {
      int i = 0;
      while (!sink.isCancelled()) {
        sink.next(i++);
      }
      stopped.countDown();
    }), FluxSink.OverflowStrategy.IGNORE);
  }

  /**
   * Counts every overlapping signal and every signal after the end; requests everything. A
   * CoreSubscriber, as Reactor's operators are: a plain Subscriber would be wrapped in Reactor's
   * strict subscriber, which serialises on its own and would hide the fault.
   */
  private abstract static class Checker implements CoreSubscriber<Integer> {
    final AtomicInteger violations = new AtomicInteger();
    final AtomicReference<Throwable> terminal = new AtomicReference<>();
    final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean over;

    abstract void whileInOnNext() throws InterruptedException;

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Integer t) {
      enter();
      try {
        whileInOnNext();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inside.decrementAndGet();
      }
    }

    @Override
    public void onError(Throwable t) {
      enter();
      terminal.set(t);
      over = true;
      inside.decrementAndGet();
      ended.countDown();
    }

    @Override
    public void onComplete() {
      onError(new AssertionError("completed instead of timing out"));
    }

    private void enter() {
      if (inside.getAndIncrement() != 0 || over) {
        violations.incrementAndGet();
      }
    }
  }
}
