package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Refusals say what happened: no wait asked, a wait too long, and which scope refused. */
class RejectionReasonsTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-7_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final List<LimiterEvent.Rejected> rejected = new ArrayList<>();

  RejectionReasonsTest() {
    events.subscribe(LimiterEvent.Rejected.class, rejected::add);
  }

  private Throttle throttle(long perMinute) {
    return Throttle.builder().rate(perMinute, Duration.ofMinutes(1)).ticker(ticker).events(events).build();
  }

  @Test
  void plainTryAcquire_isRefusedForInsufficientPermits_notForAWait() throws Exception {
    Throttle t = throttle(1);
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.tryAcquire(1, Duration.ofSeconds(1))).isFalse();
    assertThat(rejected).extracting(LimiterEvent.Rejected::reason)
        .containsExactly(LimiterEvent.Reason.INSUFFICIENT_PERMITS, LimiterEvent.Reason.MAX_WAIT_EXCEEDED);
  }

  @Test
  void layeredRefusal_namesTheScopeAndItsKey() throws Exception {
    Layered<String> layered = Layered.<String>builder()
        .global(throttle(100))
        .perKey(PerKey.<String>builder().rate(5, Duration.ofMinutes(1)).ticker(ticker).build())
        .perEndpoint(PerKey.<String>builder().rate(1, Duration.ofMinutes(1)).ticker(ticker).build())
        .ticker(ticker)
        .events(events)
        .build();
    assertThat(layered.tryAcquire("tenant-1", "/chat")).isTrue();
    rejected.clear(); // the global part's own events are not the point here
    assertThat(layered.tryAcquire("tenant-2", "/chat")).isFalse();
    assertThat(layered.tryAcquire("tenant-2", "/embed", 6, Duration.ofSeconds(1))).isFalse();
    List<LimiterEvent.Rejected> byLayered =
        rejected.stream().filter(r -> r.component().equals(layered.name())).toList();
    assertThat(byLayered).hasSize(2);
    assertThat(byLayered.get(0).reason()).isEqualTo(LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    assertThat(byLayered.get(0).scope()).isEqualTo(Optional.of("endpoint"));
    assertThat(byLayered.get(0).key()).isEqualTo(Optional.of("/chat"));
    assertThat(byLayered.get(1).reason()).isEqualTo(LimiterEvent.Reason.CAPACITY_EXCEEDED);
    assertThat(byLayered.get(1).scope()).isEqualTo(Optional.of("key"));
    assertThat(byLayered.get(1).key()).isEqualTo(Optional.of("tenant-2"));
  }
}
