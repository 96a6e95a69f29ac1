package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.bucket.ThrottleRegistry;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import io.throttlenet.core.registry.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AdmissionQueueRegistryTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5);
  private final EventRegistry events = EventRegistry.create();
  private final ThrottleRegistry throttles = ThrottleRegistry.create(ticker, events);
  private final ConcurrencyLimitRegistry bulkheads = ConcurrencyLimitRegistry.create(ticker, events);
  private final AdmissionQueueRegistry queues = AdmissionQueueRegistry.create(events, throttles, bulkheads);

  @Test
  void config_leavesTheBuilderOpen_forOptionsTheBaseAlsoSets() {
    AdmissionQueueConfig base =
        AdmissionQueue.<String>builder(ConcurrencyLimit.of(8)).capacity(7).config();
    AdmissionQueue.Builder<String> b =
        AdmissionQueue.<String>builder(ConcurrencyLimit.of(8)).from(base);
    assertThat(b.config().capacity()).hasValue(7);
    b.capacity(9);
    assertThat(b.config().capacity()).hasValue(9);
    assertThat(b.build().config().capacity()).hasValue(9);
  }

  @Test
  void config_readsBackEveryOption_andFromBuildsALikeQueue() {
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(ConcurrencyLimit.of(8))
        .capacity(7).maxQueuedCost(50).overflow(Overflow.DROP_OLDEST).quantum(3)
        .ageing(Duration.ofMillis(250)).build();
    AdmissionQueueConfig config = queue.config();
    assertThat(config).isEqualTo(new AdmissionQueueConfig(OptionalInt.of(7), OptionalLong.of(50),
        Optional.of(Overflow.DROP_OLDEST), OptionalLong.of(3), Optional.of(Duration.ofMillis(250)),
        Optional.empty()));
    AdmissionQueue<String> copy = AdmissionQueue.<String>builder(ConcurrencyLimit.of(8)).from(config).build();
    assertThat(copy.config()).isEqualTo(config);
    AdmissionQueueConfig defaults = AdmissionQueue.<String>builder(ConcurrencyLimit.of(8)).build().config();
    assertThat(defaults.capacity()).hasValue(1024);
    assertThat(defaults.maxQueuedCost()).isEmpty();
    assertThat(defaults.overflow()).contains(Overflow.REJECT);
    assertThat(defaults.ageing()).isEmpty();
  }

  @Test
  void builderConfig_derivesFromABase_andChecksItsValues() {
    AdmissionQueueConfig base = new AdmissionQueueConfig(OptionalInt.of(5), OptionalLong.empty(),
        Optional.of(Overflow.DROP_LOWEST_PRIORITY), OptionalLong.empty(), Optional.empty(),
        Optional.of(new AdmissionQueueConfig.LimiterRef("bulkhead", "db")));
    AdmissionQueueConfig derived =
        AdmissionQueue.<String>builder(ConcurrencyLimit.of(2)).from(base).capacity(9).config();
    assertThat(derived.capacity()).hasValue(9);
    assertThat(derived.overflow()).contains(Overflow.DROP_LOWEST_PRIORITY);
    assertThat(derived.limiter()).contains(new AdmissionQueueConfig.LimiterRef("bulkhead", "db"));
    AdmissionQueueConfig bad = new AdmissionQueueConfig(OptionalInt.of(0), OptionalLong.empty(),
        Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty());
    assertThatThrownBy(() -> AdmissionQueue.<String>builder(ConcurrencyLimit.of(2)).from(bad).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1, was 0");
  }

  @Test
  void bind_frontsANamedThrottle_readsEveryKey_andSharesOneQueuePerName() throws Exception {
    throttles.bind(Map.of("throttlenet.throttle.github.rate", "2/1s"));
    queues.bind(Map.of(
        "throttlenet.queue.configs.default.capacity", "3",
        "throttlenet.queue.tenants.throttle", "github",
        "throttlenet.queue.tenants.max-queued-cost", "10",
        "throttlenet.queue.tenants.overflow", "drop-lowest-priority",
        "throttlenet.queue.tenants.quantum", "2",
        "throttlenet.queue.tenants.ageing", "1s"));
    AdmissionQueue<String> tenants = queues.component("tenants");
    assertThat(queues.component("tenants")).isSameAs(tenants);
    assertThat(tenants.name()).isEqualTo("tenants");
    assertThat(tenants.config()).isEqualTo(new AdmissionQueueConfig(OptionalInt.of(3),
        OptionalLong.of(10), Optional.of(Overflow.DROP_LOWEST_PRIORITY), OptionalLong.of(2),
        Optional.of(Duration.ofSeconds(1)),
        Optional.of(new AdmissionQueueConfig.LimiterRef("throttle", "github"))));
    Throttle github = throttles.component("github");
    assertThat(tenants.acquire("a", 0, 2, null)).isSameAs(Permit.SPENT);
    assertThat(github.tryAcquire(1)).isFalse(); // the queue charged the named throttle
  }

  @Test
  void bind_frontsANamedBulkhead_whoseSlotsItHandsOut() throws Exception {
    bulkheads.bind(Map.of("throttlenet.bulkhead.reports.limit", "1"));
    queues.bind(Map.of("throttlenet.queue.reports.bulkhead", "reports"));
    AdmissionQueue<String> reports = queues.component("reports");
    Permit slot = reports.acquire("a", 0, 1, null);
    assertThat(bulkheads.component("reports").inFlight()).isEqualTo(1);
    assertThat(reports.tryAcquire("b", 1)).isEmpty();
    slot.success();
    assertThat(bulkheads.component("reports").inFlight()).isZero();
  }

  @Test
  void bind_errorsNameTheKey() {
    throttles.bind(Map.of("throttlenet.throttle.github.rate", "2/1s"));
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.throttle", "gitlab")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.queue.q.throttle: no throttle named 'gitlab'; there are [github]");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.bulkhead", "db")))
        .hasMessage("throttlenet.queue.q.bulkhead: no bulkhead named 'db'; there are []");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.capacity", "4")))
        .hasMessage("throttlenet.queue.q: limiter must be set (the throttle or bulkhead the queue fronts)");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.throttle", "github",
            "throttlenet.queue.q.capacity", "0")))
        .hasMessage("throttlenet.queue.q: capacity must be >= 1, was 0");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.throttle", "github",
            "throttlenet.queue.q.overflow", "drop-newest")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("throttlenet.queue.q.overflow: ");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.throttle", "github",
            "throttlenet.queue.q.size", "4")))
        .hasMessage("throttlenet.queue.q.size: unknown key; a queue reads ageing, bulkhead, capacity, "
            + "max-queued-cost, overflow, quantum, throttle");
    assertThatThrownBy(() -> queues.bind(Map.of("throttlenet.queue.q.throttle", "github",
            "throttlenet.queue.q.bulkhead", "github")))
        .hasMessageStartingWith("throttlenet.queue.q.bulkhead: no bulkhead");
    assertThat(queues.components()).isEmpty();
  }

  @Test
  void bind_derivedConfigurationNamesTheLimiter_forEveryQueueFromIt() {
    bulkheads.bind(Map.of("throttlenet.bulkhead.db.limit", "2"));
    queues.bind(Map.of(
        "throttlenet.queue.configs.db-queue.bulkhead", "db",
        "throttlenet.queue.configs.small.base-config", "db-queue",
        "throttlenet.queue.configs.small.capacity", "2",
        "throttlenet.queue.a.config", "small",
        "throttlenet.queue.b.config", "db-queue"));
    assertThat(queues.component("a").config().capacity()).hasValue(2);
    assertThat(queues.component("a").config().limiter())
        .contains(new AdmissionQueueConfig.LimiterRef("bulkhead", "db"));
    assertThat(queues.component("b").config().capacity()).hasValue(1024);
    assertThat(queues.configuration("small").orElseThrow().limiter())
        .contains(new AdmissionQueueConfig.LimiterRef("bulkhead", "db"));
  }

  @Test
  void create_refusesTwoRegistriesOfOneKind() {
    assertThatThrownBy(() -> AdmissionQueueRegistry.create(events, throttles,
            new io.throttlenet.core.registry.Registry<ConcurrencyLimit, ConcurrencyLimitConfig>(
                "throttle", ConcurrencyLimitConfig.NONE, (n, c) -> ConcurrencyLimit.of(1), (b, o) -> b) {}))
        .hasMessage("rateLimiters and bulkheads must be of different kinds, both were 'throttle'");
  }
}
