package io.throttlenet.examples;

import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.Subscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The README's first steps, runnable: pace blocking calls with a token bucket, acquire without
 * holding a thread, and cap a window exactly with a sliding-window log, printing when each call
 * was let through.
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) throws Exception {
    EventRegistry events = EventRegistry.create();
    LongAdder waitedNanos = new LongAdder();
    Subscription waits =
        events.subscribe(LimiterEvent.Acquired.class, e -> waitedNanos.add(e.waitTime().toNanos()));
    try {

      // 1. Pace: 10 calls per second with a burst of 3. The first 3 go at once, then one every 100 ms.
      Throttle throttle =
          Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(3).name("api").events(events).build();
      long start = System.nanoTime();
      System.out.println("Throttle 10/s, burst 3: twelve blocking calls");
      for (int i = 1; i <= 12; i++) {
        throttle.acquire();
        System.out.printf("  call %2d let through at %4d ms%n", i, elapsedMillis(start));
      }

      // 2. Cost-aware and non-blocking: tryAcquire never waits, acquireAsync never holds a thread.
      System.out.printf(
          "tryAcquire(5) on a bucket of 3 -> %s (cost exceeds the burst)%n", throttle.tryAcquire(5));
      long asyncStart = System.nanoTime();
      CompletionStage<Void> granted = throttle.acquireAsync(2);
      System.out.printf("acquireAsync(2) returned after %d ms without blocking%n", elapsedMillis(asyncStart));
      granted.toCompletableFuture().join();
      System.out.printf("  ... and completed after %d ms%n", elapsedMillis(asyncStart));

      // 3. Exact window: at most 5 per 500 ms, in every window, with no boundary burst.
      SlidingWindowLog log =
          SlidingWindowLog.builder().limit(5).window(Duration.ofMillis(500)).name("window").events(events).build();
      long logStart = System.nanoTime();
      System.out.println("SlidingWindowLog 5 per 500 ms: eight async calls");
      CompletableFuture<?>[] calls = new CompletableFuture<?>[8];
      for (int i = 0; i < calls.length; i++) {
        int n = i + 1;
        calls[i] =
            log.acquireAsync(1)
                .thenRun(() -> System.out.printf("  call %d let through at %4d ms%n", n, elapsedMillis(logStart)))
                .toCompletableFuture();
      }
      CompletableFuture.allOf(calls).join();
    } finally {
      waits.close();
    }
    System.out.printf("Total time callers were told to wait: %d ms%n", waitedNanos.sum() / 1_000_000);
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
