package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.registry.ConfigurationException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CircuitBreakerRegistryTest {

  @Test
  void config_leavesTheBuilderOpen_forOptionsTheBaseAlsoSets() {
    CircuitBreakerConfig base =
        CircuitBreaker.builder().trip(Trip.consecutive(3)).cooldown(Duration.ofSeconds(1)).config();
    CircuitBreaker.Builder b = CircuitBreaker.builder().from(base);
    assertThat(b.config().cooldown()).hasValue(Duration.ofSeconds(1));
    b.cooldown(Duration.ofSeconds(5));
    assertThat(b.config().cooldown()).hasValue(Duration.ofSeconds(5));
    assertThat(b.build().config().cooldown()).hasValue(Duration.ofSeconds(5));
  }
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + 7);
  private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.create(ticker, EventRegistry.create());

  @Test
  void config_readsBack_andFromBuildsALikeBreaker() {
    Predicate<Object> is503 = r -> "503".equals(r);
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(2))
        .cooldown(Duration.ofSeconds(5)).cooldownGrowth(2, Duration.ofMinutes(1))
        .halfOpenProbes(3).successesToClose(2).recordResult(is503)
        .ignoreExceptions(IOException.class).build();
    CircuitBreakerConfig config = breaker.config();
    assertThat(config.trips().orElseThrow()).hasSize(1);
    assertThat(config.cooldown()).contains(Duration.ofSeconds(5));
    assertThat(config.cooldownMultiplier()).hasValue(2);
    assertThat(config.maxCooldown()).contains(Duration.ofMinutes(1));
    assertThat(config.halfOpenProbes()).hasValue(3);
    assertThat(config.recordResult()).containsSame(is503);
    assertThat(config.recordFailure()).isEmpty();
    assertThat(config.ignoreExceptions()).contains(List.of(IOException.class));
    assertThat(config.recordRejections()).contains(false);
    CircuitBreaker copy = CircuitBreaker.builder().from(config).successesToClose(1).build();
    assertThat(copy.config().cooldown()).contains(Duration.ofSeconds(5));
    assertThat(copy.config().successesToClose()).hasValue(1);
    assertThat(CircuitBreaker.builder().build().config().cooldownMultiplier()).isEmpty();
  }

  @Test
  void from_tripsAddedHereReplaceTheBases_andBadValuesGetTheBuildersMessages() {
    CircuitBreakerConfig base = CircuitBreaker.builder().trip(Trip.consecutive(2)).config();
    CircuitBreaker breaker = CircuitBreaker.builder().from(base).trip(Trip.consecutive(1)).build();
    breaker.tryAcquire().orElseThrow().failure(new IOException());
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    CircuitBreakerConfig bad = new CircuitBreakerConfig(base.trips(), base.cooldown(),
        java.util.OptionalDouble.of(0.5), java.util.Optional.of(Duration.ofSeconds(1)),
        base.halfOpenProbes(), base.successesToClose(), base.probeTimeout(), base.maxRetryAfter(),
        base.recordFailure(), base.recordResult(), base.ignoreExceptions(), base.recordRejections());
    assertThatThrownBy(() -> CircuitBreaker.builder().from(bad).build())
        .hasMessage("multiplier must be a finite number >= 1, was 0.5");
  }

  @Test
  void bind_failureRateOverCalls_tripsAtTheThreshold() {
    breakers.bind(Map.of(
        "throttlenet.breaker.payments.failure-rate-threshold", "50%",
        "throttlenet.breaker.payments.sliding-window-size", "4",
        "throttlenet.breaker.payments.cooldown", "2s"));
    CircuitBreaker payments = breakers.component("payments");
    payments.tryAcquire().orElseThrow().success();
    payments.tryAcquire().orElseThrow().success();
    payments.tryAcquire().orElseThrow().failure(new IOException());
    assertThat(payments.state()).isEqualTo(BreakerState.CLOSED);
    payments.tryAcquire().orElseThrow().failure(new IOException());
    assertThat(payments.state()).isEqualTo(BreakerState.OPEN);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(payments.tryAcquire()).isPresent();
  }

  @Test
  void bind_readsEveryKey() {
    breakers.bind(Map.of(
        "throttlenet.breaker.configs.default.cooldown", "30s",
        "throttlenet.breaker.configs.strict.consecutive-failures", "3",
        "throttlenet.breaker.configs.strict.cooldown-multiplier", "2",
        "throttlenet.breaker.configs.strict.max-cooldown", "5m",
        "throttlenet.breaker.a.config", "strict",
        "throttlenet.breaker.a.half-open-probes", "2",
        "throttlenet.breaker.a.successes-to-close", "2",
        "throttlenet.breaker.a.probe-timeout", "10s",
        "throttlenet.breaker.a.max-retry-after", "1m",
        "throttlenet.breaker.a.record-rejections", "true"));
    breakers.bind(Map.of(
        "throttlenet.breaker.b.failure-count-threshold", "5",
        "throttlenet.breaker.b.sliding-window-duration", "1m",
        "throttlenet.breaker.b.slow-call-rate-threshold", "80%",
        "throttlenet.breaker.b.slow-call-duration-threshold", "2s",
        "throttlenet.breaker.b.minimum-calls", "10",
        "throttlenet.breaker.b.ignore-exceptions", "java.io.IOException"));
    CircuitBreakerConfig a = breakers.component("a").config();
    assertThat(a.cooldown()).contains(Duration.ofSeconds(30));
    assertThat(a.cooldownMultiplier()).hasValue(2);
    assertThat(a.maxCooldown()).contains(Duration.ofMinutes(5));
    assertThat(a.trips().orElseThrow()).hasToString("[3 consecutive failures]");
    assertThat(a.halfOpenProbes()).hasValue(2);
    assertThat(a.successesToClose()).hasValue(2);
    assertThat(a.probeTimeout()).contains(Duration.ofSeconds(10));
    assertThat(a.maxRetryAfter()).contains(Duration.ofMinutes(1));
    assertThat(a.recordRejections()).contains(true);
    CircuitBreakerConfig b = breakers.component("b").config();
    assertThat(b.trips().orElseThrow()).hasSize(2);
    assertThat(b.ignoreExceptions()).contains(List.of(IOException.class));
  }

  @Test
  void bind_errorsNameTheKey() {
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.failure-rate-threshold", "150%")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("throttlenet.breaker.p: rate must be");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.failure-rate-threshold", "half")))
        .hasMessageStartingWith("throttlenet.breaker.p.failure-rate-threshold: percentage must be");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.sliding-window-size", "10")))
        .hasMessageStartingWith("throttlenet.breaker.p: sliding-window-size applies to failure-rate-threshold");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.failure-count-threshold", "3")))
        .hasMessage("throttlenet.breaker.p: failure-count-threshold needs sliding-window-duration, was not set");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.max-cooldown", "1m")))
        .hasMessage("throttlenet.breaker.p: cooldown-multiplier and max-cooldown must be set together, was only max-cooldown");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.cooldown", "0s")))
        .hasMessage("throttlenet.breaker.p: cooldown must be > 0, was PT0S");
    assertThatThrownBy(() -> breakers.bind(Map.of("throttlenet.breaker.p.wait-duration-in-open-state", "1s")))
        .hasMessageStartingWith("throttlenet.breaker.p.wait-duration-in-open-state: unknown key; a breaker reads ");
    assertThat(breakers.components()).isEmpty();
  }
}
