package io.throttlenet.examples;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.multidim.Costs;
import io.throttlenet.redis.RedisMultiLimiter;
import io.throttlenet.redis.RedisStore;
import io.throttlenet.redis.RedisThrottle;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of four clients sharing one API key, against a real HTTP server on loopback that
 * enforces the key's quota ({@value #QUOTA} requests per second, in an exact sliding window,
 * answering 429 with {@code retry-after-ms} over it). Each client has its own limiter instance and,
 * for the Redis scenarios, its own {@link RedisStore} (its own Lettuce connection), and runs
 * {@value #THREADS_PER_CLIENT} threads that acquire and call in a loop; a caller that draws a 429
 * waits the server's hint (at most 1 s) before its next call. Demand is uneven, as in a real
 * fleet: one client calls as fast as it is let, the three others pause {@value #QUIET_PAUSE_MILLIS}
 * ms after each call (at most about 20 calls per second each). Prints, per scenario, the 429s
 * drawn, the share of the quota the server accepted, the goodput (accepted calls per second) and
 * the round trips to Redis per acquire.
 *
 * <p>Every limiter is configured from the quota the same way: a token bucket of burst {@value
 * #BURST} refilling {@value #RATE} per second, so burst plus one second of refill is the quota and
 * one bucket can never overrun the server's window. The scenarios differ only in where the bucket
 * lives: in each client at that full quota (what a fleet configured from the published quota
 * does: four times the budget), in each client at a quarter of it (safe, but a client's unused
 * share is lost to the others), or in Redis under one key (one {@link RedisThrottle} or {@link
 * RedisMultiLimiter} per client, or a leasing {@link RedisThrottle} that takes {@value
 * #LEASE_BATCH} permits per round trip). A lease takes only permits that are free at once, so in a
 * fleet that keeps the bucket empty, as this one does, nearly every acquire still books its own
 * call ahead in Redis: leasing cuts round trips where demand leaves permits free, not here.
 *
 * <p>Needs Redis on {@code 127.0.0.1:6379} (or the URI given). Run: {@code mvn -B -q -DskipTests
 * package exec:java -pl throttle-examples -am -Dexec.mainClass=io.throttlenet.examples.RedisFleetDemo
 * [-Dexec.args="10 redis://127.0.0.1:6379"]} (seconds per scenario, default 10).
 */
public final class RedisFleetDemo {
  static final long QUOTA = 200;
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final long BURST = 20;
  static final long RATE = QUOTA - BURST;
  static final int CLIENTS = 4;
  static final int THREADS_PER_CLIENT = 8;
  static final long QUIET_PAUSE_MILLIS = 400;
  static final long LEASE_BATCH = 10;
  static final Duration LEASE_TTL = Duration.ofMillis(50);
  static final String REDIS = "redis://127.0.0.1:6379";

  /** Where each client's limiter keeps its budget. */
  enum Scenario {
    LOCAL_AT_FULL_QUOTA("local Throttle each, at the full quota"),
    LOCAL_AT_QUARTER_SHARE("local Throttle each, at 1/4 of it"),
    REDIS_THROTTLE("RedisThrottle, one key"),
    REDIS_MULTI_LIMITER("RedisMultiLimiter, one key"),
    REDIS_THROTTLE_LEASING("RedisThrottle, one key, lease of " + LEASE_BATCH);

    final String label;

    Scenario(String label) {
      this.label = label;
    }

    boolean redis() {
      return this != LOCAL_AT_FULL_QUOTA && this != LOCAL_AT_QUARTER_SHARE;
    }
  }

  /** What a scenario achieved, as the server counted it from its first accepted call on. */
  record Figures(
      Scenario scenario, long tooManyRequests, long accepted, double budgetUsed, double goodput,
      long acquires, long roundTrips) {
    double roundTripsPerAcquire() {
      return acquires == 0 ? 0 : (double) roundTrips / acquires;
    }
  }

  private RedisFleetDemo() {}

  public static void main(String[] args) throws Exception {
    Duration each = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
    String redis = args.length > 1 ? args[1] : REDIS;
    System.out.printf(
        "API: %d requests per %s, exact sliding window; %d clients x %d threads on one key, %s"
            + " each; every bucket: burst %d, %d/s%n%n",
        QUOTA, WINDOW, CLIENTS, THREADS_PER_CLIENT, each, BURST, RATE);
    run(Scenario.REDIS_THROTTLE, Duration.ofSeconds(2), redis); // warm up JIT, HTTP and Redis
    System.out.printf(
        "%-45s %7s %9s %10s %14s%n", "limiter", "429s", "budget", "goodput", "trips/acquire");
    for (Scenario s : Scenario.values()) {
      Figures f = run(s, each, redis);
      System.out.printf(
          "%-45s %7d %8.1f%% %8.1f/s %14s%n",
          s.label,
          f.tooManyRequests(),
          100 * f.budgetUsed(),
          f.goodput(),
          s.redis() ? String.format("%.3f", f.roundTripsPerAcquire()) : "-");
    }
    System.out.println(
        "\n429s and budget (share of the quota accepted) as the server counted them, from its"
            + " first call on; goodput: accepted calls per second");
  }

  /** Runs one scenario for {@code duration} against a fresh server and a fresh Redis key. */
  static Figures run(Scenario s, Duration duration, String redisUri) throws Exception {
    String key = "fleet-demo-" + UUID.randomUUID();
    List<Client> clients = new ArrayList<>();
    try (SlidingWindowApi api = new SlidingWindowApi(QUOTA, QUOTA, WINDOW, 2)) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(new Client(s, key, redisUri, i == 0 ? 0 : QUIET_PAUSE_MILLIS));
      }
      long deadline = System.nanoTime() + duration.toNanos();
      List<Runnable> callers = new ArrayList<>();
      for (Client c : clients) {
        for (int i = 0; i < THREADS_PER_CLIENT; i++) {
          callers.add(() -> c.callUntil(api, deadline));
        }
      }
      api.runCounting(callers, duration);
      double seconds = api.countedNanos() / 1e9;
      long acquires = 0;
      long roundTrips = 0;
      for (Client c : clients) {
        acquires += c.acquires.get();
        roundTrips += c.roundTrips();
      }
      return new Figures(
          s,
          api.rejected(),
          api.acceptedRequests(),
          api.acceptedRequests() / (QUOTA * seconds / (WINDOW.toNanos() / 1e9)),
          api.acceptedRequests() / seconds,
          acquires,
          roundTrips);
    } finally {
      for (Client c : clients) {
        c.close();
      }
    }
  }

  /** One instance of the fleet: its own limiter, Redis connection and HTTP client. */
  private static final class Client implements AutoCloseable {
    private static final Costs ONE_REQUEST = Costs.of("requests", 1);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final AtomicLong acquires = new AtomicLong();
    private final RedisStore store;
    private final Throttle local;
    private final RedisThrottle throttle;
    private final RedisMultiLimiter multi;
    private final long pauseMillis;

    Client(Scenario s, String key, String redisUri, long pauseMillis) {
      this.pauseMillis = pauseMillis;
      this.store = s.redis() ? RedisStore.connect(redisUri) : null;
      if (store != null && !store.isConnected()) {
        store.close();
        throw new IllegalStateException(
            "Redis must run at " + redisUri + " (redis-server --bind 127.0.0.1 --save ''"
                + " --appendonly no --daemonize yes)");
      }
      this.local =
          switch (s) {
            case LOCAL_AT_FULL_QUOTA -> bucket(BURST, RATE);
            case LOCAL_AT_QUARTER_SHARE -> bucket(BURST / CLIENTS, RATE / CLIENTS);
            default -> null;
          };
      this.throttle =
          switch (s) {
            case REDIS_THROTTLE -> redisBucket(key).build();
            case REDIS_THROTTLE_LEASING -> redisBucket(key).lease(LEASE_BATCH, LEASE_TTL).build();
            default -> null;
          };
      this.multi =
          s == Scenario.REDIS_MULTI_LIMITER
              ? RedisMultiLimiter.builder(store)
                  .key(key)
                  .dimension("requests", RATE, WINDOW, BURST)
                  .build()
              : null;
    }

    private static Throttle bucket(long burst, long rate) {
      return Throttle.builder().rate(rate, WINDOW).burst(burst).build();
    }

    private RedisThrottle.Builder redisBucket(String key) {
      return RedisThrottle.builder(store).key(key).rate(RATE, WINDOW).burst(BURST);
    }

    void acquire() throws InterruptedException {
      acquires.incrementAndGet();
      if (local != null) {
        local.acquire();
      } else if (throttle != null) {
        throttle.acquire();
      } else {
        multi.acquire(ONE_REQUEST);
      }
    }

    long roundTrips() {
      return throttle != null ? throttle.roundTrips() : multi != null ? multi.roundTrips() : 0;
    }

    /**
     * Acquires and calls until the deadline, pausing after each call if this client is a quiet
     * one; after a 429, waits the server's hint first.
     */
    void callUntil(SlidingWindowApi api, long deadline) {
      HttpRequest request =
          HttpRequest.newBuilder(api.endpoint())
              .header("x-tokens", "1")
              .POST(HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofSeconds(10))
              .build();
      try {
        while (System.nanoTime() - deadline < 0) {
          acquire();
          try {
            HttpResponse<Void> response =
                http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 429) {
              long ms = response.headers().firstValueAsLong("retry-after-ms").orElse(100);
              Thread.sleep(Math.min(ms, 1_000));
            } else if (pauseMillis > 0) {
              Thread.sleep(pauseMillis);
            }
          } catch (java.io.IOException e) {
            // a refused or dropped connection: the server did not count it either; go on
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      if (store != null) {
        store.close();
      }
    }
  }
}
