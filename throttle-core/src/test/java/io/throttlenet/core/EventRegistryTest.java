package io.throttlenet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventRegistryTest {
  private final EventRegistry registry = EventRegistry.create();

  private static LimiterEvent.Acquired acquired(String component) {
    return new LimiterEvent.Acquired(component, 1, Duration.ZERO);
  }

  @Test
  void publisher_withoutListeners_reportsNone() {
    EventPublisher<LimiterEvent.Acquired> p = registry.publisher(LimiterEvent.Acquired.class, "a");
    assertThat(p.hasListeners()).isFalse();
    p.publish(acquired("a")); // nobody to deliver to: harmless
  }

  @Test
  void publisher_isSharedPerTypeAndComponent() {
    assertThat(registry.publisher(LimiterEvent.Acquired.class, "a"))
        .isSameAs(registry.publisher(LimiterEvent.Acquired.class, "a"))
        .isNotSameAs(registry.publisher(LimiterEvent.Acquired.class, "b"))
        .isNotSameAs(registry.publisher(LimiterEvent.Rejected.class, "a"));
  }

  @Test
  void subscribe_toASupertype_receivesItsSubtypes() {
    EventPublisher<LimiterEvent.Acquired> acquired = registry.publisher(LimiterEvent.Acquired.class, "a");
    EventPublisher<LimiterEvent.Rejected> rejected = registry.publisher(LimiterEvent.Rejected.class, "a");
    List<Event> seen = new ArrayList<>();
    registry.subscribe(Event.class, seen::add);
    LimiterEvent.Rejected r =
        new LimiterEvent.Rejected("a", 2, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty());
    acquired.publish(acquired("a"));
    rejected.publish(r);
    assertThat(seen).containsExactly(acquired("a"), r);
  }

  @Test
  void subscribe_byComponent_filtersOthers() {
    EventPublisher<LimiterEvent.Acquired> a = registry.publisher(LimiterEvent.Acquired.class, "a");
    EventPublisher<LimiterEvent.Acquired> b = registry.publisher(LimiterEvent.Acquired.class, "b");
    List<LimiterEvent> seen = new ArrayList<>();
    registry.subscribe(LimiterEvent.class, "b", seen::add);
    assertThat(a.hasListeners()).isFalse();
    assertThat(b.hasListeners()).isTrue();
    a.publish(acquired("a"));
    b.publish(acquired("b"));
    assertThat(seen).containsExactly(acquired("b"));
  }

  @Test
  void subscribe_beforeThePublisherExists_stillReceives() {
    List<LimiterEvent.Acquired> seen = new ArrayList<>();
    registry.subscribe(LimiterEvent.Acquired.class, seen::add);
    EventPublisher<LimiterEvent.Acquired> p = registry.publisher(LimiterEvent.Acquired.class, "late");
    assertThat(p.hasListeners()).isTrue();
    p.publish(acquired("late"));
    assertThat(seen).hasSize(1);
  }

  @Test
  void close_stopsDeliveryAndIsIdempotent() {
    EventPublisher<LimiterEvent.Acquired> p = registry.publisher(LimiterEvent.Acquired.class, "a");
    List<LimiterEvent.Acquired> seen = new ArrayList<>();
    Subscription s = registry.subscribe(LimiterEvent.Acquired.class, seen::add);
    p.publish(acquired("a"));
    s.close();
    s.close();
    assertThat(p.hasListeners()).isFalse();
    p.publish(acquired("a"));
    assertThat(seen).hasSize(1);
  }

  @Test
  void publish_throwingListener_isLoggedAndTheOthersStillReceive() {
    EventPublisher<LimiterEvent.Acquired> p = registry.publisher(LimiterEvent.Acquired.class, "a");
    List<String> order = new ArrayList<>();
    registry.subscribe(
        LimiterEvent.Acquired.class,
        e -> {
          order.add("first");
          throw new IllegalStateException("boom");
        });
    registry.subscribe(LimiterEvent.Acquired.class, e -> order.add("second"));
    p.publish(acquired("a"));
    assertThat(order).containsExactly("first", "second");
  }

  @Test
  void publish_fatalErrorInListener_isNotSwallowed() {
    EventPublisher<LimiterEvent.Acquired> p = registry.publisher(LimiterEvent.Acquired.class, "a");
    registry.subscribe(
        LimiterEvent.Acquired.class,
        e -> {
          throw new OutOfMemoryError("simulated");
        });
    assertThatThrownBy(() -> p.publish(acquired("a"))).isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void defaultRegistry_isShared() {
    assertThat(EventRegistry.defaultRegistry()).isSameAs(EventRegistry.defaultRegistry());
    assertThat(EventRegistry.create()).isNotSameAs(EventRegistry.create());
  }

  @Test
  void badInput_namesTheArgument() {
    assertThatThrownBy(() -> registry.subscribe(null, e -> {}))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("type must not be null");
    assertThatThrownBy(() -> registry.subscribe(Event.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener must not be null");
    assertThatThrownBy(() -> registry.publisher(Event.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("component must not be null");
  }
}
