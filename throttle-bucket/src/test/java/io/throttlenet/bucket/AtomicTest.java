package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link Atomic} with a cost per part, as a multi-dimensional limiter uses it: a part whose cost
 * is 0 is neither checked nor charged, and the others are all or nothing.
 */
class AtomicTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-9_000_000_000L);

  private Throttle throttle(long burst) {
    return Throttle.builder().rate(burst, Duration.ofSeconds(1)).ticker(ticker).build();
  }

  @Test
  void aPartWithCostZero_isNeitherCheckedNorCharged() {
    Throttle empty = throttle(2);
    Throttle full = throttle(5);
    assertThat(empty.tryAcquire(2)).isTrue();
    Part[] parts = {Parts.of(empty)[0], Parts.of(full)[0]}; // in id order: `empty` was built first
    long now = ticker.read();
    assertThat(Atomic.tryCharge(parts, new long[] {0, 3}, 0, now)).isZero();
    assertThat(full.availablePermits()).isEqualTo(2);
    assertThat(Atomic.tryCharge(parts, new long[] {0, 3}, 0, now)).isEqualTo(200_000_000L);
    assertThat(Atomic.tryCharge(parts, new long[] {1, 2}, 0, now)).isEqualTo(500_000_000L); // none
    assertThat(full.availablePermits()).isEqualTo(2);
    Atomic.force(parts, new long[] {0, 4}, now);
    assertThat(empty.availablePermits()).isZero();
    assertThat(full.availablePermits()).isEqualTo(-2);
  }
}
