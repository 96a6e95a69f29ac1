package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import io.vavr.CheckedFunction0;
import io.vavr.control.Try;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VavrTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final Throttle limiter = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(5).ticker(ticker).build();

  @Test
  void checkedSupplier_throughTheChain() throws Throwable {
    CheckedFunction0<String> decorated = Decorators.ofCheckedSupplier(() -> "v").withThrottle(limiter).decorate();
    assertThat(decorated.apply()).isEqualTo("v");
    assertThat(Decorators.ofCheckedSupplier(() -> "w").withThrottle(limiter).get()).isEqualTo("w");
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  @Test
  void tryGet_capturesTheFailureUnwrapped() {
    Try<String> failed = Decorators.<String>ofCheckedSupplier(() -> {
      throw new IOException("io");
    }).withThrottle(limiter).tryGet();
    assertThat(failed.isFailure()).isTrue();
    assertThat(failed.getCause()).isInstanceOf(IOException.class);
    assertThat(Decorators.ofCallable(() -> "c").tryGet().get()).isEqualTo("c");
    assertThat(Decorators.ofSupplier(() -> "s").tryGet().get()).isEqualTo("s");
  }

  @Test
  void aBareThrowable_reachesTheCallerWrapped() {
    Throwable odd = new Throwable("neither Exception nor Error");
    assertThatThrownBy(() -> Decorators.ofCheckedSupplier(() -> {
      throw odd;
    }).get()).hasCause(odd);
  }

  @Test
  void tryGet_capturesAnInterruptedWait_andKeepsTheThreadInterrupted() {
    Throttle empty = Throttle.builder().rate(1, Duration.ofSeconds(10)).initialPermits(0).ticker(ticker).build();
    Thread.currentThread().interrupt();
    Try<String> interrupted = Decorators.ofSupplier(() -> "never").withThrottle(empty).tryGet();
    assertThat(Thread.interrupted()).isTrue();
    assertThat(interrupted.isFailure()).isTrue();
    assertThat(interrupted.getCause()).isInstanceOf(java.util.concurrent.CompletionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
  }
}
