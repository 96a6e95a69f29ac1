package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each rate controller steering a {@link Throttle}, through {@link AdaptiveRate} and the chain's
 * {@link CallEvent}s, against a downstream with a hidden rate capacity R: a token bucket of R per
 * second holding a tenth of a second's worth, answering 429 when it is empty. The client has
 * endless demand and sends whatever its throttle lets through. It must settle within 0.85–1.1 R,
 * with at most 0.5 % 429s from 100 per second up (at 10 and 20 per second, one 429 per probe every
 * few seconds is 1 to 4 %), and follow the capacity down within 2 s when it halves. Deterministic
 * (a manual ticker moved to each instant the throttle grants a permit; no thread, no sleep); the
 * figures are printed.
 */
class RateControllerSimulationTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  /** The downstream: a token bucket at {@code rate} per second, deliberately not throttle-net's. */
  static final class Downstream {
    double rate;
    final double burst;
    double tokens;
    long last;

    Downstream(double rate, long now) {
      this.rate = rate;
      this.burst = Math.max(1, rate / 10);
      this.tokens = burst;
      this.last = now;
    }

    boolean call(long now) {
      tokens = Math.min(burst, tokens + rate * (now - last) / SECOND);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** Runs the client for a while and measures it. */
  static final class Client {
    final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_600 * SECOND);
    final EventRegistry events = EventRegistry.create();
    final EventPublisher<CallEvent.Finished> calls =
        events.publisher(CallEvent.Finished.class, "api");
    final CallEvent.Finished ok = finished(Outcome.SUCCESS);
    final CallEvent.Finished throttled = finished(Outcome.DROPPED);
    final Throttle throttle;
    final Downstream downstream;
    long successes;
    long refusals;
    double rateTime; // integral of the throttle's rate over time, in calls
    long measuredNanos;

    Client(double capacity, RateController<?> controller) {
      throttle = Throttle.builder().rate(controller.rate()).burst(1).ticker(ticker).build();
      AdaptiveRate.attach(throttle, controller, events, "api");
      downstream = new Downstream(capacity, ticker.read());
    }

    /** Sends a call whenever the throttle has a permit, for {@code nanos}. */
    void run(long nanos) {
      long end = ticker.read() + nanos;
      for (;;) {
        long now = ticker.read();
        long wait = Math.min(throttle.waitNanos(1, now), end - now);
        if (wait > 0) {
          rateTime += throttle.permitsPerSecond() * wait / SECOND;
          measuredNanos += wait;
          ticker.advance(wait);
        }
        if (ticker.read() - end >= 0) {
          return;
        }
        if (throttle.tryAcquire()) {
          boolean served = downstream.call(ticker.read());
          if (served) {
            successes++;
          } else {
            refusals++;
          }
          calls.publish(served ? ok : throttled);
        }
      }
    }

    private static CallEvent.Finished finished(Outcome outcome) {
      return new CallEvent.Finished(
          "api", outcome, Duration.ZERO, Optional.empty(), Optional.empty());
    }

    void startMeasuring() {
      successes = 0;
      refusals = 0;
      rateTime = 0;
      measuredNanos = 0;
    }

    double averageRate() {
      return rateTime / ((double) measuredNanos / SECOND);
    }

    double goodput() {
      return successes / ((double) measuredNanos / SECOND) / downstream.rate;
    }

    double refusalShare() {
      return (double) refusals / Math.max(1, successes + refusals);
    }
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (int r : new int[] {20, 100, 400}) {
      b.add(Arguments.of("aimd", r, (Supplier<RateController<?>>) AimdRateController::create));
      b.add(Arguments.of("cubic", r, (Supplier<RateController<?>>) CubicRateController::create));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0}, R = {1}/s")
  @MethodSource("cases")
  void settlesNearTheHiddenRate_withFew429s_andFollowsItDownWhenItHalves(
      String kind, int r, Supplier<RateController<?>> make) {
    Client client = new Client(r, make.get());
    client.run(600 * SECOND);
    client.startMeasuring();
    client.run(600 * SECOND);
    double settled = client.averageRate() / r;
    double goodput = client.goodput();
    double refused = client.refusalShare();

    client.downstream.rate = r / 2.0;
    long seconds = -1;
    for (int s = 1; s <= 120 && seconds < 0; s++) {
      client.run(SECOND);
      if (client.throttle.permitsPerSecond() <= 1.25 * r / 2) {
        seconds = s;
      }
    }
    client.run(600 * SECOND);
    client.startMeasuring();
    client.run(600 * SECOND);
    double halved = client.averageRate() / (r / 2.0);
    System.out.printf(
        "%-5s R=%3d/s settled rate %.2f R, goodput %.3f R, 429s %.2f %%;"
            + " halved: down within %d s, rate %.2f R/2, goodput %.3f R/2, 429s %.2f %%%n",
        kind, r, settled, goodput, 100 * refused, seconds, halved, client.goodput(),
        100 * client.refusalShare());

    assertThat(settled).as("settled rate / R").isBetween(0.85, 1.1);
    assertThat(goodput).as("served / R").isGreaterThan(0.85);
    assertThat(seconds).as("seconds to follow a halved capacity").isBetween(1L, 2L);
    assertThat(halved).as("settled rate / halved R").isBetween(0.85, 1.1);
    assertThat(client.goodput()).as("served / halved R").isGreaterThan(0.85);
    // A rate controller learns the capacity only by exceeding it: about one 429 per probe, a
    // probe every few seconds, which is 3 % of the calls at 10 per second
    assertThat(refused).as("429s after settling").isLessThanOrEqualTo(r >= 100 ? 0.005 : 0.02);
    assertThat(client.refusalShare())
        .as("429s after the halving settled")
        .isLessThanOrEqualTo(r / 2 >= 50 ? 0.005 : 0.04);
  }
}
