package io.throttlenet.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindTest {

  @Test
  void bind_createsComponentsFromTheirOptions() {
    Widgets widgets = new Widgets();
    widgets.bind(Map.of(
        "throttlenet.widget.a.timeout", "250ms",
        "throttlenet.widget.b.size", "3",
        "throttlenet.other.x.anything", "left to its own kind"));
    assertThat(widgets.find("a").orElseThrow().config())
        .isEqualTo(new Widgets.Config(Duration.ofMillis(250), 10, false));
    assertThat(widgets.find("b").orElseThrow().config())
        .isEqualTo(new Widgets.Config(Duration.ofSeconds(1), 3, false));
  }

  @Test
  void bind_configurationsDeriveFromBaseAndDefault() {
    Widgets widgets = new Widgets();
    widgets.bind(Map.of(
        "throttlenet.widget.configs.default.size", "20",
        "throttlenet.widget.configs.fast.timeout", "10ms",
        "throttlenet.widget.configs.fair-fast.base-config", "fast",
        "throttlenet.widget.configs.fair-fast.fair", "true",
        "throttlenet.widget.a.config", "fair-fast",
        "throttlenet.widget.a.size", "5",
        "throttlenet.widget.b.fair", "true"));
    assertThat(widgets.defaultConfiguration()).isEqualTo(new Widgets.Config(Duration.ofSeconds(1), 20, false));
    assertThat(widgets.configuration("fast")).contains(new Widgets.Config(Duration.ofMillis(10), 20, false));
    assertThat(widgets.configuration("fair-fast")).contains(new Widgets.Config(Duration.ofMillis(10), 20, true));
    assertThat(widgets.find("a").orElseThrow().config()).isEqualTo(new Widgets.Config(Duration.ofMillis(10), 5, true));
    assertThat(widgets.find("b").orElseThrow().config()).isEqualTo(new Widgets.Config(Duration.ofSeconds(1), 20, true));
  }

  @Test
  void bind_baseConfigMayNameAConfigurationAlreadyInTheRegistry() {
    Widgets widgets = new Widgets();
    widgets.addConfiguration("coded", new Widgets.Config(Duration.ofMinutes(1), 2, true));
    widgets.bind(Map.of("throttlenet.widget.configs.tuned.base-config", "coded",
        "throttlenet.widget.configs.tuned.size", "4"));
    assertThat(widgets.configuration("tuned")).contains(new Widgets.Config(Duration.ofMinutes(1), 4, true));
  }

  @Test
  void bind_unknownKey_isAnErrorNamingTheKeyAndTheKnownOnes() {
    Widgets widgets = new Widgets();
    assertThatThrownBy(() -> widgets.bind(Map.of("throttlenet.widget.a.szie", "3")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.widget.a.szie: unknown key; a widget reads fair, size, timeout")
        .satisfies(e -> assertThat(((ConfigurationException) e).key()).isEqualTo("throttlenet.widget.a.szie"));
    assertThat(widgets.components()).isEmpty();
  }

  @Test
  void bind_malformedValue_namesTheKeyAndTheForm() {
    assertThatThrownBy(() -> new Widgets().bind(Map.of("throttlenet.widget.a.timeout", "soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("throttlenet.widget.a.timeout: duration must be a number and a unit")
        .hasMessageEndingWith("was 'soon'");
  }

  @Test
  void bind_valueTheBuilderRejects_quotesTheBuilder() {
    Widgets widgets = new Widgets();
    assertThatThrownBy(() -> widgets.bind(Map.of(
            "throttlenet.widget.a.size", "0", "throttlenet.widget.b.size", "2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.widget.a: size must be >= 1, was 0");
    assertThat(widgets.components()).isEmpty(); // all or nothing
    assertThatThrownBy(() -> widgets.bind(Map.of("throttlenet.widget.configs.x.timeout", "-1s")))
        .hasMessage("throttlenet.widget.configs.x: timeout must be > 0, was PT-1S");
  }

  @Test
  void bind_missingOrCyclicConfigurations_areErrors() {
    assertThatThrownBy(() -> new Widgets().bind(Map.of("throttlenet.widget.a.config", "nope")))
        .hasMessage("throttlenet.widget.a.config: must name a widget configuration (in the registry:"
            + " [default], in the properties: []), was 'nope'");
    assertThatThrownBy(() -> new Widgets().bind(Map.of(
            "throttlenet.widget.configs.x.base-config", "y",
            "throttlenet.widget.configs.y.base-config", "x")))
        .hasMessage("throttlenet.widget.configs.x.base-config: configurations derive from each other"
            + " in a cycle: x -> y -> x");
  }

  @Test
  void bind_malformedKeys_andExistingNames_areErrors() {
    assertThatThrownBy(() -> new Widgets().bind(Map.of("throttlenet.widget.a", "1")))
        .hasMessage("throttlenet.widget.a: keys of widget must read throttlenet.widget.<name>.<option>");
    assertThatThrownBy(() -> new Widgets().bind(Map.of("throttlenet.widget.configs.x", "1")))
        .hasMessage("throttlenet.widget.configs.x: keys of widget must read throttlenet.widget.configs.<name>.<option>");
    Widgets widgets = new Widgets();
    widgets.component("a");
    assertThatThrownBy(() -> widgets.bind(Map.of("throttlenet.widget.a.size", "2")))
        .hasMessage("throttlenet.widget.a: a widget of that name already exists");
  }
}
