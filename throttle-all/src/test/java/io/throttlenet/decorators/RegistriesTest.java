package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.breaker.BreakerState;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import io.throttlenet.core.registry.ConfigurationException;
import io.throttlenet.queue.AdmissionQueue;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RegistriesTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5);
  private final Registries registries = Registries.create(ticker, EventRegistry.create());

  @Test
  void bind_fromAPropertiesFile_intoEveryKind() throws IOException, InterruptedException {
    Properties file = new Properties();
    file.load(new StringReader(String.join("\n",
        "throttlenet.throttle.github.rate=5000/1h",
        "throttlenet.retry.configs.default.max-attempts=3",
        "throttlenet.retry.github.backoff=constant",
        "throttlenet.breaker.payments.failure-rate-threshold=50%",
        "throttlenet.breaker.payments.sliding-window-size=2",
        "throttlenet.bulkhead.db.limit=8",
        "throttlenet.multi.llm.dimensions.requests.rate=60/1m",
        "throttlenet.queue.tenants.throttle=github",
        "throttlenet.queue.tenants.capacity=100",
        "throttlenet.queue.reports.bulkhead=db",
        "throttlenet.window.openai.quota=requests 500/1m, tokens 30000/1m",
        "server.port=8080")));
    registries.bind(file);
    Throttle github = registries.throttles().component("github");
    assertThat(github.capacity()).isEqualTo(5000);
    assertThat(registries.retries().component("github").maxAttempts()).isEqualTo(3);
    assertThat(registries.bulkheads().component("db").limit()).isEqualTo(8);
    assertThat(registries.multiLimiters().component("llm").capacity("requests")).isEqualTo(60);

    Supplier<String> call = Decorators.ofSupplier(() -> "ok")
        .withThrottle(github)
        .withRetry(registries.retries().component("github"))
        .withBreaker(registries.breakers().component("payments"))
        .decorate();
    assertThat(call.get()).isEqualTo("ok");
    assertThat(github.availablePermits()).isEqualTo(4999);
    assertThat(registries.breakers().component("payments").state()).isEqualTo(BreakerState.CLOSED);
    AdmissionQueue<String> tenants = registries.queues().component("tenants");
    assertThat(tenants.acquire("acme", 0, 1, null)).isSameAs(Permit.SPENT);
    assertThat(github.availablePermits()).isEqualTo(4998); // the queue fronts the bound throttle
    assertThat(tenants.config().capacity()).hasValue(100);
    try (Permit slot = registries.queues().component("reports").acquire("acme", 0, 1, null)) {
      assertThat(registries.bulkheads().component("db").inFlight()).isEqualTo(1);
      slot.success();
    }
    assertThat(registries.windows().component("openai").capacity("tokens")).isEqualTo(30_000);
    assertThat(registries.all()).hasSize(7);
  }

  @Test
  void bind_unknownKind_failsBeforeAnythingIsBound() {
    assertThatThrownBy(() -> registries.bind(Map.of(
            "throttlenet.throttle.a.rate", "1/s",
            "throttlenet.ratelimiter.a.limit-for-period", "10")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.ratelimiter.a.limit-for-period: unknown kind 'ratelimiter';"
            + " throttlenet.* keys are of breaker, bulkhead, multi, queue, retry, throttle, window");
    assertThat(registries.throttles().components()).isEmpty();
  }

  @Test
  void bind_queueOfAThrottleNotBound_failsNamingTheKey_andBindsNoQueue() {
    assertThatThrownBy(() -> registries.bind(Map.of(
            "throttlenet.throttle.github.rate", "1/s",
            "throttlenet.queue.tenants.throttle", "gitlab")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("throttlenet.queue.tenants.throttle: no throttle named 'gitlab'; there are [github]");
    assertThat(registries.queues().components()).isEmpty();
  }
}
