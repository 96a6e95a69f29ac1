package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every option of the bucket module's builders may be set once, even when first set to zero. */
class BuilderOptionsTest {
  private static final Duration S = Duration.ofSeconds(1);

  @Test
  void throttleOptions_setTwice_areRefused() {
    assertThatThrownBy(() -> Throttle.builder().rate(1, S).rate(2, S)).hasMessage("rate was already set");
    assertThatThrownBy(() -> Throttle.builder().rate(1, S).rate(2.0)).hasMessage("rate was already set");
    assertThatThrownBy(() -> Throttle.builder().burst(1).burst(2)).hasMessage("burst was already set");
    assertThatThrownBy(() -> Throttle.builder().initialPermits(0).initialPermits(1)).hasMessage("initialPermits was already set");
  }

  @Test
  void perKeyOptions_setTwice_areRefused() {
    assertThatThrownBy(() -> PerKey.<String>builder().rate(1, S).rate(2, S)).hasMessage("rate was already set");
    assertThatThrownBy(() -> PerKey.<String>builder().rate(1, S).limiter(k -> Throttle.perSecond(1))).hasMessage("limiter was already set");
    assertThatThrownBy(() -> PerKey.<String>builder().limiter(k -> Throttle.perSecond(1)).rate(1, S)).hasMessage("rate was already set");
    assertThatThrownBy(() -> PerKey.<String>builder().burst(1).burst(2)).hasMessage("burst was already set");
    assertThatThrownBy(() -> PerKey.<String>builder().burst(0)).hasMessage("burst must be >= 1, was 0");
    assertThatThrownBy(() -> PerKey.<String>builder().maximumKeys(1).maximumKeys(2)).hasMessage("maximumKeys was already set");
    assertThatThrownBy(() -> PerKey.<String>builder().idleTimeout(Duration.ZERO).idleTimeout(S)).hasMessage("idleTimeout was already set");
  }

  @Test
  void slidingWindowLogAndLayeredOptions_setTwice_areRefused() {
    assertThatThrownBy(() -> SlidingWindowLog.builder().limit(1).limit(2)).hasMessage("limit was already set");
    assertThatThrownBy(() -> SlidingWindowLog.builder().window(S).window(S)).hasMessage("window was already set");
    Throttle t = Throttle.perSecond(1);
    PerKey<String> p = PerKey.perSecond(1);
    assertThatThrownBy(() -> Layered.<String>builder().global(t).global(t)).hasMessage("global was already set");
    assertThatThrownBy(() -> Layered.<String>builder().perKey(p).perKey(p)).hasMessage("perKey was already set");
    assertThatThrownBy(() -> Layered.<String>builder().perEndpoint(p).perEndpoint(p)).hasMessage("perEndpoint was already set");
  }
}
