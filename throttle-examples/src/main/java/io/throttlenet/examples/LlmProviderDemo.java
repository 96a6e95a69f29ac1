package io.throttlenet.examples;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.decorators.Decorators;
import io.throttlenet.decorators.Decorators.FunctionChain;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Jitter;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryAction;
import io.throttlenet.retry.RetryAfter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main job: many concurrent callers against a strict simulated LLM provider (requests and
 * tokens per window, 429 with Retry-After, OpenAI-style headers), first through a throttle-net
 * chain (a {@link MultiLimiter} that reserves each call's estimated tokens and settles the real
 * usage from the response, a circuit breaker and a retry), then with the throttle left out. A live
 * progress line, then a table: the chain gets ~0 429s, going without it gets many.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am}; options
 * {@code --calls=N} (per phase, default 60), {@code --callers=N} (default 12), {@code
 * --no-throttle} (only the unthrottled phase), {@code --throttle-only}.
 */
public final class LlmProviderDemo {
  /** The provider's limits; compressed to a 10-second window so the demo runs in seconds. */
  static final SimulatedLlmProvider.Limits LIMITS =
      new SimulatedLlmProvider.Limits(40, 16_000, Duration.ofSeconds(10));

  private static final Pattern USAGE = Pattern.compile("\"(prompt_tokens|completion_tokens)\"\\s*:\\s*(\\d+)");

  /** The share of the provider's limits the client budgets for itself. */
  static final double BUDGET_SHARE = 0.9;

  private LlmProviderDemo() {}

  /** One chat request: its sizes, and when its caller started and when it first went out. */
  static final class Prompt {
    final long promptTokens;
    final long maxTokens;
    final long startedAt = System.nanoTime();
    final AtomicLong firstSentAt = new AtomicLong();

    Prompt(long promptTokens, long maxTokens) {
      this.promptTokens = promptTokens;
      this.maxTokens = maxTokens;
    }
  }

  /** What the provider says a call really used. */
  record Usage(long promptTokens, long completionTokens) {
    long total() {
      return promptTokens + completionTokens;
    }
  }

  /** A non-2xx answer, with the provider's Retry-After if it sent one. */
  static final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient Optional<Duration> retryAfter;

    ProviderException(int status, Optional<Duration> retryAfter) {
      super("HTTP " + status);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  /** What one phase measured. */
  record Report(
      String label, int ok, int failed, int tooManyRequests, int unavailable, long tokens, long allowedTokens,
      double seconds, List<Long> waitsMillis, List<Long> latenciesMillis) {}

  public static void main(String[] args) throws Exception {
    int calls = 60;
    int callers = 12;
    boolean throttled = true;
    boolean unthrottled = true;
    for (String a : args) {
      if (a.startsWith("--calls=")) {
        calls = Integer.parseInt(a.substring("--calls=".length()));
      } else if (a.startsWith("--callers=")) {
        callers = Integer.parseInt(a.substring("--callers=".length()));
      } else if (a.equals("--no-throttle")) {
        throttled = false;
      } else if (a.equals("--throttle-only")) {
        unthrottled = false;
      } else {
        throw new IllegalArgumentException("unknown option " + a + " (--calls=N --callers=N --no-throttle --throttle-only)");
      }
    }
    if (calls < 1 || callers < 1 || (!throttled && !unthrottled)) {
      throw new IllegalArgumentException("calls and callers must be >= 1, and at least one phase must run");
    }
    PrintStream out = System.out;
    out.printf("Simulated LLM provider on loopback: %d requests and %,d tokens per %d s, 2%% of calls fail with 503.%n",
        LIMITS.requests(), LIMITS.tokens(), LIMITS.window().toSeconds());
    out.printf("%d callers make %d calls per phase (prompt 150-450 tokens, max_tokens 300).%n%n", callers, calls);
    List<Report> reports = new ArrayList<>();
    if (throttled) {
      reports.add(run("throttled", true, BUDGET_SHARE, calls, callers, out));
    }
    if (unthrottled) {
      reports.add(run("unthrottled", false, BUDGET_SHARE, calls, callers, out));
    }
    printTable(reports, out);
  }

  /**
   * Runs one phase against a fresh provider; a throttled phase budgets {@code budgetShare} of the
   * provider's limits.
   */
  static Report run(String label, boolean throttle, double budgetShare, int calls, int callers, PrintStream out)
      throws Exception {
    try (SimulatedLlmProvider provider = new SimulatedLlmProvider(LIMITS, 0.02)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      AtomicInteger tooMany = new AtomicInteger();
      AtomicInteger unavailable = new AtomicInteger();
      Function<Prompt, Usage> guarded =
          chain(http, provider.endpoint(), throttle ? budgetShare : 0, tooMany, unavailable);

      AtomicInteger next = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      AtomicLong tokens = new AtomicLong();
      List<Long> waits = Collections.synchronizedList(new ArrayList<>());
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      for (int c = 0; c < callers; c++) {
        pool.execute(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (next.getAndIncrement() < calls) {
            Prompt prompt = new Prompt(150 + random.nextInt(301), 300);
            try {
              Usage usage = guarded.apply(prompt);
              ok.incrementAndGet();
              tokens.addAndGet(usage.total());
            } catch (RuntimeException e) {
              failed.incrementAndGet();
            }
            long end = System.nanoTime();
            long sent = prompt.firstSentAt.get();
            if (sent != 0) {
              waits.add((sent - prompt.startedAt) / 1_000_000);
            }
            latencies.add((end - prompt.startedAt) / 1_000_000);
          }
        });
      }
      pool.shutdown();
      boolean console = System.console() != null;
      try {
        awaitWithProgress(pool, console, () -> String.format(
            "[%-11s] %3d/%d calls done  429s: %-4d 503s: %-3d tokens used: %,7d  provider says %,6d tokens left",
            label, ok.get() + failed.get(), calls, tooMany.get(), unavailable.get(), tokens.get(),
            provider.lastRemainingTokens()), out);
      } finally {
        pool.shutdownNow(); // interrupted: no caller keeps retrying against a closed provider
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.print(console ? "\r" : "");
      out.printf("[%-11s] %3d/%d calls done in %.1f s%s%n", label, ok.get() + failed.get(), calls, seconds,
          console ? " ".repeat(60) : "");
      long allowed = LIMITS.tokens() + (long) (seconds * 1e9 * LIMITS.tokens() / LIMITS.window().toNanos());
      return new Report(label, ok.get(), failed.get(), tooMany.get(), unavailable.get(), tokens.get(), allowed,
          seconds, sorted(waits), sorted(latencies));
    }
  }

  /**
   * The chain: the throttle innermost (every attempt reserves its estimate and settles the real
   * usage), a bulkhead of 4 around it, then the breaker, then the retry that honours Retry-After.
   * A {@code budgetShare} of 0 leaves the throttle and the bulkhead out.
   */
  static Function<Prompt, Usage> chain(
      HttpClient http, URI endpoint, double budgetShare, AtomicInteger tooMany, AtomicInteger unavailable) {
    FunctionChain<Prompt, Usage> chain =
        Decorators.ofFunction(prompt -> send(http, endpoint, prompt, tooMany, unavailable));
    if (budgetShare > 0) {
      // Less than the provider's budget: a call is charged by us when it is granted and by the
      // provider when it arrives; the margin absorbs arrivals delayed and then bunched (with 90%
      // of a 10 s window, delays of up to about a second).
      Duration window = LIMITS.window();
      MultiLimiter llm = MultiLimiter.builder()
          .name("llm")
          .dimension("requests", Throttle.perDuration((long) (LIMITS.requests() * budgetShare), window))
          .dimension("tokens", Throttle.perDuration((long) (LIMITS.tokens() * budgetShare), window))
          .build();
      chain = chain.withThrottle(
              llm,
              p -> Costs.of("requests", 1, "tokens", p.promptTokens + p.maxTokens),
              (p, usage) -> Costs.of("requests", 1, "tokens", usage.total()))
          // a few at a time wait on the budget; the rest wait in arrival order in the bulkhead
          .withBulkhead(ConcurrencyLimit.builder().name("llm-slots").limit(4).build());
    }
    CircuitBreaker breaker = CircuitBreaker.builder()
        .name("llm-breaker")
        .trip(Trip.failureRate(0.5, 20, 10))
        .cooldown(Duration.ofSeconds(2))
        .recordFailure(e -> !(e instanceof ProviderException p) || p.status >= 500)
        .build();
    Retry retry = Retry.builder()
        .name("llm-retry")
        .maxAttempts(8)
        .backoff(Backoff.exponential(Duration.ofMillis(200), 2).withMax(Duration.ofSeconds(4)).withJitter(Jitter.FULL))
        .maxRetryAfter(Duration.ofSeconds(10))
        .classifier(e -> e instanceof ProviderException p && p.status == 429
            ? p.retryAfter.map(RetryAction::retryAfter).orElse(RetryAction.retry())
            : RetryAction.retry())
        .build();
    return chain.withBreaker(breaker).withRetry(retry).named("llm-chat").decorate();
  }

  /** One HTTP attempt. */
  static Usage send(HttpClient http, URI endpoint, Prompt prompt, AtomicInteger tooMany, AtomicInteger unavailable) {
    prompt.firstSentAt.compareAndSet(0, System.nanoTime());
    HttpRequest request = HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"prompt_tokens\":" + prompt.promptTokens + ",\"max_tokens\":" + prompt.maxTokens + "}"))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ProviderException(599, Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    }
    if (response.statusCode() == 429) {
      tooMany.incrementAndGet();
      throw new ProviderException(429,
          response.headers().firstValue("retry-after").flatMap(v -> RetryAfter.parse(v, Instant.now())));
    }
    if (response.statusCode() != 200) {
      unavailable.incrementAndGet();
      throw new ProviderException(response.statusCode(), Optional.empty());
    }
    long promptTokens = 0;
    long completionTokens = 0;
    Matcher m = USAGE.matcher(response.body());
    while (m.find()) {
      if (m.group(1).equals("prompt_tokens")) {
        promptTokens = Long.parseLong(m.group(2));
      } else {
        completionTokens = Long.parseLong(m.group(2));
      }
    }
    return new Usage(promptTokens, completionTokens);
  }

  /** Waits for the callers, printing {@code line}: in place on a console, once a second otherwise. */
  private static void awaitWithProgress(ExecutorService pool, boolean console, Supplier<String> line, PrintStream out)
      throws InterruptedException {
    long lastPrint = 0;
    while (!pool.awaitTermination(200, TimeUnit.MILLISECONDS)) {
      long now = System.nanoTime();
      if (console || now - lastPrint >= 1_000_000_000L) {
        lastPrint = now;
        String text = line.get();
        out.print(console ? "\r" + text : text + "\n");
      }
    }
  }

  private static List<Long> sorted(List<Long> values) {
    List<Long> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }

  static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  static void printTable(List<Report> reports, PrintStream out) {
    out.println();
    StringBuilder header = new StringBuilder(String.format("%-34s", ""));
    for (Report r : reports) {
      header.append(String.format("%20s", r.label()));
    }
    out.println(header);
    row(out, "calls ok / failed", reports, r -> r.ok() + " / " + r.failed());
    row(out, "429s received", reports, r -> Integer.toString(r.tooManyRequests()));
    row(out, "503s received (retried)", reports, r -> Integer.toString(r.unavailable()));
    row(out, "tokens used / allowed in that time", reports,
        r -> String.format("%,d / %,d", r.tokens(), r.allowedTokens()));
    row(out, "wait before first send p50 / p99", reports,
        r -> percentile(r.waitsMillis(), 0.5) + " / " + percentile(r.waitsMillis(), 0.99) + " ms");
    row(out, "call latency p50 / p99", reports,
        r -> percentile(r.latenciesMillis(), 0.5) + " / " + percentile(r.latenciesMillis(), 0.99) + " ms");
    row(out, "wall time", reports, r -> String.format("%.1f s", r.seconds()));
  }

  private static void row(PrintStream out, String name, List<Report> reports, Function<Report, String> cell) {
    StringBuilder line = new StringBuilder(String.format("%-34s", name));
    for (Report r : reports) {
      line.append(String.format("%20s", cell.apply(r)));
    }
    out.println(line);
  }
}
