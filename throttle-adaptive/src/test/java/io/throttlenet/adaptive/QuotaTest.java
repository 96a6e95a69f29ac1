package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.MultiLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaTest {

  @Test
  void parse_readsLimitsPerWindow_andToStringWritesThemBack() {
    Quota q = Quota.parse("requests 500/1m, tokens 30000/m,input_tokens 7/250ms, x 1/2d");
    assertThat(q.limits())
        .containsExactly(
            new Quota.Limit("requests", 500, Duration.ofMinutes(1)),
            new Quota.Limit("tokens", 30_000, Duration.ofMinutes(1)),
            new Quota.Limit("input_tokens", 7, Duration.ofMillis(250)),
            new Quota.Limit("x", 1, Duration.ofDays(2)));
    assertThat(q).hasToString("requests 500/1m, tokens 30000/1m, input_tokens 7/250ms, x 1/2d");
    assertThat(Quota.parse(q.toString())).isEqualTo(q);
    assertThat(Quota.parse("core 5000/60m")).hasToString("core 5000/1h");
  }

  @Test
  void parse_namesWhatItCannotRead() {
    assertThatThrownBy(() -> Quota.parse("requests 500 per minute"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read \"requests 500 per minute\"");
    assertThatThrownBy(() -> Quota.parse("requests 5/1m,"))
        .hasMessageContaining("cannot read \"\"");
    assertThatThrownBy(() -> Quota.parse("requests 0/1m")).hasMessageContaining("limit of requests");
    assertThatThrownBy(() -> Quota.parse("requests 1/0s")).hasMessageContaining("window of requests");
    assertThatThrownBy(() -> Quota.parse("a 1/1s, a 2/1s")).hasMessageContaining("a is given twice");
    assertThatThrownBy(() -> Quota.parse("a 1/1w")).hasMessageContaining("cannot read");
    assertThatThrownBy(() -> Quota.of()).hasMessageContaining("at least one limit");
  }

  @Test
  void everyPreset_parses_andBuildsBothKindsOfLimiter() {
    assertThat(Quota.presets()).contains("openai.tier-1.gpt-4o", "github.rest.authenticated");
    for (String name : Quota.presets()) {
      Quota q = Quota.preset(name);
      ServerWindow w = q.serverWindow().events(EventRegistry.create()).build();
      MultiLimiter m = q.multiLimiter().events(EventRegistry.create()).build();
      for (Quota.Limit l : q.limits()) {
        assertThat(w.capacity(l.dimension())).as(name).isEqualTo(l.limit());
        assertThat(m.capacity(l.dimension())).as(name).isEqualTo(l.limit());
      }
    }
    assertThat(Quota.preset("openai.tier-1.gpt-4o"))
        .isEqualTo(Quota.parse("requests 500/1m, tokens 30000/1m"));
    assertThatThrownBy(() -> Quota.preset("openai.tier-9"))
        .hasMessageContaining("was openai.tier-9")
        .hasMessageContaining("openai.tier-1.gpt-4o");
  }

  @Test
  void share_dividesEachLimit_roundingDown_butNotToZero() {
    assertThat(Quota.parse("requests 50/1m, tokens 5000/1m, rare 3/1h").share(4))
        .isEqualTo(Quota.parse("requests 12/1m, tokens 1250/1m, rare 1/1h"));
    assertThatThrownBy(() -> Quota.parse("a 1/1s").share(0)).hasMessageContaining("instances");
  }

  @Test
  void presetDimensions_matchWhatTheParserNamesTheProvidersHeaders() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    ServerWindow w =
        Quota.preset("anthropic.tier-1.claude-sonnet").serverWindow().ticker(ticker).events(events).build();
    HeaderSync sync = HeaderSync.builder(w).events(events).build();
    sync.begin()
        .complete(
            Map.of(
                "anthropic-ratelimit-requests-remaining", List.of("40"),
                "anthropic-ratelimit-input-tokens-remaining", List.of("1000"),
                "anthropic-ratelimit-output-tokens-remaining", List.of("500")));
    // alone the window counts nothing, so the server's lower figures are others' spend
    assertThat(w.availablePermits("requests")).isLessThan(50);
    assertThat(w.availablePermits("input_tokens")).isLessThan(30_000);
    assertThat(w.availablePermits("output_tokens")).isLessThan(8_000);
    ServerWindow gh = Quota.preset("github.rest.authenticated").serverWindow().ticker(ticker).events(events).build();
    HeaderSync ghSync = HeaderSync.builder(gh).events(events).build();
    ghSync.begin()
        .complete(
            Map.of(
                "x-ratelimit-limit", List.of("5000"),
                "x-ratelimit-remaining", List.of("10"),
                "x-ratelimit-resource", List.of("core"),
                "x-ratelimit-reset", List.of("1893456000")));
    assertThat(gh.availablePermits("core")).isLessThanOrEqualTo(10);
  }
}
