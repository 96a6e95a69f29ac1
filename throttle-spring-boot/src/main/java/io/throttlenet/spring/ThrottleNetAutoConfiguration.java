package io.throttlenet.spring;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.Ticker;
import io.throttlenet.decorators.Registries;
import io.throttlenet.decorators.Slf4jEventLogger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of throttle-net for Spring Boot.
 *
 * <ul>
 *   <li>an {@link EventRegistry} and a {@link Registries} (one registry of each kind) on the
 *       {@link Ticker} bean if there is one, else the system ticker, bound from every {@code
 *       throttlenet.*} property of the environment ({@code application.yml} included): an unknown
 *       key or a value a builder rejects stops the application, naming the key;
 *   <li>a bean for each component the properties declare, named as its keys ({@code
 *       throttlenet.throttle.github});
 *   <li>{@link Throttled}, {@link Queued}, {@link Bulkhead}, {@link Breaker} and {@link
 *       Retried} on bean methods, through Spring AOP ({@link ThrottleNetAspect});
 *   <li>with Micrometer and {@code throttle-micrometer} present, meters for every component in
 *       every meter registry Boot manages; with SLF4J present, {@link Slf4jEventLogger} on the
 *       event registry;
 *   <li>with the actuator present, the {@code throttlenet} endpoint ({@link ThrottleNetEndpoint})
 *       and a health indicator of the breakers ({@link BreakersHealthIndicator}).
 * </ul>
 *
 * Each bean backs off when the application defines its own of that type.
 */
@AutoConfiguration
public class ThrottleNetAutoConfiguration {

  /** The event registry every component publishes to. */
  @Bean
  @ConditionalOnMissingBean
  public EventRegistry throttleNetEvents() {
    return EventRegistry.create();
  }

  /**
   * The registries, bound from the environment's {@code throttlenet.*} properties.
   *
   * @throws io.throttlenet.core.registry.ConfigurationException if a property does not bind
   */
  @Bean
  @ConditionalOnMissingBean
  public Registries throttleNetRegistries(
      EventRegistry events, ObjectProvider<Ticker> ticker, Environment environment) {
    return Registries.create(ticker.getIfAvailable(Ticker::system), events)
        .bind(ThrottleNetProperties.of(environment));
  }

  /** A bean per component declared in properties. */
  @Bean
  static ComponentBeans throttleNetComponentBeans() {
    return new ComponentBeans();
  }

  /** The annotations' aspect. */
  @Bean
  @ConditionalOnMissingBean
  public ThrottleNetAspect throttleNetAspect(Registries registries) {
    return new ThrottleNetAspect(registries);
  }

  /** Meters, when Micrometer and throttle-micrometer are present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {
      "io.micrometer.core.instrument.MeterRegistry", "io.throttlenet.micrometer.ThrottleMetrics"})
  static class Metrics {
    @Bean
    ThrottleNetMeterBinder throttleNetMeterBinder(Registries registries) {
      return new ThrottleNetMeterBinder(registries);
    }
  }

  /** The SLF4J event logger, when SLF4J is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.slf4j.Logger")
  static class Logging {
    @Bean(destroyMethod = "close")
    Subscription throttleNetEventLogger(EventRegistry events) {
      return Slf4jEventLogger.attach(events);
    }
  }

  /** The actuator endpoint, when the actuator is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class Actuator {
    @Bean
    @ConditionalOnMissingBean
    ThrottleNetEndpoint throttleNetEndpoint(Registries registries) {
      return new ThrottleNetEndpoint(registries);
    }
  }

  /** The breakers' health, when Spring Boot's health support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthContributors {
    @Bean
    @ConditionalOnMissingBean
    BreakersHealthIndicator throttleNetBreakersHealthIndicator(
        Registries registries, Environment environment) {
      return new BreakersHealthIndicator(
          registries,
          environment.getProperty(BreakersHealthIndicator.FAIL_WHEN_OPEN, Boolean.class, false));
    }
  }
}
