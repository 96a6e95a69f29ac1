package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThrottleValidationTest {

  @Test
  void rate_zeroOrNegativePermits_namesTheArgument() {
    assertThatThrownBy(() -> Throttle.perSecond(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be > 0, was 0");
    assertThatThrownBy(() -> Throttle.perMinute(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be > 0, was -3");
  }

  @Test
  void rate_badPeriod_namesTheArgument() {
    assertThatThrownBy(() -> Throttle.perDuration(5, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be > 0, was PT0S");
    assertThatThrownBy(() -> Throttle.perDuration(5, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be > 0, was PT-1S");
    assertThatThrownBy(() -> Throttle.perDuration(5, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period must not be null");
  }

  @Test
  void rate_nanOrInfiniteOrNonPositiveDouble_namesTheArgument() {
    assertThatThrownBy(() -> Throttle.builder().rate(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permitsPerSecond must be a finite number > 0, was NaN");
    assertThatThrownBy(() -> Throttle.builder().rate(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permitsPerSecond");
    assertThatThrownBy(() -> Throttle.builder().rate(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permitsPerSecond must be a finite number > 0, was -0.5");
    assertThatThrownBy(() -> Throttle.builder().rate(0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0.0");
  }

  @Test
  void rate_fasterThanOnePerNanosecond_isRefused() {
    assertThatThrownBy(() -> Throttle.perDuration(2, Duration.ofNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 1 permit per nanosecond");
    assertThatThrownBy(() -> Throttle.builder().rate(2e9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 1 permit per nanosecond");
  }

  @Test
  void burst_belowOne_namesTheArgument() {
    assertThatThrownBy(() -> Throttle.builder().burst(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must be >= 1, was 0");
  }

  @Test
  void burst_thatTakesCenturiesToRefill_isRefused() {
    assertThatThrownBy(
            () -> Throttle.builder().rate(1, Duration.ofDays(1)).burst(1_000_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("36 years");
  }

  @Test
  void initialPermits_outOfRange_namesTheArgument() {
    assertThatThrownBy(() -> Throttle.builder().initialPermits(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialPermits must be >= 0, was -1");
    assertThatThrownBy(
            () -> Throttle.builder().rate(10, Duration.ofSeconds(1)).initialPermits(11).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialPermits must be <= burst (10), was 11");
  }

  @Test
  void builder_optionSetTwiceOrRateMissing_isAnError() {
    assertThatThrownBy(() -> Throttle.builder().rate(1, Duration.ofSeconds(1)).rate(2.0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rate was already set");
    assertThatThrownBy(() -> Throttle.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("name was already set");
    assertThatThrownBy(() -> Throttle.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rate must be set");
    assertThatThrownBy(() -> Throttle.builder().ticker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker must not be null");
  }

  @Test
  void verbs_negativeCostOrWait_namesTheArgument() {
    Throttle t =
        Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ManualTicker.create()).build();
    assertThatThrownBy(() -> t.tryAcquire(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -1");
    assertThatThrownBy(() -> t.acquire(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -2");
    assertThatThrownBy(() -> t.acquireAsync(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -3");
    assertThatThrownBy(() -> t.tryAcquire(1, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must be >= 0, was PT-0.001S");
    assertThatThrownBy(() -> t.tryAcquire(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxWait must not be null");
    assertThatThrownBy(() -> t.waitTime(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -1");
    assertThatThrownBy(() -> t.setRate(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be > 0, was 0");
    assertThatThrownBy(() -> t.setRate(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("permitsPerSecond");
  }
}
