package io.throttlenet.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runs in its own surefire execution with only throttle-core (and Micrometer) on the class path. */
class CoreOnlyTest {

  @Test
  void theCapabilityModulesAreReallyAbsent() {
    assertThatThrownBy(() -> Class.forName("io.throttlenet.retry.RetryEvent")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.throttlenet.bucket.Throttle")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.throttlenet.queue.ConcurrencyLimit")).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void reflectionOverTheBinder_needsNoCapabilityModule() {
    // as a dependency-injection container does on a bean: a method of ThrottleMetrics naming a
    // type of an optional module (BulkheadGauges' ConcurrencyLimit) would fail here
    assertThat(ThrottleMetrics.class.getDeclaredMethods()).isNotEmpty();
    assertThat(ThrottleMetrics.Builder.class.getDeclaredMethods()).isNotEmpty();
    assertThatThrownBy(BulkheadGauges.class::getDeclaredMethods).isInstanceOf(NoClassDefFoundError.class);
  }

  @Test
  void bindingWorks_andCoreEventsAreMetered() {
    EventRegistry events = EventRegistry.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ThrottleMetrics.bindTo(events, registry);
    events.publisher(CallEvent.Finished.class, "chat")
        .publish(new CallEvent.Finished("chat", Outcome.DROPPED, Duration.ofMillis(12), Optional.empty(), Optional.empty()));
    assertThat(registry.get("throttlenet.calls").tags("component", "chat", "outcome", "dropped").timer().count()).isEqualTo(1);
  }

  /** A registry of something no capability module knows: binding it must load none of them. */
  static final class Names extends io.throttlenet.core.registry.Registry<String, Integer> {
    Names() {
      super("name", 0, (name, config) -> name + config, (base, options) -> base);
    }
  }

  @Test
  void bindingARegistry_worksWithoutTheCapabilityModules() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ThrottleMetrics metrics = ThrottleMetrics.bindTo(EventRegistry.create(), registry);
    Names names = new Names();
    names.component("a");
    metrics.bind(names);
    names.component("b");
    names.remove("a");
    assertThat(registry.getMeters()).isEmpty();
  }
}
