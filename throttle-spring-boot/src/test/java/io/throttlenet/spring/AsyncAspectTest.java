package io.throttlenet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Ticker;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Annotated methods returning a {@code CompletionStage}, called through the Spring context. */
class AsyncAspectTest {
  private static final IOException DOWN = new IOException("down");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, ThrottleNetAutoConfiguration.class))
      .withBean(Ticker.class, ManualTicker::create) // time stands still: no permit comes back
      .withBean(Service.class)
      .withPropertyValues(
          "throttlenet.throttle.api.rate=3/1s");

  /** A bean whose methods the aspect wraps; it counts its calls. */
  public static class Service {
    private final AtomicInteger calls = new AtomicInteger();

    /** Through a method: the bean the test holds is a proxy, whose own fields are unset. */
    public int calls() {
      return calls.get();
    }

    @Throttled("api")
    public CompletionStage<String> answer() {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture("ok");
    }

    @Throttled("api")
    public CompletionStage<String> failChecked() throws IOException {
      calls.incrementAndGet();
      throw DOWN;
    }
  }

  @Test
  void aSuccessfulAsyncCall_returnsTheMethodsValue_andPaysItsPermit() {
    runner.run(context -> {
      Service service = context.getBean(Service.class);
      Throttle api = context.getBean("throttlenet.throttle.api", Throttle.class);

      assertThat(service.answer().toCompletableFuture().join()).isEqualTo("ok");

      assertThat(service.calls()).isEqualTo(1);
      assertThat(api.availablePermits()).isEqualTo(2);
    });
  }

  @Test
  void aCheckedExceptionThrownByTheMethod_failsTheStageWithItUnwrapped_likeAnyOtherFailure() {
    runner.run(context -> {
      Service service = context.getBean(Service.class);
      Throttle api = context.getBean("throttlenet.throttle.api", Throttle.class);

      CompletableFuture<String> result = service.failChecked().toCompletableFuture();

      assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause().isSameAs(DOWN);
      assertThat(service.calls()).isEqualTo(1);
      assertThat(api.availablePermits()).isEqualTo(2);
    });
  }
}
