package io.throttlenet.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.adaptive.ServerWindowRegistry;
import io.throttlenet.breaker.CircuitBreakerRegistry;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.bucket.ThrottleRegistry;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiterRegistry;
import io.throttlenet.queue.AdmissionQueueRegistry;
import io.throttlenet.queue.ConcurrencyLimitRegistry;
import io.throttlenet.retry.RetryRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class RegistryGaugesTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-1_000);
  private final EventRegistry events = EventRegistry.create();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, meters);

  private double gauge(String name, String... tags) {
    return meters.get(name).tags(tags).gauge().value();
  }

  @Test
  void bind_gaugesPresentAndFutureThrottles_andDropsRemovedOnes() {
    ThrottleRegistry throttles = ThrottleRegistry.create(ticker, events);
    throttles.addConfiguration("default", Throttle.builder().rate(10, Duration.ofSeconds(1)).config());
    throttles.component("before").tryAcquire(3);
    metrics.bind(throttles);
    throttles.component("after").tryAcquire(1);
    assertThat(gauge("throttlenet.limiter.available", "component", "before")).isEqualTo(7);
    assertThat(gauge("throttlenet.limiter.available", "component", "after")).isEqualTo(9);
    throttles.remove("before");
    assertThat(meters.find("throttlenet.limiter.available").tags("component", "before").gauge()).isNull();
    throttles.replace("after", Throttle.builder().name("after").rate(5, Duration.ofSeconds(1)).ticker(ticker).build());
    assertThat(gauge("throttlenet.limiter.available", "component", "after")).isEqualTo(5);
    // Counters come from events, as for every component on this event registry.
    throttles.component("third").tryAcquire(2);
    assertThat(meters.get("throttlenet.limiter.acquired").tags("component", "third").counter().count()).isEqualTo(1);
  }

  @Test
  void bind_gaugesEveryKind() throws Exception {
    CircuitBreakerRegistry breakers = CircuitBreakerRegistry.create(ticker, events);
    ConcurrencyLimitRegistry bulkheads = ConcurrencyLimitRegistry.create(ticker, events);
    MultiLimiterRegistry multis = MultiLimiterRegistry.create(ticker, events);
    RetryRegistry retries = RetryRegistry.create(ticker, events);
    breakers.bind(Map.of("throttlenet.breaker.payments.consecutive-failures", "1"));
    bulkheads.bind(Map.of("throttlenet.bulkhead.db.limit", "4", "throttlenet.bulkhead.one.limit", "1"));
    AdmissionQueueRegistry queues =
        AdmissionQueueRegistry.create(events, ThrottleRegistry.create(ticker, events), bulkheads);
    queues.bind(Map.of("throttlenet.queue.tenants.bulkhead", "one"));
    multis.bind(Map.of("throttlenet.multi.llm.dimensions.tokens.rate", "100/1m"));
    retries.component("default-retry");
    metrics.bind(breakers).bind(bulkheads).bind(multis).bind(retries).bind(queues);

    breakers.component("payments").tryAcquire().orElseThrow().failure(new IOException());
    assertThat(gauge("throttlenet.breaker.state", "component", "payments", "state", "open")).isEqualTo(1);
    assertThat(gauge("throttlenet.breaker.state", "component", "payments", "state", "closed")).isZero();
    Permit slot = bulkheads.component("db").tryAcquire().orElseThrow();
    assertThat(gauge("throttlenet.bulkhead.in_flight", "component", "db")).isEqualTo(1);
    assertThat(gauge("throttlenet.bulkhead.limit", "component", "db")).isEqualTo(4);
    assertThat(gauge("throttlenet.bulkhead.waiting", "component", "db")).isZero();
    slot.close();
    Permit only = bulkheads.component("one").tryAcquire().orElseThrow();
    CompletionStage<Permit> queued = queues.component("tenants").acquireAsync("acme", 0, 1, null);
    assertThat(gauge("throttlenet.queue.depth", "component", "tenants")).isEqualTo(1);
    only.close();
    assertThat(gauge("throttlenet.queue.depth", "component", "tenants")).isZero();
    queued.toCompletableFuture().join().close();
    assertThat(gauge("throttlenet.multi.available", "component", "llm", "dimension", "tokens")).isEqualTo(100);
    assertThat(meters.find("throttlenet.limiter.available").tags("component", "default-retry").gauge()).isNull();
  }

  @Test
  void bind_gaugesServerWindowsPerDimension() {
    ServerWindowRegistry windows = ServerWindowRegistry.create(ticker, events);
    windows.bind(Map.of("throttlenet.window.openai.quota", "requests 50/1m, tokens 5000/1m"));
    metrics.bind(windows);
    ServerWindow openai = windows.component("openai");
    ServerWindow.Permit call = openai.tryAcquire(Costs.of("requests", 1, "tokens", 700)).orElseThrow();
    assertThat(gauge("throttlenet.window.available", "component", "openai", "dimension", "tokens"))
        .isEqualTo(4_300);
    assertThat(gauge("throttlenet.window.in_flight", "component", "openai", "dimension", "tokens"))
        .isEqualTo(700);
    assertThat(gauge("throttlenet.window.in_flight", "component", "openai", "dimension", "requests"))
        .isEqualTo(1);
    assertThat(gauge("throttlenet.window.waiting", "component", "openai")).isZero();
    call.release();
    assertThat(gauge("throttlenet.window.in_flight", "component", "openai", "dimension", "tokens"))
        .isZero();
    windows.remove("openai");
    assertThat(meters.find("throttlenet.window.available").tags("component", "openai").gauge()).isNull();
  }

  @Test
  void bind_beforeBindingToAMeterRegistry_fails() {
    ThrottleMetrics unbound = ThrottleMetrics.builder(events).build();
    assertThatThrownBy(() -> unbound.bind(ThrottleRegistry.create()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bind to a registry first");
  }

  @Test
  void close_stopsFollowingTheRegistry() {
    ThrottleRegistry throttles = ThrottleRegistry.create(ticker, events);
    throttles.addConfiguration("default", Throttle.builder().rate(1, Duration.ofSeconds(1)).config());
    metrics.bind(throttles);
    metrics.close();
    throttles.component("late");
    assertThat(meters.find("throttlenet.limiter.available").tags("component", "late").gauge()).isNull();
  }
}
