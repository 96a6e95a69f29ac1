package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.registry.ConfigurationException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RetryRegistryTest {

  @Test
  void config_leavesTheBuilderOpen_forOptionsTheBaseAlsoSets() {
    RetryConfig base = Retry.builder().maxAttempts(3).config();
    Retry.Builder b = Retry.builder().from(base);
    assertThat(b.config().maxAttempts()).hasValue(3);
    b.maxAttempts(5);
    assertThat(b.config().maxAttempts()).hasValue(5);
    assertThat(b.build().config().maxAttempts()).hasValue(5);
  }
  private final RetryRegistry retries = RetryRegistry.create(ManualTicker.startingAt(-5), EventRegistry.create());

  @Test
  void config_readsBack_andFromBuildsALikeRetry() {
    RetryBudget budget = RetryBudget.builder().build();
    Retry retry = Retry.builder().maxAttempts(5).maxDuration(Duration.ofSeconds(30))
        .backoff(Backoff.constant(Duration.ofMillis(10))).ignoreExceptions(IOException.class)
        .budget(budget).build();
    RetryConfig config = retry.config();
    assertThat(config.maxAttempts()).hasValue(5);
    assertThat(config.maxDuration()).contains(Duration.ofSeconds(30));
    assertThat(config.maxRetryAfter()).contains(Duration.ofMinutes(5));
    assertThat(config.ignoreExceptions()).contains(List.of(IOException.class));
    assertThat(config.budget()).containsSame(budget);
    assertThat(config.classifier()).isEmpty(); // the default classifier
    Retry copy = Retry.builder().from(config).maxAttempts(2).build();
    assertThat(copy.maxAttempts()).isEqualTo(2);
    assertThat(copy.backoff()).isSameAs(retry.backoff());
    assertThat(copy.config().maxDuration()).contains(Duration.ofSeconds(30));
  }

  @Test
  void from_checksTheBaseWithTheBuildersMessages() {
    RetryConfig bad = new RetryConfig(RetryConfig.DEFAULTS.backoff(), java.util.OptionalInt.of(0),
        RetryConfig.DEFAULTS.maxDuration(), RetryConfig.DEFAULTS.maxRetryAfter(),
        RetryConfig.DEFAULTS.classifier(), RetryConfig.DEFAULTS.resultClassifier(),
        RetryConfig.DEFAULTS.ignoreExceptions(), RetryConfig.DEFAULTS.budget());
    assertThatThrownBy(() -> Retry.builder().from(bad).build()).hasMessage("maxAttempts must be >= 1, was 0");
    assertThat(Retry.builder().from(bad).maxAttempts(4).build().maxAttempts()).isEqualTo(4);
  }

  @Test
  void bind_readsEveryKey() {
    retries.bind(Map.of(
        "throttlenet.retry.configs.default.max-attempts", "3",
        "throttlenet.retry.configs.patient.base-config", "default",
        "throttlenet.retry.configs.patient.max-duration", "2m",
        "throttlenet.retry.configs.patient.backoff", "exponential",
        "throttlenet.retry.configs.patient.backoff-delay", "200ms",
        "throttlenet.retry.configs.patient.backoff-multiplier", "1.5",
        "throttlenet.retry.configs.patient.backoff-max", "10s",
        "throttlenet.retry.configs.patient.jitter", "full",
        "throttlenet.retry.llm.config", "patient",
        "throttlenet.retry.llm.max-retry-after", "30s"));
    retries.bind(Map.of("throttlenet.retry.db.max-attempts", "5",
        "throttlenet.retry.db.ignore-exceptions", "java.io.IOException, java.util.concurrent.TimeoutException",
        "throttlenet.retry.db.backoff", "constant"));
    Retry llm = retries.component("llm");
    assertThat(llm.maxAttempts()).isEqualTo(3);
    assertThat(llm.config().maxDuration()).contains(Duration.ofMinutes(2));
    assertThat(llm.config().maxRetryAfter()).contains(Duration.ofSeconds(30));
    assertThat(llm.backoff().max()).isEqualTo(Duration.ofSeconds(10));
    assertThat(llm.backoff().jitter()).isEqualTo(Jitter.FULL);
    assertThat(llm.backoff().curveNanos(2)).isEqualTo(300_000_000L);
    Retry db = retries.component("db");
    assertThat(db.maxAttempts()).isEqualTo(5);
    assertThat(db.backoff().curveNanos(3)).isEqualTo(100_000_000L);
    assertThat(db.config().ignoreExceptions()).contains(List.of(IOException.class, TimeoutException.class));
  }

  @Test
  void bind_errorsNameTheKey() {
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.max-attempts", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.retry.a: maxAttempts must be >= 1, was 0");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.backoff", "fibonacci")))
        .hasMessage("throttlenet.retry.a.backoff: Curve must be one of exponential, linear, constant, was 'fibonacci'");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.backoff", "linear",
            "throttlenet.retry.a.backoff-multiplier", "2")))
        .hasMessage("throttlenet.retry.a: backoff-multiplier applies to an exponential backoff only, was set for a linear one");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.backoff-delay", "-1s")))
        .hasMessage("throttlenet.retry.a: base must be > 0, was PT-1S");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.ignore-exceptions", "java.lang.String")))
        .hasMessage("throttlenet.retry.a.ignore-exceptions: class must be a java.lang.Throwable, was 'java.lang.String'");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.ignore-exceptions", "com.example.Nope")))
        .hasMessage("throttlenet.retry.a.ignore-exceptions: class must be on the class path, was 'com.example.Nope'");
    assertThatThrownBy(() -> retries.bind(Map.of("throttlenet.retry.a.maxAttempts", "3")))
        .hasMessageStartingWith("throttlenet.retry.a.maxAttempts: unknown key; a retry reads backoff, backoff-delay,");
    assertThat(retries.components()).isEmpty();
  }
}
