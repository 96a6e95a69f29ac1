package io.throttlenet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.decorators.Registries;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ThrottleNetAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThrottleNetAutoConfiguration.class));

  @Test
  void unknownKey_stopsTheApplication_namingTheKey() {
    runner.withPropertyValues("throttlenet.throttle.github.rate=5/1s", "throttlenet.throttle.github.brust=3")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .isInstanceOf(ConfigurationException.class)
              .hasMessageStartingWith("throttlenet.throttle.github.brust: unknown key");
        });
  }

  @Test
  void badValue_stopsTheApplication_withTheBuildersMessage() {
    runner.withPropertyValues("throttlenet.breaker.payments.failure-rate-threshold=150%")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("ConfigurationException: throttlenet.breaker.payments: rate must be in (0, 1], was 1.5"));
    runner.withPropertyValues("throttlenet.limiter.a.rate=1/s")
        .run(context -> assertThat(context.getStartupFailure()).rootCause()
            .hasMessageStartingWith("throttlenet.limiter.a.rate: unknown kind 'limiter'"));
  }

  @Test
  void aTickerBean_drivesEveryComponent() {
    ManualTicker ticker = ManualTicker.startingAt(42);
    runner.withBean(Ticker.class, () -> ticker)
        .withPropertyValues("throttlenet.throttle.api.rate=10/1s")
        .run(context -> {
          Throttle api = context.getBean("throttlenet.throttle.api", Throttle.class);
          assertThat(api.ticker()).isSameAs(ticker);
          assertThat(context.getBean(Registries.class).throttles().component("api")).isSameAs(api);
          assertThat(context).hasSingleBean(ThrottleNetAspect.class).hasSingleBean(ThrottleNetEndpoint.class);
        });
  }

  @Test
  void anOpenBreaker_leavesHealthUp_unlessAskedToFail() {
    String[] breaker = {"throttlenet.breaker.payments.consecutive-failures=1"};
    runner.withPropertyValues(breaker).run(context -> {
      context.getBean(Registries.class).breakers().component("payments").forceOpen();
      Health health = context.getBean(BreakersHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("payments", "FORCED_OPEN")
          .containsEntry("open", List.of("payments"));
    });
    runner.withPropertyValues(breaker)
        .withPropertyValues(BreakersHealthIndicator.FAIL_WHEN_OPEN + "=true")
        .run(context -> {
          context.getBean(Registries.class).breakers().component("payments").forceOpen();
          assertThat(context.getBean(BreakersHealthIndicator.class).health().getStatus())
              .isEqualTo(Status.DOWN);
        });
  }

  @Test
  void anApplicationsOwnRegistries_winOverTheAutoConfigured() {
    Registries mine = Registries.create();
    runner.withBean(Registries.class, () -> mine)
        .run(context -> assertThat(context.getBean(Registries.class)).isSameAs(mine));
  }
}
