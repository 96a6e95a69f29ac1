package io.throttlenet.decorators;

import io.throttlenet.core.ManualTicker;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Test helper: blocking calls whose waits a manual ticker must release. */
final class Ticking {
  private Ticking() {}

  /** Runs {@code call} on another thread while this one advances {@code ticker} to each sleeper. */
  static <T> T whileTicking(ManualTicker ticker, Callable<T> call) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        out.complete(call.call());
      } catch (Throwable e) {
        out.completeExceptionally(e);
      }
    });
    t.start();
    while (!out.isDone()) {
      if (!ticker.tryAdvanceToNextSleeper()) {
        Thread.onSpinWait();
      }
    }
    t.join();
    return out.get();
  }
}
