package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The main job's claim, on loopback and in real time: through the chain, callers exceed neither
 * of the provider's budgets (no 429) even though they ask for well over its burst; without the
 * throttle, the same load collects 429s. Both phases ask for about twice the provider's burst, so
 * neither result can come from the burst alone. What could break the first claim is timing: we
 * charge a call when we grant it, the provider when it arrives, so calls delayed and then bunched
 * could exceed the provider's window. With 80% of the budget the margin covers delays of up to
 * 0.2 × 10 s / 0.8 = 2.5 s between grant and arrival, far beyond a loaded machine's stalls.
 */
class LlmProviderDemoTest {

  @Test
  void theChainAvoids429s_andGoingWithoutItCollectsThem() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    LlmProviderDemo.Report throttled = LlmProviderDemo.run("throttled", true, 0.8, 50, 12, out);
    assertThat(throttled.tooManyRequests()).isZero();
    assertThat(throttled.ok()).isEqualTo(50);
    assertThat(throttled.tokens()).isGreaterThan(LlmProviderDemo.LIMITS.tokens()); // beyond the burst

    LlmProviderDemo.Report unthrottled = LlmProviderDemo.run("unthrottled", false, 0.8, 50, 12, out);
    assertThat(unthrottled.tooManyRequests()).isPositive();

    LlmProviderDemo.printTable(java.util.List.of(throttled, unthrottled), out);
    assertThat(sink.toString(StandardCharsets.UTF_8)).contains("429s received", "tokens used / allowed");
  }
}
