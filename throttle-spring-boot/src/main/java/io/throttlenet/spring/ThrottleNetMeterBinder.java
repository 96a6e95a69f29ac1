package io.throttlenet.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.throttlenet.decorators.Registries;
import io.throttlenet.micrometer.ThrottleMetrics;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;

/**
 * Meters every component of the registries in each {@link MeterRegistry} Spring Boot binds it to
 * (Boot applies every {@link MeterBinder} bean): the event-fed counters and timers, and the gauges
 * of every component present and future ({@link ThrottleMetrics#bind}). Thread-safe.
 */
final class ThrottleNetMeterBinder implements MeterBinder, DisposableBean {
  private final Registries registries;
  private final List<ThrottleMetrics> bound = new ArrayList<>();

  ThrottleNetMeterBinder(Registries registries) {
    this.registries = registries;
  }

  @Override
  public synchronized void bindTo(MeterRegistry meters) {
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(registries.events(), meters);
    registries.all().forEach(metrics::bind);
    bound.add(metrics);
  }

  @Override
  public synchronized void destroy() {
    bound.forEach(ThrottleMetrics::close);
    bound.clear();
  }
}
