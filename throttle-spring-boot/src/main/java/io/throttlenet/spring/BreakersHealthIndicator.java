package io.throttlenet.spring;

import io.throttlenet.breaker.BreakerState;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.decorators.Registries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the circuit breakers of the registries: every breaker's state in the details, and the
 * names of those open (or forced open) under {@code open}.
 *
 * <p>By default an open breaker leaves the status {@code UP}: a breaker opens because a
 * downstream fails, and an application reported {@code DOWN} for it is taken out of its load
 * balancer or restarted, which does not mend the downstream and takes away what still works.
 * With {@code failWhenOpen} (property {@code management.health.throttlenet.fail-when-breaker-open:
 * true}) the status is {@code DOWN} while any breaker is open, for applications that are nothing
 * without their downstream. Thread-safe.
 */
public class BreakersHealthIndicator implements HealthIndicator {
  /** The property that makes an open breaker report {@code DOWN}. */
  public static final String FAIL_WHEN_OPEN = "management.health.throttlenet.fail-when-breaker-open";

  private final Registries registries;
  private final boolean failWhenOpen;

  /** Health over the breakers of {@code registries}; an open breaker leaves it {@code UP}. */
  public BreakersHealthIndicator(Registries registries) {
    this(registries, false);
  }

  /** Health over the breakers of {@code registries}; {@code DOWN} while one is open if asked. */
  public BreakersHealthIndicator(Registries registries, boolean failWhenOpen) {
    this.registries = registries;
    this.failWhenOpen = failWhenOpen;
  }

  @Override
  public Health health() {
    Map<String, CircuitBreaker> breakers = registries.breakers().components();
    List<String> open = new ArrayList<>();
    Health.Builder health = Health.up();
    for (Map.Entry<String, CircuitBreaker> e : breakers.entrySet()) {
      BreakerState state = e.getValue().state();
      if (state == BreakerState.OPEN || state == BreakerState.FORCED_OPEN) {
        open.add(e.getKey());
      }
      health.withDetail(e.getKey(), state.name());
    }
    health.withDetail("open", open);
    return failWhenOpen && !open.isEmpty() ? health.down().build() : health.build();
  }
}
