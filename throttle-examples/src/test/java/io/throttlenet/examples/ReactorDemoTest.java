package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.examples.ReactorDemo.Figures;
import org.junit.jupiter.api.Test;

/** The reactive demo end to end, on real time: every figure it prints holds. */
class ReactorDemoTest {

  @Test
  void everyPromptIsAnswered_withinTheBulkhead_andAbandonedPromptsLeaveNothingHeld() {
    Figures f = ReactorDemo.run(false);
    assertThat(f.answered()).isEqualTo(12);
    assertThat(f.maxInFlight()).isBetween(1, 3);
    assertThat(f.retries()).isEqualTo(3); // calls 4, 8 and 12 drew a 429
    assertThat(f.tokensGivenBack()).isPositive();
    assertThat(f.chunks()).containsExactly("chunk-1", "chunk-2", "chunk-3", "chunk-4", "chunk-5", "chunk-6", "chunk-7", "chunk-8");
    assertThat(f.pacingMillis()).isGreaterThanOrEqualTo(190); // 80 tokens at 40 per 100 ms, starting empty
    assertThat(f.inFlightAfterCancel()).isZero();
    assertThat(f.waitingAfterCancel()).isZero();
    assertThat(f.subscribedAfterCancel()).isZero();
  }
}
