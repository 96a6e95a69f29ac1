package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerWindowRegistryTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5);
  private final ServerWindowRegistry windows = ServerWindowRegistry.create(ticker, EventRegistry.create());

  private static Quota.Limit limit(String dimension, long limit, Duration window) {
    return new Quota.Limit(dimension, limit, window);
  }

  @Test
  void config_leavesTheBuilderOpen_forOptionsTheBaseAlsoSets() {
    ServerWindowConfig base =
        ServerWindow.builder().dimension("requests", 10, Duration.ofSeconds(1)).config();
    ServerWindow.Builder b = ServerWindow.builder().from(base);
    assertThat(b.config().dimensions()).hasSize(1);
    b.dimension("requests", 20, Duration.ofSeconds(1)).maxBypass(Duration.ZERO);
    assertThat(b.config().dimensions().get(0).limit()).isEqualTo(20);
    assertThat(b.build().capacity("requests")).isEqualTo(20);
  }

  @Test
  void config_readsBackCurrentLimits_andFromBuildsALikeWindow() {
    ServerWindow window = ServerWindow.builder()
        .dimension("requests", 50, Duration.ofMinutes(1))
        .dimension("tokens", 5_000, Duration.ofSeconds(10))
        .build();
    window.setLimit("tokens", 4_000);
    ServerWindowConfig config = window.config();
    assertThat(config).isEqualTo(new ServerWindowConfig(
        List.of(limit("requests", 50, Duration.ofMinutes(1)), limit("tokens", 4_000, Duration.ofSeconds(10))),
        Optional.of(Duration.ofSeconds(10)))); // the default bypass: the shortest window
    assertThat(ServerWindow.builder().from(config).build().config()).isEqualTo(config);
  }

  @Test
  void builderFrom_keepsTheBaseOrder_replacesDimensionsAddedHere_andChecksTheBase() {
    ServerWindowConfig base = new ServerWindowConfig(
        List.of(limit("requests", 50, Duration.ofMinutes(1)), limit("tokens", 100, Duration.ofMinutes(1))),
        Optional.of(Duration.ZERO));
    ServerWindowConfig derived = ServerWindow.builder()
        .dimension("images", 5, Duration.ofSeconds(1))
        .dimension("requests", 10, Duration.ofSeconds(1))
        .from(base)
        .config();
    assertThat(derived.dimensions()).containsExactly(limit("requests", 10, Duration.ofSeconds(1)),
        limit("tokens", 100, Duration.ofMinutes(1)), limit("images", 5, Duration.ofSeconds(1)));
    assertThat(derived.maxBypass()).contains(Duration.ZERO);
    ServerWindowConfig negative = new ServerWindowConfig(
        List.of(limit("requests", 1, Duration.ofSeconds(1))), Optional.of(Duration.ofSeconds(-1)));
    assertThatThrownBy(() -> ServerWindow.builder().from(negative).build())
        .hasMessage("maxBypass must be >= 0, was PT-1S");
    assertThatThrownBy(() -> new ServerWindowConfig(
            List.of(limit("a", 1, Duration.ofSeconds(1)), limit("a", 2, Duration.ofSeconds(1))), Optional.empty()))
        .hasMessage("dimension a is given twice");
  }

  @Test
  void bind_readsDimensions_maxBypass_andSharesOneWindowPerName() {
    windows.bind(Map.of(
        "throttlenet.window.api.dimensions.requests.limit", "50",
        "throttlenet.window.api.dimensions.requests.window", "1m",
        "throttlenet.window.api.dimensions.tokens.limit", "5k",
        "throttlenet.window.api.dimensions.tokens.window", "1m",
        "throttlenet.window.api.max-bypass", "0s"));
    ServerWindow api = windows.component("api");
    assertThat(windows.component("api")).isSameAs(api);
    assertThat(api.name()).isEqualTo("api");
    assertThat(api.config()).isEqualTo(new ServerWindowConfig(
        List.of(limit("requests", 50, Duration.ofMinutes(1)), limit("tokens", 5_000, Duration.ofMinutes(1))),
        Optional.of(Duration.ZERO)));
    assertThat(api.tryAcquire(Costs.of("requests", 1, "tokens", 100))).isPresent();
    assertThat(api.availablePermits("tokens")).isEqualTo(4_900);
  }

  @Test
  void bind_quotaByTextOrPreset_thenDimensionsChangeIt() {
    windows.bind(Map.of(
        "throttlenet.window.configs.openai.quota", "openai.tier-1.gpt-4o",
        "throttlenet.window.configs.half.base-config", "openai",
        "throttlenet.window.configs.half.dimensions.tokens.limit", "15000",
        "throttlenet.window.gpt.config", "half",
        "throttlenet.window.mine.quota", "requests 5/10s, images 2/1m",
        "throttlenet.window.mine.dimensions.images.window", "30s"));
    assertThat(windows.component("gpt").config().dimensions()).containsExactly(
        limit("requests", 500, Duration.ofMinutes(1)), limit("tokens", 15_000, Duration.ofMinutes(1)));
    assertThat(windows.configuration("openai").orElseThrow().dimensions())
        .isEqualTo(Quota.preset("openai.tier-1.gpt-4o").limits());
    assertThat(windows.component("mine").config().dimensions()).containsExactly(
        limit("requests", 5, Duration.ofSeconds(10)), limit("images", 2, Duration.ofSeconds(30)));
  }

  @Test
  void bind_errorsNameTheKey() {
    assertThatThrownBy(() -> windows.bind(Map.of("throttlenet.window.w.quota", "requests 5 per minute")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("throttlenet.window.w.quota: neither a preset [")
        .hasMessageContaining("cannot read \"requests 5 per minute\"");
    assertThatThrownBy(() -> windows.bind(Map.of("throttlenet.window.w.dimensions.requests.limit", "5")))
        .hasMessage("throttlenet.window.w: dimension requests: limit and window must be set");
    assertThatThrownBy(() -> windows.bind(Map.of(
            "throttlenet.window.w.dimensions.requests.limit", "0",
            "throttlenet.window.w.dimensions.requests.window", "1s")))
        .hasMessage("throttlenet.window.w: limit of requests must be > 0, was 0");
    assertThatThrownBy(() -> windows.bind(Map.of(
            "throttlenet.window.w.dimensions.requests.limit", "1",
            "throttlenet.window.w.dimensions.requests.window", "1s",
            "throttlenet.window.w.dimensions.requests.burst", "1")))
        .hasMessageStartingWith("throttlenet.window.w.dimensions.requests.burst: unknown key");
    assertThatThrownBy(() -> windows.bind(Map.of("throttlenet.window.w.max-bypass", "1s")))
        .hasMessage("throttlenet.window.w: a ServerWindow needs at least one dimension");
    assertThatThrownBy(() -> windows.bind(Map.of("throttlenet.window.w.limit", "5")))
        .hasMessage("throttlenet.window.w.limit: unknown key; a window reads max-bypass, quota");
    assertThat(windows.components()).isEmpty();
  }
}
