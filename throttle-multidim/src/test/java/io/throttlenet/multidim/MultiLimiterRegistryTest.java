package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.core.registry.Rate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiLimiterRegistryTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 10);
  private final MultiLimiterRegistry multis = MultiLimiterRegistry.create(ticker, EventRegistry.create());

  @Test
  void bind_buildsOneThrottlePerDimension_andDerivesDimensions() {
    multis.bind(Map.of(
        "throttlenet.multi.configs.openai.dimensions.requests.rate", "60/1m",
        "throttlenet.multi.configs.openai.dimensions.input-tokens.rate", "100k/1m",
        "throttlenet.multi.llm.config", "openai",
        "throttlenet.multi.llm.dimensions.input-tokens.burst", "50k",
        "throttlenet.multi.llm.dimensions.output-tokens.rate", "20k/1m"));
    MultiLimiter llm = multis.component("llm");
    assertThat(llm.dimensions()).containsExactly("input-tokens", "requests", "output-tokens");
    assertThat(llm.capacity("requests")).isEqualTo(60);
    assertThat(llm.capacity("input-tokens")).isEqualTo(50_000);
    assertThat(llm.capacity("output-tokens")).isEqualTo(20_000);
    assertThat(llm.limiter("requests").name()).isEqualTo("llm.requests");
    assertThat(llm.ticker()).isSameAs(ticker);
    assertThat(llm.config().orElseThrow().dimensions().get("input-tokens").rate())
        .contains(new Rate(100_000, Duration.ofMinutes(1)));
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "input-tokens", 50_000))).isTrue();
    assertThat(llm.tryAcquire(Costs.of("input-tokens", 1))).isFalse();
  }

  @Test
  void config_isEmptyWhenADimensionIsNotAThrottle() {
    MultiLimiter mixed = MultiLimiter.builder()
        .dimension("a", Throttle.perSecond(1))
        .dimension("b", SlidingWindowLog.of(5, Duration.ofSeconds(1)))
        .build();
    assertThat(mixed.config()).isEmpty();
  }

  @Test
  void bind_errorsNameTheKeyAndTheDimension() {
    assertThatThrownBy(() -> multis.bind(Map.of("throttlenet.multi.llm.dimensions.requests.rate", "0/1m")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.multi.llm: dimension requests: permits must be > 0, was 0");
    assertThatThrownBy(() -> multis.bind(Map.of("throttlenet.multi.llm.dimensions.requests.burst", "5")))
        .hasMessage("throttlenet.multi.llm: dimension requests: rate must be set");
    assertThatThrownBy(() -> multis.bind(Map.of("throttlenet.multi.llm.dimensions.requests.rate", "1/s",
            "throttlenet.multi.llm.dimensions.requests.brust", "5")))
        .hasMessageStartingWith("throttlenet.multi.llm.dimensions.requests.brust: unknown key");
    assertThatThrownBy(() -> multis.bind(Map.of("throttlenet.multi.llm.dimensions.requests.rate", "x")))
        .hasMessageStartingWith("throttlenet.multi.llm.dimensions.requests.rate: rate must be");
    assertThatThrownBy(() -> multis.component("empty")).hasMessage("at least one dimension must be added");
  }
}
