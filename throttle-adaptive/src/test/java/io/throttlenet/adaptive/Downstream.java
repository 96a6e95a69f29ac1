package io.throttlenet.adaptive;

import io.throttlenet.core.Outcome;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic discrete-event simulation of a downstream with a hidden capacity ({@code
 * servers} calls in service, each taking the service time with uniform jitter, then a bounded
 * queue, then fast drops), called by a client with endless demand that keeps as many calls in
 * flight as a {@link ConcurrencyController} allows. Time is simulated nanoseconds: no thread, no
 * sleep, the same figures on every machine.
 */
final class Downstream {
  private record Event(long at, long seq, int kind, long sentAt) {} // kind 0: service end, 1: drop reply

  long service;
  final double jitter;
  final int queueCapacity;
  final long dropLatency;
  int servers;

  private final Random random;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final ArrayDeque<Long> queue = new ArrayDeque<>();
  private long seq;
  private int busy;
  long now;
  int inFlight;

  // what happened, from `measureFrom` on
  long measureFrom;
  long successes;
  long drops;
  double limitTime; // integral of the limit over time
  long latencySum;
  private long[] latencies = new long[1 << 12];

  Downstream(int servers, long service, double jitter, int queueCapacity, long seed) {
    this.servers = servers;
    this.service = service;
    this.jitter = jitter;
    this.queueCapacity = queueCapacity;
    this.dropLatency = service / 20;
    this.random = new Random(seed);
  }

  /** Runs until {@code until}, keeping {@code controller}'s limit of calls in flight. */
  void run(ConcurrencyController<?> controller, long until) {
    fill(controller);
    while (!events.isEmpty() && events.peek().at <= until) {
      Event e = events.poll();
      if (now >= measureFrom) {
        limitTime += (double) controller.limit() * (e.at - now);
      } else if (e.at > measureFrom) {
        limitTime += (double) controller.limit() * (e.at - measureFrom);
      }
      now = e.at;
      boolean dropped = e.kind == 1;
      if (!dropped) {
        busy--;
        while (busy < servers && !queue.isEmpty()) {
          start(queue.poll());
        }
      }
      int before = inFlight;
      inFlight--;
      if (now >= measureFrom) {
        if (dropped) {
          drops++;
        } else {
          successes++;
          latencySum += now - e.sentAt;
          if (successes > latencies.length) {
            latencies = java.util.Arrays.copyOf(latencies, 2 * latencies.length);
          }
          latencies[(int) successes - 1] = now - e.sentAt;
        }
      }
      controller.onSample(dropped ? Outcome.DROPPED : Outcome.SUCCESS, now - e.sentAt, before, now);
      fill(controller);
    }
    now = until;
  }

  private void fill(ConcurrencyController<?> controller) {
    while (inFlight < controller.limit()) {
      inFlight++;
      arrive(now);
    }
  }

  private void arrive(long sentAt) {
    if (busy < servers) {
      start(sentAt);
    } else if (queue.size() < queueCapacity) {
      queue.add(sentAt);
    } else {
      events.add(new Event(now + dropLatency, seq++, 1, sentAt));
    }
  }

  private void start(long sentAt) {
    busy++;
    long took = (long) (service * (1 + jitter * (2 * random.nextDouble() - 1)));
    events.add(new Event(now + took, seq++, 0, sentAt));
  }

  void startMeasuring() {
    measureFrom = now;
    successes = 0;
    drops = 0;
    limitTime = 0;
    latencySum = 0;
  }

  double averageLimit() {
    return limitTime / (now - measureFrom);
  }

  double dropShare() {
    return (double) drops / Math.max(1, successes + drops);
  }

  /** Goodput as a share of the capacity, servers / service. */
  double goodput() {
    return successes / ((double) (now - measureFrom) / service * servers);
  }

  /** The {@code q} quantile of successful calls' latencies, over the service time. */
  double latencyQuantileOverService(double q) {
    if (successes == 0) {
      return 0;
    }
    long[] sorted = java.util.Arrays.copyOf(latencies, (int) successes);
    java.util.Arrays.sort(sorted);
    return (double) sorted[(int) Math.min(successes - 1, (long) (q * successes))] / service;
  }

  double meanLatencyOverService() {
    return (double) latencySum / Math.max(1, successes) / service;
  }
}
