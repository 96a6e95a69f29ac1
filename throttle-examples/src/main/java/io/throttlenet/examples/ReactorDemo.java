package io.throttlenet.examples;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.MultiLimiterEvent;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.reactor.ElementThrottle;
import io.throttlenet.reactor.ReactorThrottling;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import io.throttlenet.retry.RetryAction;
import io.throttlenet.retry.RetryEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A reactive client of a simulated LLM provider: twelve prompts at once through one {@link
 * ReactorThrottling} chain (requests and tokens reserved then settled at the tokens each answer
 * reports, a bulkhead of three, a circuit breaker, a retry that honours the provider's
 * Retry-After), then a stream of chunks paced by their size with {@link ElementThrottle}, then
 * five prompts abandoned by their subscriber mid-wait, which give back everything they held. No
 * thread is blocked while waiting: permits, slots and retry delays are all scheduled.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.ReactorDemo}
 */
public final class ReactorDemo {
  private ReactorDemo() {}

  /** What the provider answered: the text and the tokens it charged. */
  record Answer(String text, long tokens) {}

  /** The provider's "429 Too Many Requests", with the wait it asks for. */
  static final class TooManyRequests extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final Duration retryAfter;

    TooManyRequests(Duration retryAfter) {
      super("429 Too Many Requests, retry after " + retryAfter.toMillis() + " ms", null, false, false);
      this.retryAfter = retryAfter;
    }
  }

  /** What a run saw, for the demo's printout and its test. */
  record Figures(
      int answered, int maxInFlight, long retries, long tokensGivenBack, int inFlightAfterCancel,
      int waitingAfterCancel, int subscribedAfterCancel, List<String> chunks, long pacingMillis) {}

  public static void main(String[] args) {
    Figures f = run(true);
    System.out.printf(
        "%nanswered %d of 12, at most %d in flight (bulkhead of 3), %d retries after a 429,"
            + " %d of the tokens reserved (120 a call) given back when the answers reported what they cost%n",
        f.answered(), f.maxInFlight(), f.retries(), f.tokensGivenBack());
    System.out.printf("paced %d chunks by size in %d ms (about 4 chunks of 10 tokens per 100 ms)%n", f.chunks().size(), f.pacingMillis());
    System.out.printf(
        "5 abandoned prompts: bulkhead in flight %d, still waiting %d, calls that reached the provider %d%n",
        f.inFlightAfterCancel(), f.waitingAfterCancel(), f.subscribedAfterCancel());
  }

  static Figures run(boolean print) {
    EventRegistry events = EventRegistry.create();
    long start = System.nanoTime();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();

    // The provider: 80-140 ms per answer; every fourth call is refused with a Retry-After.
    java.util.function.Function<String, Mono<Answer>> provider = prompt -> Mono.defer(() -> {
      int n = calls.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Mono<Answer> answer = n % 4 == 0
          ? Mono.error(new TooManyRequests(Duration.ofMillis(150)))
          : Mono.just(new Answer(prompt, 20 + prompt.length() * 3L));
      return answer.delaySubscription(Duration.ofMillis(80 + (n * 37) % 60))
          .doOnTerminate(inFlight::decrementAndGet)
          .doOnCancel(inFlight::decrementAndGet);
    });

    MultiLimiter llm = MultiLimiter.builder()
        .name("llm")
        .dimension("requests", Throttle.builder().rate(20, Duration.ofSeconds(1)).burst(4).name("llm-requests").build())
        .dimension("tokens", Throttle.builder().rate(60_000, Duration.ofMinutes(1)).burst(1_500).name("llm-tokens").build())
        .events(events)
        .build();
    ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(3).name("llm-bulkhead").events(events).build();
    CircuitBreaker breaker = CircuitBreaker.builder().trip(Trip.consecutive(5)).name("llm-breaker").events(events).build();
    Retry retry = Retry.builder()
        .backoff(Backoff.constant(Duration.ofMillis(100)))
        .maxAttempts(3)
        .classifier(e -> e instanceof TooManyRequests t ? RetryAction.retryAfter(t.retryAfter) : RetryAction.retry())
        .name("llm-retry")
        .events(events)
        .build();
    AtomicLong retries = new AtomicLong();
    events.subscribe(RetryEvent.Attempt.class, a -> {
      retries.incrementAndGet();
      if (print) {
        System.out.printf("%5d ms  %-32s retrying in %d ms, as the provider asked%n",
            millisSince(start), a.cause().map(Throwable::getMessage).orElse("?").substring(0, 21), a.delay().toMillis());
      }
    });
    AtomicLong returned = new AtomicLong();
    events.subscribe(MultiLimiterEvent.Settled.class, e -> returned.addAndGet(-e.delta().getOrDefault("tokens", 0L)));

    ReactorThrottling chain = ReactorThrottling.of()
        .withThrottle(llm, Costs.of("requests", 1, "tokens", 120), (Answer a) -> Costs.of("requests", 1, "tokens", a.tokens()))
        .withBulkhead(bulkhead)
        .withBreaker(breaker)
        .withRetry(retry)
        .named("llm-call")
        .withEvents(events);

    // 1. Twelve prompts at once.
    List<String> prompts = List.of(
        "What is a token bucket?", "Why jitter?", "Explain GCRA", "What is Retry-After?",
        "Bulkhead vs rate limit?", "Why reserve then settle?", "What is a half-open breaker?",
        "How do I pace a Flux?", "What is backpressure?", "Why not block a thread?",
        "What does a cancel give back?", "How does virtual time work?");
    List<Answer> answers = Flux.fromIterable(prompts)
        .flatMap(p -> provider.apply(p)
            .transformDeferred(chain.operator())
            .doOnNext(a -> {
              if (print) {
                System.out.printf("%5d ms  %-32s answered, %3d tokens%n", millisSince(start), a.text(), a.tokens());
              }
            }), 12)
        .collectList()
        .block(Duration.ofSeconds(30));
    long settled = returned.get(); // tokens reserved but not used, given back on settle

    // 2. A stream of chunks paced by their size: 40 tokens per 100 ms, 10 tokens a chunk.
    Throttle chunkBudget = Throttle.builder().rate(40, Duration.ofMillis(100)).burst(40).name("chunks").build();
    chunkBudget.tryAcquire(40); // start empty, to show the pace
    long pacingStart = System.nanoTime();
    List<String> chunks = Flux.range(1, 8)
        .map(i -> "chunk-" + i)
        .transform(ElementThrottle.of(chunkBudget, (String c) -> 10))
        .doOnNext(c -> {
          if (print) {
            System.out.printf("%5d ms  %s%n", millisSince(start), c);
          }
        })
        .collectList()
        .block(Duration.ofSeconds(10));
    long pacingMillis = millisSince(pacingStart);

    // 3. Five prompts that the subscriber abandons after 50 ms, while the request budget is in
    //    debt: their waits are withdrawn and their bulkhead slots given back; none reaches the provider.
    int callsBefore = calls.get();
    io.throttlenet.core.RateLimiter requests = llm.limiter("requests");
    requests.limitAvailable(-10, requests.ticker().read()); // the next grant is half a second away
    Flux.range(1, 5)
        .flatMap(i -> provider.apply("late " + i).transformDeferred(chain.operator()), 5)
        .take(Duration.ofMillis(50))
        .blockLast(Duration.ofSeconds(10));
    return new Figures(
        answers == null ? 0 : answers.size(), maxInFlight.get(), retries.get(), settled,
        bulkhead.inFlight(), bulkhead.waiting() + llm.waiting(), calls.get() - callsBefore, chunks, pacingMillis);
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

}
