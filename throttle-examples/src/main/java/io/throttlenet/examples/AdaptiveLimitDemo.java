package io.throttlenet.examples;

import io.throttlenet.adaptive.AdaptiveConcurrency;
import io.throttlenet.adaptive.AimdController;
import io.throttlenet.adaptive.ConcurrencyController;
import io.throttlenet.adaptive.Gradient2Controller;
import io.throttlenet.adaptive.VegasController;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Permit;
import io.throttlenet.queue.ConcurrencyLimit;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Adaptive concurrency against a real HTTP service of hidden capacity ({@link CapacityServer}: 8
 * in service for 20 ms, 16 may queue, the rest get a fast 503). 64 callers in a closed loop go
 * through a {@link ConcurrencyLimit}: fixed at the capacity (what a user who knew it would set),
 * or steered by each controller, which must find it. Prints goodput as a share of the capacity,
 * 503s, and the HTTP latency's median and 99th percentile as multiples of the service time.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.AdaptiveLimitDemo [-Dexec.args=20]} (seconds per
 * limit, default 20).
 */
public final class AdaptiveLimitDemo {
  static final int CAPACITY = 8;
  static final long SERVICE_MILLIS = 20;
  static final int QUEUE = 16;
  static final int CALLERS = 64;

  /** How the limit is set. */
  enum Limit {
    FIXED_AT_CAPACITY(null),
    AIMD(AimdController::create),
    VEGAS(VegasController::create),
    GRADIENT2(Gradient2Controller::create);

    final Supplier<ConcurrencyController<?>> controller;

    Limit(Supplier<ConcurrencyController<?>> controller) {
      this.controller = controller;
    }
  }

  /** What a run achieved. */
  record Figures(Limit limit, long calls, long unavailable, double goodput, double p50, double p99, int finalLimit) {
    double unavailableShare() {
      return calls == 0 ? 0 : (double) unavailable / calls;
    }
  }

  private AdaptiveLimitDemo() {}

  public static void main(String[] args) throws Exception {
    Duration each = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 20);
    System.out.printf(
        "service: %d in service for %d ms, %d may queue, then 503; %d callers, %s each%n%n",
        CAPACITY, SERVICE_MILLIS, QUEUE, CALLERS, each);
    run(Limit.VEGAS, Duration.ofSeconds(3)); // warm up the JIT and the HTTP stack
    System.out.printf("%-18s %8s %8s %9s %9s %9s %6s%n", "limit", "calls", "503s", "goodput", "p50", "p99", "final");
    for (Limit l : Limit.values()) {
      Figures f = run(l, each);
      System.out.printf(
          "%-18s %8d %8d %8.3f %8.2fS %8.2fS %6d%n",
          l.name().toLowerCase().replace('_', ' '), f.calls(), f.unavailable(), f.goodput(), f.p50(), f.p99(), f.finalLimit());
    }
    System.out.println("\ngoodput: 200s per second over the capacity's 400; p50/p99: HTTP latency over the service time");
  }

  static Figures run(Limit kind, Duration duration) throws Exception {
    try (CapacityServer server = new CapacityServer(CAPACITY, SERVICE_MILLIS, QUEUE)) {
      EventRegistry events = EventRegistry.create();
      ConcurrencyLimit bulkhead =
          ConcurrencyLimit.builder()
              .limit(CAPACITY)
              .maxWaiters(CALLERS)
              .maxWait(Duration.ofSeconds(30))
              .events(events)
              .build();
      AdaptiveConcurrency adaptive =
          kind.controller == null ? null : AdaptiveConcurrency.attach(bulkhead, kind.controller.get(), events);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(server.endpoint()).timeout(Duration.ofSeconds(10)).build();
      long start = System.nanoTime();
      long measureFrom = start + duration.toNanos() / 4; // the first quarter finds the capacity
      long end = start + duration.toNanos();
      List<long[]> perCaller = new ArrayList<>();
      long[] ok = new long[CALLERS];
      long[] unavailable = new long[CALLERS];
      long[] calls = new long[CALLERS];
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        long[] latencies = new long[200_000];
        perCaller.add(latencies);
        int me = i;
        Thread t =
            new Thread(
                () -> {
                  int n = 0;
                  while (System.nanoTime() - end < 0) {
                    Permit permit;
                    try {
                      permit = bulkhead.acquire();
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException refused) {
                      continue;
                    }
                    long sent = System.nanoTime();
                    Outcome outcome = Outcome.FAILURE;
                    try {
                      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                      outcome = status == 503 ? Outcome.DROPPED : status == 200 ? Outcome.SUCCESS : Outcome.FAILURE;
                    } catch (java.io.IOException e) {
                      outcome = Outcome.FAILURE;
                    } catch (InterruptedException e) {
                      permit.release(Outcome.IGNORED);
                      return;
                    }
                    permit.release(outcome);
                    long now = System.nanoTime();
                    if (sent - measureFrom >= 0 && now - end < 0) {
                      calls[me]++;
                      if (outcome == Outcome.SUCCESS) {
                        ok[me]++;
                        if (n < latencies.length) {
                          latencies[n++] = now - sent;
                        }
                      } else if (outcome == Outcome.DROPPED) {
                        unavailable[me]++;
                      }
                    }
                  }
                  latencies[latencies.length - 1] = n; // how many were recorded
                },
                "caller-" + i);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (adaptive != null) {
        adaptive.close();
      }
      long total = 0;
      for (long[] l : perCaller) {
        total += l[l.length - 1];
      }
      long[] all = new long[(int) total];
      int k = 0;
      for (long[] l : perCaller) {
        int n = (int) l[l.length - 1];
        System.arraycopy(l, 0, all, k, n);
        k += n;
      }
      Arrays.sort(all);
      double seconds = (end - measureFrom) / 1e9;
      double capacityPerSecond = CAPACITY * 1000.0 / SERVICE_MILLIS;
      double service = SERVICE_MILLIS * 1e6;
      return new Figures(
          kind,
          Arrays.stream(calls).sum(),
          Arrays.stream(unavailable).sum(),
          Arrays.stream(ok).sum() / seconds / capacityPerSecond,
          all.length == 0 ? 0 : all[all.length / 2] / service,
          all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / service,
          bulkhead.limit());
    }
  }
}
