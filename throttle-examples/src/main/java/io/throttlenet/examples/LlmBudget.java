package io.throttlenet.examples;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.Reservation;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Budget an LLM provider across three limits at once (requests, input tokens, output tokens per
 * minute), reserving an estimate of the output and settling the real count afterwards. The
 * "provider" here is a stand-in that answers with a random number of output tokens.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.LlmBudget}
 */
public final class LlmBudget {
  private LlmBudget() {}

  public static void main(String[] args) throws InterruptedException {
    Duration minute = Duration.ofMinutes(1);
    MultiLimiter llm =
        MultiLimiter.builder()
            .name("llm")
            .dimension("requests", Throttle.perDuration(600, minute))
            .dimension("input_tokens", Throttle.perDuration(30_000, minute))
            .dimension("output_tokens", Throttle.perDuration(6_000, minute))
            .build();

    long start = System.nanoTime();
    for (int call = 1; call <= 12; call++) {
      int prompt = 1_500;
      Costs estimate = Costs.of("requests", 1, "input_tokens", prompt, "output_tokens", 1_000);
      try (Reservation r = llm.reserve(estimate)) { // waits until every budget can afford it
        int output = ThreadLocalRandom.current().nextInt(100, 900); // the provider's answer
        r.settle(Costs.of("requests", 1, "input_tokens", prompt, "output_tokens", output));
        System.out.printf(
            "call %2d at %5d ms: %d output tokens, settled; output budget left %d%n",
            call, (System.nanoTime() - start) / 1_000_000, output, llm.availablePermits("output_tokens"));
      }
    }
    llm.snapshot().forEach(s -> System.out.println("  " + s));
  }
}
