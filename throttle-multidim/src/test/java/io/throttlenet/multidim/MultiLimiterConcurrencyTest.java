package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Exact totals: threads racing on a frozen MultiLimiter never over-grant any dimension. */
class MultiLimiterConcurrencyTest {

  @Test
  void racingCallers_chargeEveryDimensionExactly() throws Exception {
    for (int round = 0; round < 20; round++) {
      ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE);
      MultiLimiter m =
          MultiLimiter.builder()
              .dimension("requests", Throttle.builder().rate(100, Duration.ofMinutes(1)).ticker(ticker).build())
              .dimension("tokens", Throttle.builder().rate(5_000, Duration.ofMinutes(1)).ticker(ticker).build())
              .build();
      Costs[] shapes = {
        Costs.of("requests", 1, "tokens", 70),
        Costs.of("requests", 1, "tokens", 30),
        Costs.of("tokens", 45),
        Costs.of("requests", 2)
      };
      LongAdder requests = new LongAdder();
      LongAdder tokens = new LongAdder();
      CyclicBarrier start = new CyclicBarrier(4);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Costs call = shapes[t];
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int k = 0; k < 200; k++) {
                      if (m.tryAcquire(call)) {
                        requests.add(call.get("requests"));
                        tokens.add(call.get("tokens"));
                      }
                    }
                  } catch (Throwable e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                  }
                });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join(60_000);
      }
      assertThat(failures).isEmpty();
      assertThat(requests.sum() + m.availablePermits("requests")).isEqualTo(100);
      assertThat(tokens.sum() + m.availablePermits("tokens")).isEqualTo(5_000);
    }
  }
}
