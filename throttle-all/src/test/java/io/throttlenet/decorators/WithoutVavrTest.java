package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Runs in its own surefire execution whose class path lacks Vavr: a user who never touches the
 * Vavr methods needs no Vavr.
 */
class WithoutVavrTest {

  @Test
  void vavrIsReallyAbsent() {
    assertThatThrownBy(() -> Class.forName("io.vavr.CheckedFunction0")).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void everyNonVavrEntryPoint_works() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    Throttle limiter = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(10).ticker(ticker).build();
    Retry retry = Retry.builder().maxAttempts(2).backoff(Backoff.constant(Duration.ofMillis(1))).ticker(ticker).build();
    assertThat(Decorators.ofSupplier(() -> "s").withThrottle(limiter).withRetry(retry).withFallback(e -> "f").get())
        .isEqualTo("s");
    assertThat(Decorators.ofCallable(() -> "c").withThrottle(limiter).call()).isEqualTo("c");
    Decorators.ofRunnable(() -> { }).withThrottle(limiter).run();
    assertThat(Decorators.<Integer, Integer>ofFunction(x -> x + 1).withThrottle(limiter).apply(1)).isEqualTo(2);
    assertThat(Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("a")).withThrottle(limiter).get()
        .toCompletableFuture().join()).isEqualTo("a");
    assertThat(limiter.availablePermits()).isEqualTo(5);
  }
}
