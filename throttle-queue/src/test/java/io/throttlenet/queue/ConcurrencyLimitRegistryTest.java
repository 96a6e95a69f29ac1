package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.registry.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitRegistryTest {

  @Test
  void config_leavesTheBuilderOpen_forOptionsTheBaseAlsoSets() {
    ConcurrencyLimitConfig base = ConcurrencyLimit.builder().limit(3).config();
    ConcurrencyLimit.Builder b = ConcurrencyLimit.builder().from(base);
    assertThat(b.config().limit()).hasValue(3);
    b.limit(5);
    assertThat(b.config().limit()).hasValue(5);
    assertThat(b.build().limit()).isEqualTo(5);
  }
  private final ConcurrencyLimitRegistry bulkheads =
      ConcurrencyLimitRegistry.create(ManualTicker.startingAt(3), EventRegistry.create());

  @Test
  void config_readsBackTheCurrentLimit_andFromBuildsALikeLimit() {
    Function<Throwable, Outcome> classifier = t -> Outcome.FAILURE;
    ConcurrencyLimit limit = ConcurrencyLimit.builder().limit(4).maxWait(Duration.ZERO).maxWaiters(7)
        .classify(classifier).build();
    limit.setLimit(6);
    ConcurrencyLimitConfig config = limit.config();
    assertThat(config.limit()).hasValue(6);
    assertThat(config.maxWait()).contains(Duration.ZERO);
    assertThat(config.maxWaiters()).hasValue(7);
    assertThat(config.classifier()).containsSame(classifier);
    assertThat(ConcurrencyLimit.of(2).config().classifier()).isEmpty();
    ConcurrencyLimit copy = ConcurrencyLimit.builder().from(config).limit(1).build();
    assertThat(copy.limit()).isEqualTo(1);
    assertThat(copy.maxWaiters()).isEqualTo(7);
    assertThatThrownBy(() -> ConcurrencyLimit.builder().from(ConcurrencyLimitConfig.NONE).build())
        .hasMessage("limit must be set");
  }

  @Test
  void bind_readsEveryKey_andSharesOneLimitPerName() {
    bulkheads.bind(Map.of(
        "throttlenet.bulkhead.configs.default.max-wait", "0s",
        "throttlenet.bulkhead.db.limit", "10",
        "throttlenet.bulkhead.db.max-waiters", "20"));
    ConcurrencyLimit db = bulkheads.component("db");
    assertThat(bulkheads.component("db")).isSameAs(db);
    assertThat(db.limit()).isEqualTo(10);
    assertThat(db.maxWaiters()).isEqualTo(20);
    assertThat(db.maxWait()).isEqualTo(Duration.ZERO);
    assertThat(db.name()).isEqualTo("db");
  }

  @Test
  void bind_errorsNameTheKey() {
    assertThatThrownBy(() -> bulkheads.bind(Map.of("throttlenet.bulkhead.db.limit", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.bulkhead.db: limit must be >= 1, was 0");
    assertThatThrownBy(() -> bulkheads.bind(Map.of("throttlenet.bulkhead.db.max-wait", "-1ms",
            "throttlenet.bulkhead.db.limit", "1")))
        .hasMessage("throttlenet.bulkhead.db: maxWait must be >= 0, was PT-0.001S");
    assertThatThrownBy(() -> bulkheads.bind(Map.of("throttlenet.bulkhead.db.max-concurrent-calls", "3")))
        .hasMessage("throttlenet.bulkhead.db.max-concurrent-calls: unknown key; a bulkhead reads limit, max-wait, max-waiters");
    assertThatThrownBy(() -> bulkheads.bind(Map.of("throttlenet.bulkhead.db.max-wait", "1s")))
        .hasMessage("throttlenet.bulkhead.db: limit must be set");
  }
}
