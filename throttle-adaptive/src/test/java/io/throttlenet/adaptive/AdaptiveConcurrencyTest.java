package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.ConcurrencyLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link AdaptiveConcurrency}: a bulkhead's own events move its limit. */
class AdaptiveConcurrencyTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();
  private final ConcurrencyLimit bulkhead =
      ConcurrencyLimit.builder().name("api").limit(3).ticker(ticker).events(events).build();

  @Test
  void attach_setsTheControllersLimit_andDropsLowerIt_successesUnderLoadRaiseIt() {
    List<ConcurrencyEvent.LimitChanged> changes = new ArrayList<>();
    events.subscribe(ConcurrencyEvent.LimitChanged.class, changes::add);
    AdaptiveConcurrency adaptive =
        AdaptiveConcurrency.attach(
            bulkhead,
            AimdController.builder().initialLimit(10).latencyTolerance(Double.POSITIVE_INFINITY).build(),
            events);
    assertThat(bulkhead.limit()).isEqualTo(10);
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(bulkhead.tryAcquire().orElseThrow());
    }
    ticker.advance(Duration.ofMillis(20));
    held.remove(0).release(Outcome.DROPPED);
    assertThat(bulkhead.limit()).isEqualTo(9);
    for (Permit p : held) {
      p.release(Outcome.SUCCESS); // while half the limit was in use, each added 1/limit
    }
    assertThat(adaptive.controller().limit()).as("9.54 counts as 9 calls").isEqualTo(9);
    held.clear();
    for (int i = 0; i < 9; i++) {
      held.add(bulkhead.tryAcquire().orElseThrow());
    }
    ticker.advance(Duration.ofMillis(20));
    for (Permit p : held) {
      p.release(Outcome.SUCCESS);
    }
    assertThat(adaptive.controller().limit()).isEqualTo(10);
    assertThat(bulkhead.limit()).isEqualTo(10);
    assertThat(changes).extracting(ConcurrencyEvent.LimitChanged::to).containsExactly(10, 9, 10);
    adaptive.close();
    bulkhead.tryAcquire().orElseThrow().release(Outcome.DROPPED);
    assertThat(bulkhead.limit()).isEqualTo(10); // no longer followed
  }

  @Test
  void attachedToAChainsCallEvents_aDroppedResultLowersTheLimit() {
    AdaptiveConcurrency.attach(
        bulkhead,
        AimdController.builder().initialLimit(10).latencyTolerance(Double.POSITIVE_INFINITY).build(),
        events,
        "chain");
    io.throttlenet.core.EventPublisher<io.throttlenet.core.CallEvent.Finished> calls =
        events.publisher(io.throttlenet.core.CallEvent.Finished.class, "chain");
    calls.publish(
        new io.throttlenet.core.CallEvent.Finished(
            "chain", Outcome.DROPPED, Duration.ofMillis(3), java.util.Optional.empty(), java.util.Optional.empty()));
    assertThat(bulkhead.limit()).isEqualTo(9);
    bulkhead.tryAcquire().orElseThrow().release(Outcome.DROPPED); // the bulkhead's own events: not followed
    assertThat(bulkhead.limit()).isEqualTo(9);
  }

  @Test
  void failuresAndIgnoredCalls_teachNothing() {
    AdaptiveConcurrency.attach(bulkhead, VegasController.create(), events);
    int before = bulkhead.limit();
    bulkhead.tryAcquire().orElseThrow().release(Outcome.FAILURE);
    bulkhead.tryAcquire().orElseThrow().release(Outcome.IGNORED);
    assertThat(bulkhead.limit()).isEqualTo(before);
  }

  @Test
  void builders_refuseBadInput_namingIt() {
    assertThatThrownBy(() -> AimdController.builder().backoff(1)).hasMessageContaining("backoff");
    assertThatThrownBy(() -> AimdController.builder().latencyTolerance(1)).hasMessageContaining("latencyTolerance");
    assertThatThrownBy(() -> AimdController.builder().minLimit(5).maxLimit(4).build())
        .hasMessageContaining("maxLimit must be >= minLimit (5), was 4");
    assertThatThrownBy(() -> VegasController.builder().queue(0.3, 0.2)).hasMessageContaining("alpha and beta");
    assertThatThrownBy(() -> Gradient2Controller.builder().tolerance(0.9)).hasMessageContaining("tolerance");
    assertThatThrownBy(() -> Gradient2Controller.builder().initialLimit(0)).hasMessageContaining("initialLimit");
    assertThatThrownBy(() -> AdaptiveConcurrency.attach(null, AimdController.create()))
        .hasMessageContaining("limit");
  }
}
