package io.throttlenet.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryTest {

  /** Counts factory runs and, while asked to, holds the first one until released. */
  static final class CountingRegistry extends Registry<Object, Integer> {
    static final AtomicInteger BUILDS = new AtomicInteger();

    CountingRegistry(CountDownLatch entered, CountDownLatch release) {
      super("thing", 0, (name, config) -> {
        BUILDS.incrementAndGet();
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new Object();
      }, (base, options) -> base);
    }
  }

  @Test
  void component_sameNameFromManyThreads_oneInstanceAndOneBuild() throws Exception {
    int threads = 8;
    int rounds = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < rounds; round++) {
        CountingRegistry.BUILDS.set(0);
        CountingRegistry registry =
            new CountingRegistry(new CountDownLatch(1), new CountDownLatch(0));
        List<String> names = new ArrayList<>();
        AtomicInteger added = new AtomicInteger();
        registry.onEvent(e -> {
          added.incrementAndGet();
          names.add(e.name());
        });
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<Object>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(pool.submit(() -> {
            start.await();
            return registry.component("shared");
          }));
        }
        Object first = results.get(0).get();
        for (Future<Object> f : results) {
          assertThat(f.get()).isSameAs(first);
        }
        assertThat(CountingRegistry.BUILDS.get()).isEqualTo(1);
        assertThat(added.get()).isEqualTo(1);
        assertThat(names).containsExactly("shared");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void component_whileTheFactoryRuns_otherCallersWaitForItsInstance() throws Exception {
    CountingRegistry.BUILDS.set(0);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountingRegistry registry = new CountingRegistry(entered, release);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Object> first = pool.submit(() -> registry.component("a"));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      Future<Object> second = pool.submit(() -> registry.component("a"));
      assertThat(registry.find("a")).isEmpty(); // not published before it is built
      release.countDown();
      assertThat(second.get()).isSameAs(first.get());
      assertThat(CountingRegistry.BUILDS.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void component_byConfigurationName_usesThatConfiguration() {
    Widgets widgets = new Widgets();
    Widgets.Config strict = new Widgets.Config(Duration.ofMillis(5), 1, true);
    widgets.addConfiguration("strict", strict);
    assertThat(widgets.component("a", "strict").config()).isEqualTo(strict);
    assertThat(widgets.component("b").config()).isEqualTo(Widgets.DEFAULT);
    // An existing component is returned as it is.
    assertThat(widgets.component("a").config()).isEqualTo(strict);
    assertThat(widgets.configurationNames()).containsExactly("default", "strict");
    assertThatThrownBy(() -> widgets.component("c", "lenient"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("configName must name a widget configuration [default, strict], was 'lenient'");
    assertThatThrownBy(() -> widgets.component(null)).hasMessage("name must not be null");
  }

  @Test
  void replaceAndRemove_publishInOrder() {
    Widgets widgets = new Widgets();
    List<RegistryEvent<Widgets.Widget>> events = new ArrayList<>();
    Subscription s = widgets.onEvent(events::add);
    Widgets.Widget a = widgets.component("a");
    Widgets.Widget a2 = new Widgets.Widget("a", Widgets.DEFAULT);
    assertThat(widgets.replace("a", a2)).contains(a);
    assertThat(widgets.remove("a")).contains(a2);
    assertThat(widgets.remove("a")).isEmpty();
    Widgets.Widget b = new Widgets.Widget("b", Widgets.DEFAULT);
    assertThat(widgets.replace("b", b)).isEmpty();
    s.close();
    widgets.remove("b");
    assertThat(events).containsExactly(
        new RegistryEvent.Added<>("a", a),
        new RegistryEvent.Replaced<>("a", a, a2),
        new RegistryEvent.Removed<>("a", a2),
        new RegistryEvent.Added<>("b", b));
  }

  @Test
  void watch_seesPresentAndFutureComponentsOnce() {
    Widgets widgets = new Widgets();
    widgets.component("b");
    widgets.component("a");
    List<String> seen = new ArrayList<>();
    widgets.watch(e -> seen.add(e.getClass().getSimpleName() + " " + e.name()));
    widgets.component("c");
    widgets.component("a");
    widgets.remove("b");
    assertThat(seen).containsExactly("Added a", "Added b", "Added c", "Removed b");
  }

  @Test
  void aThrowingListener_neverBreaksTheChange() {
    Widgets widgets = new Widgets();
    List<String> seen = new ArrayList<>();
    widgets.onEvent(e -> {
      throw new IllegalStateException("listener bug");
    });
    widgets.onEvent(e -> seen.add(e.name()));
    assertThat(widgets.component("a")).isNotNull();
    assertThat(seen).containsExactly("a");
  }

  @Test
  void components_isASortedSnapshot() {
    Widgets widgets = new Widgets();
    widgets.component("z");
    widgets.component("m");
    var snapshot = widgets.components();
    widgets.component("a");
    assertThat(snapshot.keySet()).containsExactly("m", "z");
    assertThat(widgets.components().keySet()).containsExactly("a", "m", "z");
    assertThat(widgets.kind()).isEqualTo("widget");
  }
}
