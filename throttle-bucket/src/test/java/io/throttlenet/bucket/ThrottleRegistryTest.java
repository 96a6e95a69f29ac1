package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Rate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ThrottleRegistryTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);
  private final ThrottleRegistry throttles = ThrottleRegistry.create(ticker, EventRegistry.create());

  @Test
  void config_readsBackEveryOption_andTheCurrentRate() {
    Throttle t = Throttle.builder().rate(5000, Duration.ofHours(1)).burst(100).initialPermits(7).build();
    assertThat(t.config()).isEqualTo(new ThrottleConfig(
        Optional.of(new Rate(5000, Duration.ofHours(1))), OptionalLong.of(100), OptionalLong.of(7)));
    t.setRate(2.5);
    assertThat(t.config().rate()).contains(new Rate(1, Duration.ofMillis(400)));
    t.setRate(10, Duration.ofSeconds(1));
    assertThat(t.config().rate()).contains(new Rate(10, Duration.ofSeconds(1)));
    assertThat(Throttle.perSecond(3).config().burst()).hasValue(3);
  }

  @Test
  void from_buildsTheSameThrottle_andOptionsSetOverrideTheBase() {
    Throttle original = Throttle.builder().rate(2.5).build();
    Throttle copy = Throttle.builder().from(original.config()).build();
    assertThat(copy.capacity()).isEqualTo(original.capacity()).isEqualTo(2);
    assertThat(copy.permitsPerSecond()).isEqualTo(original.permitsPerSecond());

    ThrottleConfig base = Throttle.builder().rate(100, Duration.ofSeconds(1)).config();
    assertThat(base.burst()).isEmpty(); // left to the rate, so a derived rate moves it too
    ThrottleConfig derived = Throttle.builder().from(base).rate(10, Duration.ofSeconds(1)).config();
    assertThat(Throttle.builder().from(derived).build().capacity()).isEqualTo(10);
    assertThat(Throttle.builder().from(base).burst(5).build().capacity()).isEqualTo(5);
  }

  @Test
  void from_checksTheBaseWithTheBuildersMessages() {
    ThrottleConfig bad = new ThrottleConfig(
        Optional.of(new Rate(0, Duration.ofSeconds(1))), OptionalLong.empty(), OptionalLong.empty());
    assertThatThrownBy(() -> Throttle.builder().from(bad).build())
        .hasMessage("permits must be > 0, was 0");
    ThrottleConfig tooMany = new ThrottleConfig(
        Optional.of(new Rate(10, Duration.ofSeconds(1))), OptionalLong.empty(), OptionalLong.of(11));
    assertThatThrownBy(() -> Throttle.builder().from(tooMany).config())
        .hasMessage("initialPermits must be <= burst (10), was 11");
    assertThatThrownBy(() -> Throttle.builder().from(ThrottleConfig.NONE).build())
        .hasMessage("rate must be set");
    assertThatThrownBy(() -> Throttle.builder().from(bad).from(bad)).hasMessage("from was already set");
  }

  @Test
  void registry_sharesOneThrottlePerName_withItsTickerAndConfiguration() {
    throttles.addConfiguration("api", Throttle.builder().rate(5000, Duration.ofHours(1)).config());
    Throttle github = throttles.component("github", "api");
    assertThat(throttles.component("github")).isSameAs(github);
    assertThat(github.name()).isEqualTo("github");
    assertThat(github.ticker()).isSameAs(ticker);
    assertThat(github.capacity()).isEqualTo(5000);
    assertThatThrownBy(() -> throttles.component("unset")).hasMessage("rate must be set");
    assertThat(throttles.find("unset")).isEmpty();
  }

  @Test
  void bind_readsEveryKey() {
    throttles.bind(Map.of(
        "throttlenet.throttle.configs.default.rate", "100/s",
        "throttlenet.throttle.configs.hourly.rate", "5000/1h",
        "throttlenet.throttle.github.config", "hourly",
        "throttlenet.throttle.github.burst", "500",
        "throttlenet.throttle.local.initial-permits", "0"));
    Throttle github = throttles.component("github");
    assertThat(github.config()).isEqualTo(new ThrottleConfig(
        Optional.of(new Rate(5000, Duration.ofHours(1))), OptionalLong.of(500), OptionalLong.of(500)));
    Throttle local = throttles.find("local").orElseThrow();
    assertThat(local.capacity()).isEqualTo(100);
    assertThat(local.availablePermits()).isZero();
  }

  @Test
  void bind_errorsNameTheKeyAndQuoteTheBuilder() {
    assertThatThrownBy(() -> throttles.bind(Map.of("throttlenet.throttle.github.rate", "0/1h")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.throttle.github: permits must be > 0, was 0");
    assertThatThrownBy(() -> throttles.bind(Map.of("throttlenet.throttle.github.rate", "5000/1h",
            "throttlenet.throttle.github.brust", "5")))
        .hasMessage("throttlenet.throttle.github.brust: unknown key; a throttle reads burst,"
            + " initial-permits, rate");
    assertThatThrownBy(() -> throttles.bind(Map.of("throttlenet.throttle.github.burst", "5")))
        .hasMessage("throttlenet.throttle.github: rate must be set");
    assertThatThrownBy(() -> throttles.bind(Map.of("throttlenet.throttle.github.rate", "2/1ns")))
        .hasMessage("throttlenet.throttle.github: rate must be at most 1 permit per nanosecond, was 2 per PT0.000000001S");
    assertThat(throttles.components()).isEmpty();
  }
}
