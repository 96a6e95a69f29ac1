package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The rate controllers, their wiring to a throttle, and the SRE client-side throttle. */
class RateControllersTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aimdRate_growsBySecondsOfSuccess_andBacksOffOncePerCooldown() {
    AimdRateController c = AimdRateController.builder().initialRate(10).increase(2).build();
    long now = 0;
    for (int i = 0; i <= 10; i++) {
      c.onSample(Outcome.SUCCESS, now);
      now += SECOND / 2;
    }
    assertThat(c.rate()).isCloseTo(20, within(1e-9)); // 5 s at +2/s per s
    assertThat(c.onSample(Outcome.DROPPED, now)).isCloseTo(14, within(1e-9));
    assertThat(c.onSample(Outcome.DROPPED, now + SECOND / 2)).isCloseTo(14, within(1e-9));
    assertThat(c.onSample(Outcome.DROPPED, now + SECOND)).isCloseTo(9.8, within(1e-9));
    assertThat(c.onSample(Outcome.FAILURE, now + 5 * SECOND)).isCloseTo(9.8, within(1e-9));
  }

  @Test
  void cubic_dropsToSevenTenthsOfTheMeasuredRate_thenClimbsBackPastIt() {
    CubicRateController c = CubicRateController.builder().initialRate(500).build();
    long now = 0;
    for (int i = 0; i < 300; i++) { // 100 calls a second for 3 s
      c.onSample(Outcome.SUCCESS, now);
      now += SECOND / 100;
    }
    assertThat(c.rate()).as("at most twice the measured rate").isBetween(150.0, 201.0);
    double atThrottle = c.rate();
    double after = c.onSample(Outcome.DROPPED, now);
    assertThat(after).isCloseTo(0.7 * Math.min(100, atThrottle), within(3.0));
    // K = cbrt(W (1 - 0.7) / 0.4) ≈ 4.2 s for W ≈ 100: back at the old maximum by then, beyond after
    for (int i = 0; i < 420; i++) {
      now += SECOND / 100;
      c.onSample(Outcome.SUCCESS, now);
    }
    assertThat(c.rate()).isBetween(95.0, 105.0);
    for (int i = 0; i < 400; i++) {
      now += SECOND / 100;
      c.onSample(Outcome.SUCCESS, now);
    }
    assertThat(c.rate()).isGreaterThan(110);
  }

  @Test
  void rateControllers_stayInBounds_andDropsNeverRaiseTheRate() {
    List<Supplier<RateController<?>>> kinds =
        List.of(
            () -> AimdRateController.builder().bounds(1, 50).build(),
            () -> CubicRateController.builder().bounds(1, 50).build());
    qt().withExamples(200)
        .forAll(
            integers().between(0, 1),
            lists().of(longs().between(0, 4 * SECOND).zip(integers().between(0, 3), (a, o) -> new long[] {a, o})).ofSizeBetween(1, 300))
        .checkAssert(
            (kind, stream) -> {
              RateController<?> c = kinds.get(kind).get();
              long now = Long.MAX_VALUE - 10_000 * SECOND;
              for (long[] s : stream) {
                now += s[0];
                double before = c.rate();
                Outcome o = Outcome.values()[(int) s[1]];
                double after = c.onSample(o, now);
                assertThat(after).isBetween(1.0, 50.0);
                if (o != Outcome.SUCCESS) {
                  assertThat(after).isLessThanOrEqualTo(before);
                }
              }
            });
  }

  @Test
  void adaptiveRate_movesAThrottleFromAChainsCallEvents() {
    ManualTicker ticker = ManualTicker.create();
    EventRegistry events = EventRegistry.create();
    Throttle throttle = Throttle.builder().rate(100, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    AdaptiveRate adaptive =
        AdaptiveRate.attach(throttle, AimdRateController.builder().initialRate(40).build(), events, "api");
    assertThat(throttle.permitsPerSecond()).isEqualTo(40);
    EventPublisher<CallEvent.Finished> calls = events.publisher(CallEvent.Finished.class, "api");
    CallEvent.Finished dropped =
        new CallEvent.Finished("api", Outcome.DROPPED, Duration.ofMillis(5), Optional.empty(), Optional.empty());
    calls.publish(dropped);
    assertThat(throttle.permitsPerSecond()).isCloseTo(28, within(1e-6));
    adaptive.close();
    ticker.advance(Duration.ofSeconds(5));
    calls.publish(dropped);
    assertThat(throttle.permitsPerSecond()).isCloseTo(28, within(1e-6));
  }

  @Test
  void clientSideThrottle_shedsWhatTheDownstreamRefuses_andForgetsItAfterTheWindow() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    double[] dice = {0.5};
    ClientSideThrottle t =
        ClientSideThrottle.builder().name("api").ticker(ticker).random(() -> dice[0]).build();
    for (int i = 0; i < 100; i++) {
      assertThat(t.tryAcquire()).isTrue();
      t.onOutcome(Outcome.SUCCESS);
    }
    assertThat(t.rejectionProbability()).isZero();
    for (int i = 0; i < 300; i++) { // the downstream refuses everything now
      if (t.tryAcquire()) {
        t.onOutcome(Outcome.DROPPED);
      }
    }
    // requests 400, accepts 100: p = (400 - 200) / 401
    assertThat(t.rejectionProbability()).isCloseTo(200.0 / 401, within(0.01));
    dice[0] = 0.4;
    assertThat(t.tryAcquire()).isFalse();
    dice[0] = 0.6;
    assertThat(t.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMinutes(2).plusSeconds(1));
    assertThat(t.rejectionProbability()).isZero();

    CallClassifier overload = (result, failure) -> failure instanceof IOException ? Outcome.DROPPED : Outcome.SUCCESS;
    ClientSideThrottle d =
        ClientSideThrottle.builder().ticker(ticker).classifier(overload).random(() -> 0.0).build();
    CheckedSupplier<String> failing = d.decorate(() -> { throw new IOException("503"); });
    assertThatThrownBy(failing::get).isInstanceOf(IOException.class); // 1 request, 0 accepts: p = 1/2
    assertThatThrownBy(failing::get)
        .isInstanceOf(ClientThrottledException.class)
        .hasMessageContaining("rejected locally");
  }

  @Test
  void builders_refuseBadInput_namingIt() {
    assertThatThrownBy(() -> AimdRateController.builder().bounds(5, 1)).hasMessageContaining("max must be >= min (5.0), was 1.0");
    assertThatThrownBy(() -> AimdRateController.builder().backoff(0)).hasMessageContaining("backoff");
    assertThatThrownBy(() -> CubicRateController.builder().initialRate(Double.NaN)).hasMessageContaining("initialRate");
    assertThatThrownBy(() -> ClientSideThrottle.builder().k(0.5)).hasMessageContaining("k must be");
    assertThatThrownBy(() -> ClientSideThrottle.builder().window(Duration.ZERO)).hasMessageContaining("window");
  }
}
