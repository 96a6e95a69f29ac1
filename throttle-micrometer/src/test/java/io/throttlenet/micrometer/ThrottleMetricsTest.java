package io.throttlenet.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.Reservation;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ThrottleMetricsTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void limiter_acquisitionsRejectionsAndWaits_taggedByComponentAndReason() throws Exception {
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, registry);
    Throttle api = Throttle.builder().name("api").rate(1, Duration.ofSeconds(1)).burst(2).ticker(ticker).events(events).build();
    metrics.availablePermits(api);
    api.tryAcquire();
    api.tryAcquire();
    api.tryAcquire(); // refused
    api.tryAcquire(5); // never fits
    assertThat(count("throttlenet.limiter.acquired", "component", "api")).isEqualTo(2);
    assertThat(count("throttlenet.limiter.rejected", "component", "api", "reason", "insufficient_permits")).isEqualTo(1);
    assertThat(count("throttlenet.limiter.rejected", "component", "api", "reason", "capacity_exceeded")).isEqualTo(1);
    assertThat(registry.get("throttlenet.limiter.wait").tag("component", "api").timer().count()).isEqualTo(2);
    assertThat(registry.get("throttlenet.limiter.available").tag("component", "api").gauge().value()).isEqualTo(0);
  }

  @Test
  void multi_costsPerDimension_andSettlementsBothWays() throws Exception {
    ThrottleMetrics.bindTo(events, registry);
    MultiLimiter llm = MultiLimiter.builder().name("llm").events(events).ticker(ticker)
        .dimension("requests", Throttle.builder().rate(10, Duration.ofMinutes(1)).ticker(ticker).build())
        .dimension("tokens", Throttle.builder().rate(1_000, Duration.ofMinutes(1)).ticker(ticker).build())
        .build();
    Reservation r = llm.reserve(Costs.of("requests", 1, "tokens", 500));
    r.settle(Costs.of("requests", 1, "tokens", 120));
    assertThat(count("throttlenet.multi.cost", "component", "llm", "dimension", "tokens")).isEqualTo(500);
    assertThat(count("throttlenet.multi.settled", "component", "llm", "dimension", "tokens", "direction", "refunded"))
        .isEqualTo(380);
    ThrottleMetrics metrics = ThrottleMetrics.builder(EventRegistry.create()).build();
    metrics.bindTo(registry);
    for (String d : llm.dimensions()) {
      metrics.gauge("multi.available", "llm", () -> llm.availablePermits(d), "dimension", d);
    }
    assertThat(registry.get("throttlenet.multi.available").tags("component", "llm", "dimension", "tokens").gauge().value())
        .isEqualTo(880);
    assertThat(registry.get("throttlenet.multi.available").tags("component", "llm", "dimension", "requests").gauge().value())
        .isEqualTo(9);
    assertThatThrownBy(() -> metrics.gauge("x", "llm", () -> 1, "odd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key-value pairs");
    llm.tryAcquire(Costs.of("tokens", 900));
    assertThat(count("throttlenet.multi.rejected", "component", "llm", "dimension", "tokens", "reason", "insufficient_permits"))
        .isEqualTo(1);
  }

  @Test
  void breaker_stateGaugeFollowsTransitions_retriesAreCounted() throws Exception {
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, registry);
    CircuitBreaker breaker = CircuitBreaker.builder().name("pay").trip(Trip.consecutive(1)).ticker(ticker).events(events).build();
    metrics.stateGauge("breaker.state", "pay", breaker::state);
    breaker.tryAcquire().orElseThrow().failure(new IllegalStateException("down"));
    assertThat(registry.get("throttlenet.breaker.state").tags("component", "pay", "state", "open").gauge().value()).isEqualTo(1);
    assertThat(registry.get("throttlenet.breaker.state").tags("component", "pay", "state", "closed").gauge().value()).isEqualTo(0);
    assertThat(count("throttlenet.breaker.transitions", "component", "pay", "from", "closed", "to", "open")).isEqualTo(1);
    assertThat(breaker.tryAcquire()).isEmpty();
    assertThat(count("throttlenet.breaker.not_permitted", "component", "pay")).isEqualTo(1);

    Retry retry = Retry.builder().name("r").maxAttempts(1).backoff(Backoff.constant(Duration.ofMillis(1))).ticker(ticker).events(events).build();
    assertThatThrownBy(() -> retry.run(() -> {
      throw new IllegalStateException("x");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(count("throttlenet.retry.calls", "component", "r", "result", "exhausted")).isEqualTo(1);
  }

  @Test
  void queueAndBulkhead_depthWaitsAndTheLimit() throws Exception {
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, registry);
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().name("slots").limit(1).ticker(ticker).events(events).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(bulkhead).name("fair").capacity(1).events(events).build();
    metrics.gauge("queue.depth", "fair", queue::size);
    Permit first = queue.tryAcquire("a", 1).orElseThrow();
    queue.acquireAsync("a", 0, 1, null);
    queue.acquireAsync("b", 0, 1, null); // full: refused
    assertThat(registry.get("throttlenet.queue.depth").tag("component", "fair").gauge().value()).isEqualTo(1);
    assertThat(count("throttlenet.queue.dropped", "component", "fair", "queued", "false")).isEqualTo(1);
    ticker.advance(Duration.ofMillis(30));
    first.success();
    assertThat(registry.get("throttlenet.queue.wait").tag("component", "fair").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(30);
    assertThat(registry.get("throttlenet.bulkhead.calls").tags("component", "slots", "outcome", "success").timer().count())
        .isEqualTo(1);
    BulkheadGauges.register(metrics, bulkhead);
    bulkhead.setLimit(5);
    assertThat(registry.get("throttlenet.bulkhead.limit").tag("component", "slots").gauge().value()).isEqualTo(5);
    assertThat(count("throttlenet.bulkhead.limit_changes", "component", "slots")).isEqualTo(1);
    assertThat(bulkhead.inFlight()).as("the queued call was dispatched").isEqualTo(1);
    Permit held = bulkhead.tryAcquire().orElseThrow();
    assertThat(registry.get("throttlenet.bulkhead.in_flight").tag("component", "slots").gauge().value()).isEqualTo(2);
    held.success();
    assertThat(registry.get("throttlenet.bulkhead.in_flight").tag("component", "slots").gauge().value()).isEqualTo(1);
  }

  @Test
  void perKeyValues_areNeverTags_unlessOptedIn() throws Exception {
    ThrottleMetrics.bindTo(events, registry);
    PerKey<String> tenants = PerKey.<String>builder().name("tenants").rate(1, Duration.ofSeconds(1)).maximumKeys(1)
        .forgiveEvictedDebt() // by default evicted debts are kept, not forgiven (issue 13)
        .ticker(ticker).events(events).build();
    for (int i = 0; i < 50; i++) {
      tenants.tryAcquire("tenant-" + i); // each eviction forgives a debt
    }
    tenants.cleanUp();
    Set<String> tagKeys = registry.getMeters().stream()
        .flatMap(meter -> meter.getId().getTags().stream())
        .map(t -> t.getKey())
        .collect(Collectors.toSet());
    assertThat(tagKeys).doesNotContain("key");
    assertThat(count("throttlenet.perkey.indebted_evictions", "component", "tenants")).isPositive();
  }

  @Test
  void badUse_failsClearly() {
    ThrottleMetrics unbound = ThrottleMetrics.builder(events).build();
    assertThatThrownBy(() -> unbound.gauge("x", "c", () -> 1)).isInstanceOf(IllegalStateException.class);
    ThrottleMetrics bound = ThrottleMetrics.bindTo(events, registry);
    assertThatThrownBy(() -> bound.bindTo(new SimpleMeterRegistry())).isInstanceOf(IllegalStateException.class);
    bound.close();
    Throttle t = Throttle.builder().name("after-close").rate(1, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    t.tryAcquire();
    assertThat(registry.getMeters()).extracting(Meter::getId).noneMatch(id -> "after-close".equals(id.getTag("component")));
  }
}
