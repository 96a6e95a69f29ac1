package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-42);

  @Test
  void retries_areCappedAtTheRatioOfCalls() {
    RetryBudget b = RetryBudget.builder().ratio(0.2).minPerSecond(0).ticker(ticker).build();
    for (int i = 0; i < 50; i++) {
      b.recordCall();
    }
    int allowed = 0;
    while (b.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void minimumPerSecond_allowsRetriesWithoutTraffic() {
    RetryBudget b = RetryBudget.builder().ratio(0.2).minPerSecond(2).window(Duration.ofSeconds(5)).ticker(ticker).build();
    int allowed = 0;
    while (b.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void oldCallsAndRetries_leaveTheWindow() {
    RetryBudget b = RetryBudget.builder().ratio(1).minPerSecond(0).window(Duration.ofSeconds(10)).ticker(ticker).build();
    for (int i = 0; i < 5; i++) {
      b.recordCall();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(b.tryRetry()).isTrue();
    }
    assertThat(b.tryRetry()).isFalse();
    ticker.advance(Duration.ofSeconds(11));
    assertThat(b.tryRetry()).isFalse(); // the calls that earned retries have left the window too
    b.recordCall();
    assertThat(b.tryRetry()).isTrue();
  }

  @Test
  void badInput_namesTheArgument() {
    assertThatThrownBy(() -> RetryBudget.builder().ratio(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio must be a finite number >= 0, was NaN");
    assertThatThrownBy(() -> RetryBudget.builder().minPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minPerSecond must be a finite number >= 0, was -1.0");
    assertThatThrownBy(() -> RetryBudget.builder().window(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be > 0, was PT0S");
  }
}
