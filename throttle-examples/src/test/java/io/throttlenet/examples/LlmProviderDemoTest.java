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
 * neither result can come from the burst alone, and a slow machine only makes the provider refill
 * more per call (it can never turn the throttled phase's 0 into more).
 */
class LlmProviderDemoTest {

  @Test
  void theChainAvoids429s_andGoingWithoutItCollectsThem() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    LlmProviderDemo.Report throttled = LlmProviderDemo.run("throttled", true, 50, 12, out);
    assertThat(throttled.tooManyRequests()).isZero();
    assertThat(throttled.ok()).isEqualTo(50);
    assertThat(throttled.tokens()).isGreaterThan(LlmProviderDemo.LIMITS.tokens()); // beyond the burst

    LlmProviderDemo.Report unthrottled = LlmProviderDemo.run("unthrottled", false, 50, 12, out);
    assertThat(unthrottled.tooManyRequests()).isPositive();

    LlmProviderDemo.printTable(java.util.List.of(throttled, unthrottled), out);
    assertThat(sink.toString(StandardCharsets.UTF_8)).contains("429s received", "tokens used / allowed");
  }
}
