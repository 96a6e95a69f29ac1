package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LayeredTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();

  private Throttle global(long permits) {
    return Throttle.builder().rate(permits, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
  }

  private PerKey<String> perKey(long permits) {
    return PerKey.<String>builder().rate(permits, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
  }

  @Test
  void allScopesMustClear_andARefusalChargesNoScope() {
    Throttle global = global(10);
    PerKey<String> tenants = perKey(5);
    PerKey<String> endpoints = perKey(3);
    Layered<String> l =
        Layered.<String>builder().global(global).perKey(tenants).perEndpoint(endpoints).build();
    for (int i = 0; i < 3; i++) {
      assertThat(l.tryAcquire("t1", "/chat")).isTrue();
    }
    assertThat(l.tryAcquire("t1", "/chat")).isFalse(); // the endpoint binds
    assertThat(l.tryAcquire("t2", "/chat")).isFalse(); // another tenant, same endpoint: still bound
    assertThat(global.availablePermits()).isEqualTo(7); // refusals charged nothing
    assertThat(tenants.availablePermits("t1")).isEqualTo(2);
    assertThat(tenants.availablePermits("t2")).isEqualTo(5);
    assertThat(l.tryAcquire("t2", "/embed")).isTrue(); // a different endpoint is independent
  }

  @Test
  void globalScope_bindsAcrossKeys() {
    Layered<String> l =
        Layered.<String>builder().global(global(4)).perKey(perKey(3)).build();
    assertThat(l.tryAcquire("a", "-", 3)).isTrue();
    assertThat(l.tryAcquire("b", "-", 2)).isFalse();
    assertThat(l.tryAcquire("b", "-", 1)).isTrue();
    assertThat(l.availablePermits("c", "-")).isZero();
  }

  @Test
  void build_noScopes_isRefusedRatherThanAdmittingEverything() {
    // Issue 13, item 5: this used to build and grant any cost.
    assertThatThrownBy(() -> Layered.<String>builder().ticker(ticker).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("at least one scope must be set (global, perKey or perEndpoint)");
  }

  @Test
  void capacity_isTheSmallestScope_andAnImpossibleCostFailsAtOnce() {
    Layered<String> l =
        Layered.<String>builder()
            .global(global(100))
            .perKey(PerKey.<String>builder().rate(5, Duration.ofSeconds(1)).name("tenant").ticker(ticker).build())
            .build();
    assertThat(l.capacity("k", "e")).isEqualTo(5);
    assertThatThrownBy(() -> l.acquire("k", "e", 9))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("tenant: cost 9 exceeds capacity 5 and can never be granted");
    assertThat(l.tryAcquire("k", "e", 9)).isFalse();
  }

  @Test
  void acquire_waitsForTheBindingScope() throws Exception {
    Layered<String> l = Layered.<String>builder().global(global(100)).perKey(perKey(1)).build();
    assertThat(l.tryAcquire("k", "e")).isTrue();
    CompletableFuture<Void> f = l.acquireAsync("k", "e", 1).toCompletableFuture();
    ticker.advance(Duration.ofSeconds(1).minusNanos(1));
    assertThat(f).isNotDone();
    ticker.advance(1);
    assertThat(f).isCompleted();
  }

  @Test
  void grants_areTheMinimumOfTheScopes() {
    qt().withExamples(200)
        .forAll(longs().between(1, 30), longs().between(1, 30), longs().between(1, 30))
        .checkAssert(
            (g, k, e) -> {
              ManualTicker t = ManualTicker.create();
              Layered<String> l =
                  Layered.<String>builder()
                      .global(Throttle.builder().rate(g, Duration.ofSeconds(1)).ticker(t).build())
                      .perKey(PerKey.<String>builder().rate(k, Duration.ofSeconds(1)).ticker(t).build())
                      .perEndpoint(PerKey.<String>builder().rate(e, Duration.ofSeconds(1)).ticker(t).build())
                      .build();
              int granted = 0;
              for (int i = 0; i < 40; i++) {
                if (l.tryAcquire("key", "endpoint")) {
                  granted++;
                }
              }
              assertThat(granted).isEqualTo((int) Math.min(g, Math.min(k, e)));
            });
  }
}
