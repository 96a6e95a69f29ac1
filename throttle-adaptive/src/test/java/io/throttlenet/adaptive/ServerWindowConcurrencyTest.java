package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several threads granting, releasing, cancelling and waiting on one {@link ServerWindow} with the
 * clock frozen (so everything released stays counted): the totals come out exact.
 */
class ServerWindowConcurrencyTest {

  @Test
  void concurrentCallers_neverGetMoreThanTheLimit_andTheCountsAddUpExactly() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    long limit = 5_000;
    ServerWindow w =
        ServerWindow.builder()
            .dimension("tokens", limit, Duration.ofSeconds(1))
            .dimension("requests", 400, Duration.ofSeconds(1))
            .ticker(ticker)
            .events(EventRegistry.create())
            .build();
    AtomicLong kept = new AtomicLong(); // granted and released: counted for good
    AtomicLong keptRequests = new AtomicLong();
    List<CompletableFuture<ServerWindow.Permit>> waits = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                List<CompletableFuture<ServerWindow.Permit>> mine = new ArrayList<>();
                for (int i = 0; i < 3_000; i++) {
                  Costs c = Costs.of("tokens", 1 + r.nextInt(30), "requests", 1);
                  if (r.nextInt(10) == 0) {
                    CompletableFuture<ServerWindow.Permit> f = w.acquireAsync(c);
                    if (r.nextBoolean()) {
                      f.cancel(false);
                    }
                    mine.add(f);
                    continue;
                  }
                  Optional<ServerWindow.Permit> p = w.tryAcquire(c);
                  if (p.isEmpty()) {
                    continue;
                  }
                  if (r.nextBoolean()) {
                    p.get().cancel();
                  } else {
                    p.get().release();
                    kept.addAndGet(c.get("tokens"));
                    keptRequests.incrementAndGet();
                  }
                }
                synchronized (waits) {
                  waits.addAll(mine);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long waitedTokens = 0;
    long waitedRequests = 0;
    for (CompletableFuture<ServerWindow.Permit> f : waits) {
      if (f.isDone() && !f.isCompletedExceptionally()) {
        waitedTokens += f.join().costs().get("tokens");
        waitedRequests++;
      }
    }
    assertThat(kept.get() + waitedTokens).isLessThanOrEqualTo(limit);
    assertThat(keptRequests.get() + waitedRequests).isLessThanOrEqualTo(400);
    assertThat(w.inFlight("tokens")).isEqualTo(waitedTokens);
    assertThat(w.availablePermits("tokens")).isEqualTo(limit - kept.get() - waitedTokens);
    assertThat(w.availablePermits("requests"))
        .isEqualTo(400 - keptRequests.get() - waitedRequests);
    assertThat(w.waiting()).isEqualTo(waits.stream().filter(f -> !f.isDone()).count());
  }
}
