package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link HeaderSync} over a manual ticker: what each server signal does to the local limiter. */
class HeaderSyncTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 60_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final Throttle requests =
      Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
  private final Throttle tokens =
      Throttle.builder().rate(1_000, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
  private final MultiLimiter llm =
      MultiLimiter.builder()
          .name("llm")
          .dimension("requests", requests)
          .dimension("tokens", tokens)
          .events(events)
          .build();
  private final List<HeaderSyncEvent> seen = new ArrayList<>();

  HeaderSyncTest() {
    events.subscribe(HeaderSyncEvent.class, seen::add);
  }

  private HeaderSync.Builder sync() {
    return HeaderSync.builder(llm).events(events);
  }

  private static Map<String, List<String>> headers(String... nameValues) {
    Map<String, List<String>> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], List.of(nameValues[i + 1]));
    }
    return m;
  }

  @Test
  void remaining_lowersWhatIsAvailable_butNeverRaisesIt() {
    HeaderSync sync = sync().build();
    sync.begin().complete(headers("x-ratelimit-remaining-requests", "3", "X-RateLimit-Remaining-Tokens", "400"));
    assertThat(llm.availablePermits("requests")).isEqualTo(3);
    assertThat(llm.availablePermits("tokens")).isEqualTo(400);
    sync.begin().complete(headers("x-ratelimit-remaining-requests", "9"));
    assertThat(llm.availablePermits("requests")).isEqualTo(3);
  }

  @Test
  void callsGrantedWhileOneWasInFlight_countAsNotYetSeenByTheServer() {
    HeaderSync sync = sync().build();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 10))).isTrue();
    HeaderSync.Call first = sync.begin();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 10))).isTrue();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 10))).isTrue();
    first.complete(headers("x-ratelimit-remaining-requests", "5"));
    assertThat(llm.availablePermits("requests")).isEqualTo(3); // 5 less the 2 granted since
  }

  @Test
  void aRetryHint_pausesEveryCaller_untilItHasPassed_andWakesThemThen() {
    HeaderSync sync = sync().build();
    sync.begin().complete(headers("retry-after-ms", "1500"));
    assertThat(llm.tryAcquire(Costs.of("tokens", 1))).isFalse();
    CompletableFuture<Void> waiter =
        llm.acquireAsync(Costs.of("requests", 1)).toCompletableFuture();
    ticker.advance(Duration.ofMillis(1_499));
    assertThat(waiter).isNotDone();
    ticker.advance(Duration.ofMillis(1));
    assertThat(waiter).isCompleted();
    assertThat(seen).contains(new HeaderSyncEvent.Paused("header-sync-" + suffix(sync), "*", Duration.ofMillis(1500)));
  }

  private static String suffix(HeaderSync sync) {
    return sync.name().substring("header-sync-".length());
  }

  @Test
  void aUsedUpDimension_isHeldUntilItsReset() {
    HeaderSync sync = sync().build();
    sync.begin()
        .complete(
            headers("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2s"));
    ticker.advance(Duration.ofMillis(1_999));
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isFalse();
    assertThat(llm.tryAcquire(Costs.of("tokens", 5))).isTrue(); // other dimensions go on
    ticker.advance(Duration.ofMillis(1));
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isTrue();
  }

  @Test
  void aFleetMember_takesOnlyItsShareOfWhatIsLeft() {
    HeaderSync sync = sync().fleetSize(4).build();
    sync.begin().complete(headers("x-ratelimit-remaining-tokens", "800"));
    assertThat(llm.availablePermits("tokens")).isEqualTo(200);
  }

  @Test
  void aDifferentServerLimit_isReported_andAdoptedOnlyWhenAsked() {
    HeaderSync reporting = sync().build();
    reporting.begin().complete(headers("x-ratelimit-limit-requests", "20"));
    reporting.begin().complete(headers("x-ratelimit-limit-requests", "20")); // once per change
    assertThat(seen).filteredOn(e -> e instanceof HeaderSyncEvent.LimitMismatch).hasSize(1);
    assertThat(requests.permitsPerSecond()).isEqualTo(10.0);
    reporting.close();

    HeaderSync adopting = sync().adoptServerLimit(true).build();
    adopting.begin().complete(headers("x-ratelimit-limit-requests", "20"));
    assertThat(requests.permitsPerSecond()).isEqualTo(20.0);
    assertThat(seen.get(seen.size() - 1))
        .isEqualTo(new HeaderSyncEvent.LimitMismatch(adopting.name(), "requests", 20, 10, true));
  }

  @Test
  void aServerWindow_adoptsTheServerLimit_whenAsked_dividedByTheFleet() {
    ServerWindow window =
        ServerWindow.builder()
            .name("api")
            .dimension("requests", 40, Duration.ofSeconds(1)) // configured 4x too high
            .ticker(ticker)
            .events(events)
            .build();
    HeaderSync sync = HeaderSync.builder(window).adoptServerLimit(true).fleetSize(2).events(events).build();
    sync.begin().complete(headers("x-ratelimit-limit-requests", "20", "x-ratelimit-remaining-requests", "20"));
    assertThat(window.capacity("requests")).isEqualTo(10);
    assertThat(seen.get(seen.size() - 1))
        .isEqualTo(new HeaderSyncEvent.LimitMismatch(sync.name(), "requests", 20, 80, true));
    for (int i = 0; i < 10; i++) {
      assertThat(window.tryAcquire(Costs.of("requests", 1))).isPresent();
    }
    assertThat(window.tryAcquire(Costs.of("requests", 1))).isEmpty();
  }

  @Test
  void otherConsumers_areReportedWithAnEstimate() {
    HeaderSync sync = sync().build();
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isTrue();
    HeaderSync.Call c = sync.begin();
    c.complete(headers("x-ratelimit-limit-requests", "10", "x-ratelimit-remaining-requests", "4"));
    assertThat(seen)
        .contains(
            new HeaderSyncEvent.OtherConsumers(sync.name(), "requests", 5, Duration.ofSeconds(1)));
  }

  @Test
  void mappingAndASingleLimiter() {
    Throttle alone = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    assertThatThrownBy(() -> HeaderSync.builder(alone).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("map");
    HeaderSync sync = HeaderSync.builder(alone).map("core").events(events).build();
    sync.begin()
        .complete(headers("x-ratelimit-remaining", "7", "x-ratelimit-resource", "core", "x-ratelimit-reset", "0"));
    assertThat(alone.availablePermits()).isEqualTo(7);
    assertThatThrownBy(() -> HeaderSync.builder(llm).map("tokens", "nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
    HeaderSync renamed = sync().map("input", "tokens").build();
    renamed.begin().complete(headers("anthropic-ratelimit-input-tokens-remaining", "1"));
    assertThat(llm.availablePermits("tokens")).isEqualTo(1000); // "input_tokens" is not mapped
  }

  @Test
  void garbage_neverThrows_andNeverChangesTheLimiter() {
    HeaderSync sync = sync().build();
    sync.begin()
        .complete(
            headers(
                "x-ratelimit-remaining-requests", "-3e9",
                "retry-after", "tomorrow",
                "x-ratelimit-reset-tokens", "\u0000\uffff"),
            "{{{{");
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
    assertThat(llm.availablePermits("tokens")).isEqualTo(1000);
  }

  @Test
  void theDecorator_neverLetsHeaderReadingChangeTheOutcome() throws Exception {
    HeaderSync sync = sync().build();
    Decorator<String> throwing =
        sync.decorator(r -> { throw new IllegalStateException("broken headers"); });
    assertThat(throwing.decorate(() -> "ok").get()).isEqualTo("ok");

    Decorator<String> fromFailure =
        sync.decorator(
            r -> headers(),
            e -> e instanceof IOException ? headers("retry-after-ms", "500") : null);
    assertThatThrownBy(() -> fromFailure.decorate(() -> { throw new IOException("429"); }).get())
        .isInstanceOf(IOException.class);
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isFalse(); // the failure's hint paused

    CompletableFuture<String> inner = new CompletableFuture<>();
    CompletableFuture<String> outer =
        sync.<String>decorator(r -> headers("x-ratelimit-remaining-tokens", "7"))
            .decorateAsync(() -> inner)
            .get()
            .toCompletableFuture();
    inner.complete("done");
    assertThat(outer).isCompletedWithValue("done");
    assertThat(llm.availablePermits("tokens")).isLessThanOrEqualTo(7);
  }
}
