package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Subscription;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing while nobody listens for events. Measured with the JVM's
 * per-thread allocation counter over many calls, so a single byte per call would show as
 * hundreds of kilobytes; the margin only absorbs the counter's own bookkeeping.
 */
class AllocationTest {
  private static final int CALLS = 200_000;
  private static final long MARGIN_BYTES = 4_096;

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static long bytesPerRun(Runnable r) {
    r.run(); // warm up
    long before = allocatedBytes();
    r.run();
    return allocatedBytes() - before;
  }

  @Test
  void throttle_tryAcquire_allocatesNothingWithoutListeners() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    Throttle t =
        Throttle.builder().rate(1_000_000, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    // Listeners for other components or other types must not make this one pay.
    Subscription other = events.subscribe(LimiterEvent.Acquired.class, "someone-else", e -> {});
    long bytes =
        bytesPerRun(
            () -> {
              boolean any = false;
              for (int i = 0; i < CALLS; i++) {
                any |= t.tryAcquire();
                if ((i & 1023) == 0) {
                  ticker.advance(1_000_000);
                }
              }
              assertThat(any).isTrue();
            });
    other.close();
    assertThat(bytes).isLessThan(MARGIN_BYTES);
  }

  @Test
  void throttle_denial_allocatesNothingWithoutListeners() {
    Throttle t =
        Throttle.builder()
            .rate(1, Duration.ofHours(1))
            .initialPermits(0)
            .ticker(ManualTicker.create())
            .events(EventRegistry.create())
            .build();
    long bytes =
        bytesPerRun(
            () -> {
              for (int i = 0; i < CALLS; i++) {
                if (t.tryAcquire()) {
                  throw new AssertionError("granted");
                }
              }
            });
    assertThat(bytes).isLessThan(MARGIN_BYTES);
  }

  @Test
  void layered_tryAcquire_overLiveKeys_allocatesNothingWithoutListeners() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    Duration second = Duration.ofSeconds(1);
    Layered<String> layered = Layered.<String>builder()
        .global(Throttle.builder().rate(1_000_000_000, second).burst(1_000_000).ticker(ticker).events(events).build())
        .perKey(PerKey.<String>builder().rate(100_000_000, second).burst(100_000).ticker(ticker).events(events).build())
        .perEndpoint(PerKey.<String>builder().rate(100_000_000, second).burst(100_000).ticker(ticker).events(events).build())
        .ticker(ticker)
        .events(events)
        .build();
    String[] tenants = {"a", "b", "c"};
    String[] endpoints = {"/x", "/y"};
    long bytes =
        bytesPerRun(
            () -> {
              for (int i = 0; i < CALLS; i++) {
                if (!layered.tryAcquire(tenants[i % 3], endpoints[i % 2])) {
                  throw new AssertionError("refused");
                }
                if ((i & 1023) == 0) {
                  ticker.advance(1_000_000);
                }
              }
            });
    assertThat(bytes).isLessThan(MARGIN_BYTES);
  }
  @Test
  void layered_tryAcquire_overMoreLimitersThanItsFirstScratchArray_allocatesNothing() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    Throttle[] t = new Throttle[10];
    for (int i = 0; i < t.length; i++) {
      t[i] = Throttle.builder().rate(1_000_000_000, Duration.ofSeconds(1)).burst(1_000_000).ticker(ticker).events(events).build();
    }
    Layered<String> layered = Layered.<String>builder()
        .global(Throttle.allOf(t[0], t[1], t[2], t[3], t[4]))
        .perKey(PerKey.<String>builder().limiter(k -> Throttle.allOf(t[5], t[6], t[7])).ticker(ticker).events(events).build())
        .perEndpoint(PerKey.<String>builder().limiter(k -> Throttle.allOf(t[8], t[9])).ticker(ticker).events(events).build())
        .ticker(ticker)
        .events(events)
        .build();
    // On a thread of its own, so that its per-thread scratch array starts at its initial size.
    long[] bytes = new long[1];
    Waiter fresh = Waiter.start(() -> bytes[0] =
        bytesPerRun(
            () -> {
              for (int i = 0; i < CALLS; i++) {
                if (!layered.tryAcquire("a", "/x")) {
                  throw new AssertionError("refused");
                }
                if ((i & 1023) == 0) {
                  ticker.advance(1_000_000);
                }
              }
            }));
    assertThat(fresh.join()).isNull();
    assertThat(bytes[0]).isLessThan(MARGIN_BYTES);
  }
}
