package io.throttlenet.spring;

import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.adaptive.ServerWindowRegistry;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitBreakerRegistry;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.bucket.ThrottleRegistry;
import io.throttlenet.core.registry.Registry;
import io.throttlenet.decorators.Registries;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.MultiLimiterRegistry;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.AdmissionQueueRegistry;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.queue.ConcurrencyLimitRegistry;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers a bean for every component the {@code throttlenet.*} properties declare, named as
 * its keys are ({@code throttlenet.throttle.github} for the throttle under {@code
 * throttlenet.throttle.github.*}), so it can be injected with {@code
 * @Qualifier("throttlenet.throttle.github")}. Each bean is the registry's own instance: the bean
 * asks the {@link Registries} bean for it, so the bean, the annotations and code using the
 * registry share one component.
 *
 * <p>Design: the names come from the environment's keys, read before any bean exists, because
 * bean definitions must be known before the registries are built; the components themselves are
 * created only when the registries bind. Not thread-safe (Spring calls it once, at start-up).
 */
final class ComponentBeans implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {
  private static final Map<String, Kind<?>> KINDS = Map.of(
      ThrottleRegistry.KIND, new Kind<>(Throttle.class, Registries::throttles),
      MultiLimiterRegistry.KIND, new Kind<>(MultiLimiter.class, Registries::multiLimiters),
      RetryRegistry.KIND, new Kind<>(Retry.class, Registries::retries),
      CircuitBreakerRegistry.KIND, new Kind<>(CircuitBreaker.class, Registries::breakers),
      ConcurrencyLimitRegistry.KIND, new Kind<>(ConcurrencyLimit.class, Registries::bulkheads),
      AdmissionQueueRegistry.KIND, new Kind<>(stringQueues(), Registries::queues),
      ServerWindowRegistry.KIND, new Kind<>(ServerWindow.class, Registries::windows));

  private Environment environment;

  /** A kind's component type and where its registry is. */
  private record Kind<E>(Class<E> type, Function<Registries, ? extends Registry<E, ?>> registry) {
    void register(BeanDefinitionRegistry beans, BeanFactory factory, String kind, String name) {
      RootBeanDefinition definition = new RootBeanDefinition(
          type, () -> registry.apply(factory.getBean(Registries.class)).component(name));
      beans.registerBeanDefinition(ThrottleNetProperties.PREFIX + kind + "." + name, definition);
    }
  }

  /** The bean type of a queue: the registry's queues are keyed by strings. */
  @SuppressWarnings("unchecked")
  private static Class<AdmissionQueue<String>> stringQueues() {
    return (Class<AdmissionQueue<String>>) (Class<?>) AdmissionQueue.class;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry beans) {
    BeanFactory factory = (BeanFactory) beans;
    Set<String> seen = new TreeSet<>();
    for (String key : ThrottleNetProperties.of(environment).keySet()) {
      String[] parts = key.split("\\.", 4);
      if (parts.length < 4 || parts[2].equals("configs") || !KINDS.containsKey(parts[1])) {
        continue; // a configuration, or a key the binder will report
      }
      if (seen.add(parts[1] + "." + parts[2])) {
        KINDS.get(parts[1]).register(beans, factory, parts[1], parts[2]);
      }
    }
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}
}
