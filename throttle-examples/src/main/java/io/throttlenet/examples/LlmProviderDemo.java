package io.throttlenet.examples;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.http.ThrottledHttpClient;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Jitter;
import io.throttlenet.retry.Retry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main job: many concurrent callers against a strict simulated LLM provider (requests and
 * tokens per window, 429 with Retry-After, OpenAI-style headers), first through a {@link
 * ThrottledHttpClient} (a {@link MultiLimiter} that reserves each call's estimated tokens and
 * settles the real usage from the response, header sync, a bulkhead, a circuit breaker and a
 * retry after the provider's hint), then through the same client with the limiter left out. A
 * live progress line, then a table with the share of the provider's budget each used, and an
 * HTML report with the requests and tokens the provider accepted per second against its budget,
 * 429s marked, both phases side by side.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am}; options
 * {@code --calls=N} (per phase, default 60), {@code --callers=N} (default 12), {@code
 * --no-throttle} (only the unthrottled phase), {@code --throttle-only}, {@code --report=FILE}
 * (default {@code target/llm-provider-report.html}).
 */
public final class LlmProviderDemo {
  /** The provider's limits; compressed to a 10-second window so the demo runs in seconds. */
  static final SimulatedLlmProvider.Limits LIMITS =
      new SimulatedLlmProvider.Limits(40, 16_000, Duration.ofSeconds(10));

  private static final Pattern USAGE = Pattern.compile("\"total_tokens\"\\s*:\\s*(\\d+)");

  /** The share of the provider's limits the client budgets for itself. */
  static final double BUDGET_SHARE = 0.9;

  private LlmProviderDemo() {}

  /**
   * What one phase measured, as the provider saw it: calls that ended in a 200 or did not, the
   * 429s and 503s it sent, the requests and tokens it accepted against what its limits allowed
   * in that time, and every answer for the report.
   */
  record Report(
      String label,
      int ok,
      int failed,
      int tooManyRequests,
      int unavailable,
      long requests,
      long allowedRequests,
      long tokens,
      long allowedTokens,
      double seconds,
      List<Long> latenciesMillis,
      List<SimulatedLlmProvider.Answer> answers) {
    /** The share of the binding budget used: the larger of requests and tokens. */
    double budgetUsed() {
      return Math.max((double) requests / allowedRequests, (double) tokens / allowedTokens);
    }
  }

  public static void main(String[] args) throws Exception {
    int calls = 60;
    int callers = 12;
    boolean throttled = true;
    boolean unthrottled = true;
    Path reportFile = Path.of("target", "llm-provider-report.html");
    for (String a : args) {
      if (a.startsWith("--calls=")) {
        calls = Integer.parseInt(a.substring("--calls=".length()));
      } else if (a.startsWith("--callers=")) {
        callers = Integer.parseInt(a.substring("--callers=".length()));
      } else if (a.startsWith("--report=")) {
        reportFile = Path.of(a.substring("--report=".length()));
      } else if (a.equals("--no-throttle")) {
        throttled = false;
      } else if (a.equals("--throttle-only")) {
        unthrottled = false;
      } else {
        throw new IllegalArgumentException(
            "unknown option "
                + a
                + " (--calls=N --callers=N --no-throttle --throttle-only --report=FILE)");
      }
    }
    if (calls < 1 || callers < 1 || (!throttled && !unthrottled)) {
      throw new IllegalArgumentException(
          "calls and callers must be >= 1, and at least one phase must run");
    }
    PrintStream out = System.out;
    out.printf(
        "Simulated LLM provider on loopback: %d requests and %,d tokens per %d s, 2%% of calls fail"
            + " with 503.%n",
        LIMITS.requests(), LIMITS.tokens(), LIMITS.window().toSeconds());
    out.printf(
        "%d callers make %d calls per phase (prompt 150-450 tokens, max_tokens 300).%n%n",
        callers, calls);
    List<Report> reports = new ArrayList<>();
    if (throttled) {
      reports.add(run("throttled", true, BUDGET_SHARE, calls, callers, out));
    }
    if (unthrottled) {
      reports.add(run("unthrottled", false, BUDGET_SHARE, calls, callers, out));
    }
    printTable(reports, out);
    Path written = writeReport(reports, reportFile);
    out.println();
    out.println("Report: " + written.toAbsolutePath());
  }

  /** Writes the HTML report of {@code reports} to {@code file} (creating its directory). */
  static Path writeReport(List<Report> reports, Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Files.writeString(file, LlmReport.xhtml(reports, LIMITS), StandardCharsets.UTF_8);
    return file;
  }

  /**
   * Runs one phase against a fresh provider; a throttled phase budgets {@code budgetShare} of the
   * provider's limits.
   */
  static Report run(
      String label, boolean throttle, double budgetShare, int calls, int callers, PrintStream out)
      throws Exception {
    try (SimulatedLlmProvider provider = new SimulatedLlmProvider(LIMITS, 0.02)) {
      ThrottledHttpClient client = client(throttle ? budgetShare : 0);
      URI endpoint = provider.endpoint();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      for (int c = 0; c < callers; c++) {
        pool.execute(
            () -> {
              ThreadLocalRandom random = ThreadLocalRandom.current();
              while (next.getAndIncrement() < calls) {
                long began = System.nanoTime();
                if (chat(client, throttle, endpoint, 150 + random.nextInt(301), 300)) {
                  ok.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                }
                latencies.add((System.nanoTime() - began) / 1_000_000);
              }
            });
      }
      pool.shutdown();
      boolean console = System.console() != null;
      try {
        awaitWithProgress(
            pool,
            console,
            () -> {
              List<SimulatedLlmProvider.Answer> so = provider.answers();
              return String.format(
                  "[%-11s] %3d/%d calls done  429s: %-4d 503s: %-3d tokens used: %,7d  provider"
                      + " says %,6d tokens left",
                  label,
                  ok.get() + failed.get(),
                  calls,
                  count(so, 429),
                  count(so, 503),
                  tokens(so),
                  provider.lastRemainingTokens());
            },
            out);
      } finally {
        pool.shutdownNow(); // interrupted: no caller keeps retrying against a closed provider
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.print(console ? "\r" : "");
      out.printf(
          "[%-11s] %3d/%d calls done in %.1f s%s%n",
          label, ok.get() + failed.get(), calls, seconds, console ? " ".repeat(60) : "");
      List<SimulatedLlmProvider.Answer> answers = provider.answers();
      double windows = seconds * 1e9 / LIMITS.window().toNanos();
      return new Report(
          label,
          ok.get(),
          failed.get(),
          count(answers, 429),
          count(answers, 503),
          count(answers, 200),
          LIMITS.requests() + (long) (windows * LIMITS.requests()),
          tokens(answers),
          LIMITS.tokens() + (long) (windows * LIMITS.tokens()),
          seconds,
          sorted(latencies),
          answers);
    }
  }

  private static int count(List<SimulatedLlmProvider.Answer> answers, int status) {
    return (int) answers.stream().filter(a -> a.status() == status).count();
  }

  private static long tokens(List<SimulatedLlmProvider.Answer> answers) {
    return answers.stream().mapToLong(SimulatedLlmProvider.Answer::tokens).sum();
  }

  /**
   * The client. Throttled ({@code budgetShare > 0}): a {@link MultiLimiter} at that share of the
   * provider's limits, each attempt reserving its prompt plus {@code max_tokens} and settled at
   * the usage the response reports, header sync so that the provider's {@code x-ratelimit-*}
   * headers and a 429's {@code Retry-After} steer every caller, and a bulkhead of 4. Both: a
   * breaker and a retry that honours {@code Retry-After} (the client classifies 429 and 503 as
   * overload, retried after the hint; no exception of our own is needed for it).
   */
  static ThrottledHttpClient client(double budgetShare) {
    EventRegistry events = EventRegistry.create(); // the limiter's and the sync's, shared
    ThrottledHttpClient.Builder b =
        ThrottledHttpClient.builder(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
            .name("llm-chat")
            .events(events)
            .breaker(
                CircuitBreaker.builder()
                    .name("llm-breaker")
                    .trip(Trip.failureRate(0.5, 20, 10))
                    .cooldown(Duration.ofSeconds(2))
                    .events(events)
                    .build())
            .retry(
                Retry.builder()
                    .name("llm-retry")
                    .maxAttempts(8)
                    .backoff(
                        Backoff.exponential(Duration.ofMillis(200), 2)
                            .withMax(Duration.ofSeconds(4))
                            .withJitter(Jitter.FULL))
                    .maxRetryAfter(Duration.ofSeconds(10))
                    .events(events)
                    .build());
    if (budgetShare > 0) {
      // Less than the provider's budget: a call is charged by us when it is granted and by the
      // provider when it arrives; the margin absorbs arrivals delayed and then bunched.
      Duration window = LIMITS.window();
      MultiLimiter llm =
          MultiLimiter.builder()
              .name("llm")
              .dimension(
                  "requests",
                  Throttle.builder()
                      .rate((long) (LIMITS.requests() * budgetShare), window)
                      .events(events)
                      .build())
              .dimension(
                  "tokens",
                  Throttle.builder()
                      .rate((long) (LIMITS.tokens() * budgetShare), window)
                      .events(events)
                      .build())
              .events(events)
              .build();
      b.limiter(llm)
          .usage(
              (request, response) -> {
                Matcher m = USAGE.matcher(String.valueOf(response.body()));
                return m.find()
                    ? Costs.of("requests", 1, "tokens", Long.parseLong(m.group(1)))
                    : null;
              })
          .syncHeaders()
          // a few at a time wait on the budget; the rest wait in arrival order in the bulkhead
          .bulkhead(ConcurrencyLimit.builder().name("llm-slots").limit(4).events(events).build());
    }
    return b.build();
  }

  /**
   * One chat completion through the client: the prompt's tokens plus {@code max_tokens} is the
   * estimate a throttled client reserves (and settles at the reported usage). True if it ended in
   * a 200.
   */
  static boolean chat(
      ThrottledHttpClient client,
      boolean throttled,
      URI endpoint,
      long promptTokens,
      long maxTokens) {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"prompt_tokens\":" + promptTokens + ",\"max_tokens\":" + maxTokens + "}"))
            .build();
    try {
      HttpResponse<String> response =
          throttled
              ? client.send(
                  request,
                  HttpResponse.BodyHandlers.ofString(),
                  Costs.of("requests", 1, "tokens", promptTokens + maxTokens))
              : client.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (IOException | RuntimeException e) {
      return false; // an I/O error after the retries, an open breaker, a wait too long
    }
  }

  /** Waits for the callers, printing {@code line}: in place on a console, else once a second. */
  private static void awaitWithProgress(
      ExecutorService pool, boolean console, Supplier<String> line, PrintStream out)
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
    row(
        out,
        "requests accepted / allowed",
        reports,
        r -> String.format("%,d / %,d", r.requests(), r.allowedRequests()));
    row(
        out,
        "tokens used / allowed in that time",
        reports,
        r -> String.format("%,d / %,d", r.tokens(), r.allowedTokens()));
    row(
        out,
        "share of the budget used",
        reports,
        r -> String.format("%.0f %%", 100 * r.budgetUsed()));
    row(
        out,
        "call latency p50 / p99",
        reports,
        r ->
            percentile(r.latenciesMillis(), 0.5)
                + " / "
                + percentile(r.latenciesMillis(), 0.99)
                + " ms");
    row(out, "wall time", reports, r -> String.format("%.1f s", r.seconds()));
  }

  private static void row(
      PrintStream out, String name, List<Report> reports, Function<Report, String> cell) {
    StringBuilder line = new StringBuilder(String.format("%-34s", name));
    for (Report r : reports) {
      line.append(String.format("%20s", cell.apply(r)));
    }
    out.println(line);
  }
}
