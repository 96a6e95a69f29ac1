package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.ManualTicker;
import java.util.concurrent.atomic.AtomicReference;

/** A thread running one blocking call, for tests that drive it with a manual ticker. */
final class Waiter {
  interface Body {
    void run() throws Exception;
  }

  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private Waiter(Body body) {
    thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                failure.set(e);
              }
            });
  }

  static Waiter start(Body body) {
    Waiter w = new Waiter(body);
    w.thread.start();
    return w;
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  void interrupt() {
    thread.interrupt();
  }

  /**
   * Drives a call that waits on {@code ticker} ({@code sleepUntil}) to its end: each time it is
   * asleep, advances exactly to its deadline, and nothing more. Returns the call's failure. Real
   * time only bounds a broken call (30 s); the ticker decides every wait.
   */
  Throwable driveWith(ManualTicker ticker) throws InterruptedException {
    long giveUp = System.nanoTime() + 30_000_000_000L;
    while (thread.isAlive() && System.nanoTime() - giveUp < 0) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        Thread.yield(); // between two waits: let it read the clock and try again
      }
    }
    return join();
  }

  /** Waits for the call to end (it must, within 30 s of real time) and returns its failure. */
  Throwable join() throws InterruptedException {
    thread.join(30_000);
    assertThat(thread.isAlive()).as("the waiter ended").isFalse();
    return failure.get();
  }
}
