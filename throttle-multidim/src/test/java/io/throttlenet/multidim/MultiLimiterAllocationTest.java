package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Admission with a reused {@link Costs} allocates nothing while nobody listens. */
class MultiLimiterAllocationTest {

  @Test
  void tryAcquire_withReusedCosts_allocatesNothing() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    MultiLimiter m =
        MultiLimiter.builder()
            .dimension("requests", Throttle.builder().rate(1_000_000, Duration.ofSeconds(1)).ticker(ticker).events(events).build())
            .dimension("input", Throttle.builder().rate(100_000_000, Duration.ofSeconds(1)).ticker(ticker).events(events).build())
            .dimension("output", Throttle.builder().rate(50_000_000, Duration.ofSeconds(1)).ticker(ticker).events(events).build())
            .events(events)
            .build();
    Costs call = Costs.of("requests", 1, "input", 150, "output", 20);
    Runnable run =
        () -> {
          for (int i = 0; i < 200_000; i++) {
            m.tryAcquire(call);
            if ((i & 255) == 0) {
              ticker.advance(1_000_000);
            }
          }
        };
    run.run();
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = bean.getCurrentThreadAllocatedBytes();
    run.run();
    assertThat(bean.getCurrentThreadAllocatedBytes() - before).isLessThan(4_096);
  }
}
