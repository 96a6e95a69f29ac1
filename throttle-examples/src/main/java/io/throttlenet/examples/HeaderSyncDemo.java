package io.throttlenet.examples;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.HeaderSyncEvent;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Header sync against a real HTTP server: a local API enforcing 48 requests AND 4,800 tokens per
 * second in an exact sliding window, sending OpenAI-style rate-limit headers on every response.
 * 32 callers spend it, as one client or as a fleet of four sharing the key, each client limited by
 * a {@link ServerWindow} or by token buckets, with and without {@link HeaderSync}; every call is
 * retried after a 429 until it succeeds (a window gets back the cost of a refused call, which the
 * server did not count). Prints, per scenario, the share of the binding budget used, the 429s
 * drawn and the calls lost.
 *
 * <p>Run: {@code mvn -q -pl throttle-examples exec:java
 * -Dexec.mainClass=io.throttlenet.examples.HeaderSyncDemo [-Dexec.args=20]} (seconds per
 * scenario, default 20).
 */
public final class HeaderSyncDemo {
  static final long REQUESTS = 48;
  static final long TOKENS = 4_800;
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final int CALLERS = 32;
 

  /** Who spends the budget, and with what limiter. */
  enum Scenario {
    ALONE_TOKEN_BUCKETS_WITHOUT_SYNC(1, false, false, false),
    ALONE_TOKEN_BUCKETS_WITH_SYNC(1, false, true, false),
    ALONE_SERVER_WINDOW_WITHOUT_SYNC(1, false, false, true),
    ALONE_SERVER_WINDOW_WITH_SYNC(1, false, true, true),
    FLEET_OF_4_AT_SHARE_WITH_SYNC(4, true, true, true),
    FLEET_OF_4_AT_FULL_QUOTA_WITHOUT_SYNC(4, false, false, true),
    FLEET_OF_4_AT_FULL_QUOTA_WITH_SYNC(4, false, true, true),
    FLEET_OF_4_AT_FULL_QUOTA_TOKEN_BUCKETS_WITHOUT_SYNC(4, false, false, false),
    FLEET_OF_4_AT_FULL_QUOTA_TOKEN_BUCKETS_WITH_SYNC(4, false, true, false);

    final int clients;
    final boolean toldShare;
    final boolean sync;
    /** A {@link ServerWindow} mirroring the server's window; else token buckets. */
    final boolean window;

    Scenario(int clients, boolean toldShare, boolean sync, boolean window) {
      this.clients = clients;
      this.toldShare = toldShare;
      this.sync = sync;
      this.window = window;
    }
  }

  /** What a scenario achieved. */
  record Figures(
      Scenario scenario,
      long calls,
      long tooManyRequests,
      long lost,
      double requestsUsed,
      double tokensUsed,
      long otherConsumerEvents) {
    /** The share of the binding budget used: the larger of the two. */
    double budgetUsed() {
      return Math.max(requestsUsed, tokensUsed);
    }

    double tooManyRequestsPerCall() {
      return calls == 0 ? 0 : (double) tooManyRequests / calls;
    }
  }

  private HeaderSyncDemo() {}

  public static void main(String[] args) throws Exception {
    Duration each = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 20);
    System.out.printf(
        "API: %d requests and %d tokens per %s, exact sliding window; %d callers, %s each%n%n",
        REQUESTS, TOKENS, WINDOW, CALLERS, each);
    // Warm up the JIT, the HTTP client and the server threads, so the first scenario does not pay
    // for them in budget it could not use.
    run(Scenario.FLEET_OF_4_AT_SHARE_WITH_SYNC, Duration.ofSeconds(3));
    System.out.printf(
        "%-52s %8s %8s %6s %9s %9s %8s%n",
        "scenario", "calls", "429s", "lost", "requests", "tokens", "others");
    for (Scenario s : Scenario.values()) {
      Figures f = run(s, each);
      System.out.printf(
          "%-52s %8d %8d %6d %8.1f%% %8.1f%% %8d%n",
          s.name().toLowerCase().replace('_', ' '),
          f.calls(),
          f.tooManyRequests(),
          f.lost(),
          100 * f.requestsUsed(),
          100 * f.tokensUsed(),
          f.otherConsumerEvents());
    }
    System.out.println(
        "\nrequests/tokens: share of the budget the server accepted, from its first call on;"
            + " others: events saying other consumers share the key");
  }

  /** One client: its own limiter at its configured share, and a sync when asked. */
  private static final class Client {
    final MultiLimiter buckets;
    final ServerWindow window;
    final HeaderSync sync;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Client(Scenario s, AtomicLong otherEvents) {
      long share = s.toldShare ? s.clients : 1;
      EventRegistry events = EventRegistry.create();
      HeaderSync.Builder b;
      if (s.window) {
        this.buckets = null;
        this.window =
            ServerWindow.builder()
                .dimension("requests", REQUESTS / share, WINDOW)
                .dimension("tokens", TOKENS / share, WINDOW)
                .events(events)
                .build();
        b = HeaderSync.builder(window);
      } else {
        this.window = null;
        this.buckets =
            MultiLimiter.builder()
                .dimension("requests", Throttle.perDuration(REQUESTS / share, WINDOW))
                .dimension("tokens", Throttle.perDuration(TOKENS / share, WINDOW))
                .events(events)
                .build();
        b = HeaderSync.builder(buckets);
      }
      if (s.sync) {
        b.events(events);
        if (s.toldShare) {
          b.fleetSize(s.clients);
        }
        this.sync = b.build();
        events.subscribe(HeaderSyncEvent.OtherConsumers.class, e -> otherEvents.incrementAndGet());
      } else {
        this.sync = null;
      }
    }

    /** Waits for the budget; returns the permit to release when the response arrives, if any. */
    ServerWindow.Permit acquire(Costs costs) throws InterruptedException {
      if (window != null) {
        return window.acquire(costs);
      }
      buckets.acquire(costs);
      return null;
    }
  }

  static Figures run(Scenario scenario, Duration duration) throws Exception {
    try (SlidingWindowApi api = new SlidingWindowApi(REQUESTS, TOKENS, WINDOW, 2)) {
      AtomicLong otherEvents = new AtomicLong();
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < scenario.clients; i++) {
        clients.add(new Client(scenario, otherEvents));
      }
      AtomicLong calls = new AtomicLong();
      AtomicLong tooMany = new AtomicLong();
      AtomicLong lost = new AtomicLong();
      long deadline = System.nanoTime() + duration.toNanos();
      long giveUp = deadline + Duration.ofSeconds(30).toNanos();
      List<Runnable> callers = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        Client c = clients.get(i % clients.size());
        callers.add(
            () -> {
              while (System.nanoTime() - deadline < 0) {
                calls.incrementAndGet();
                if (!call(c, api, tooMany, giveUp)) {
                  lost.incrementAndGet();
                }
              }
            });
      }
      api.runCounting(callers, duration);
      double windows = (double) api.countedNanos() / WINDOW.toNanos();
      return new Figures(
          scenario,
          calls.get(),
          tooMany.get(),
          lost.get(),
          api.acceptedRequests() / (REQUESTS * windows),
          api.acceptedTokens() / (TOKENS * windows),
          otherEvents.get());
    }
  }

  /** One logical call, retried after each 429 until it succeeds; false if it never did. */
  private static boolean call(Client c, SlidingWindowApi api, AtomicLong tooMany, long giveUp) {
    long tokens = 50 + ThreadLocalRandom.current().nextLong(101);
    Costs costs = Costs.of("requests", 1, "tokens", tokens);
    HttpRequest request =
        HttpRequest.newBuilder(api.endpoint())
            .header("x-tokens", Long.toString(tokens))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
    while (System.nanoTime() - giveUp < 0) {
      try {
        ServerWindow.Permit permit = c.acquire(costs);
        HeaderSync.Call pending = c.sync == null ? null : c.sync.begin();
        HttpResponse<Void> response;
        try {
          response = c.http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException | RuntimeException e) {
          if (permit != null) {
            permit.release(); // it may have reached the server
          }
          throw e;
        }
        if (permit != null) {
          if (response.statusCode() == 429) {
            permit.cancel(); // the server refused it without counting it
          } else {
            permit.release();
          }
        }
        if (pending != null) {
          pending.complete(response.headers().map());
        }
        if (response.statusCode() != 429) {
          return response.statusCode() == 200;
        }
        tooMany.incrementAndGet();
        if (c.sync == null) { // without sync, do what a Retry honouring retry-after-ms does
          long ms = response.headers().firstValueAsLong("retry-after-ms").orElse(100);
          Thread.sleep(Math.min(ms, 1_000));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (java.io.IOException e) {
        // a refused or dropped connection: try again
      }
    }
    return false;
  }
}
