package io.throttlenet.spring;

import io.throttlenet.breaker.BreakerState;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.decorators.Registries;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the circuit breakers of the registries: every breaker's state in the details, and
 * {@code DOWN} while any is open or forced open (a downstream is failing and calls to it fail fast), {@code UP}
 * otherwise (closed, half-open or disabled). The application's liveness and readiness groups do
 * not include it unless configured to. Thread-safe.
 */
public class BreakersHealthIndicator implements HealthIndicator {
  private final Registries registries;

  /** Health over the breakers of {@code registries}. */
  public BreakersHealthIndicator(Registries registries) {
    this.registries = registries;
  }

  @Override
  public Health health() {
    Map<String, CircuitBreaker> breakers = registries.breakers().components();
    boolean open = false;
    Health.Builder health = Health.up();
    for (Map.Entry<String, CircuitBreaker> e : breakers.entrySet()) {
      BreakerState state = e.getValue().state();
      open |= state == BreakerState.OPEN || state == BreakerState.FORCED_OPEN;
      health.withDetail(e.getKey(), state.name());
    }
    return open ? health.down().build() : health.build();
  }
}
