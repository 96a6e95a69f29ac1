package io.throttlenet.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorsTest {

  @Test
  void costExceedsCapacity_namesComponentCostAndCapacity() {
    CostExceedsCapacityException e = new CostExceedsCapacityException("llm", 9, 5);
    assertThat(e).isInstanceOf(RejectedException.class);
    assertThat(e.getMessage()).isEqualTo("llm: cost 9 exceeds capacity 5 and can never be granted");
    assertThat(e.component()).isEqualTo("llm");
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void maxWaitExceeded_carriesTheRequiredWaitAsRetryAfter() {
    MaxWaitExceededException e =
        new MaxWaitExceededException("api", 3, Duration.ofMillis(500), Duration.ofMillis(100));
    assertThat(e.getMessage())
        .isEqualTo("api: cost 3 needs a wait of PT0.5S, more than the allowed PT0.1S");
    assertThat(e.retryAfter()).contains(Duration.ofMillis(500));
    assertThat(e.cost()).isEqualTo(3);
    assertThat(e.maxWait()).isEqualTo(Duration.ofMillis(100));
  }
}
