package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class BackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void curves_constantLinearExponential_areCapped() {
    Backoff constant = Backoff.constant(Duration.ofMillis(100));
    Backoff linear = Backoff.linear(Duration.ofMillis(100)).withMax(Duration.ofMillis(250));
    Backoff exp = Backoff.exponential(Duration.ofMillis(100), 2).withMax(Duration.ofMillis(500));
    for (int a = 1; a <= 5; a++) {
      assertThat(constant.curveNanos(a)).isEqualTo(100 * MS);
    }
    assertThat(new long[] {linear.curveNanos(1), linear.curveNanos(2), linear.curveNanos(3)})
        .containsExactly(100 * MS, 200 * MS, 250 * MS);
    assertThat(new long[] {exp.curveNanos(1), exp.curveNanos(2), exp.curveNanos(3), exp.curveNanos(4)})
        .containsExactly(100 * MS, 200 * MS, 400 * MS, 500 * MS);
  }

  @Test
  void defaults_areExponentialDecorrelatedCappedAt30s() {
    Backoff d = Backoff.ofDefaults();
    assertThat(d.jitter()).isEqualTo(Jitter.DECORRELATED);
    assertThat(d.max()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.curveNanos(1)).isEqualTo(100 * MS);
    assertThat(d.curveNanos(2)).isEqualTo(200 * MS);
  }

  @Test
  void jitterModes_stayInTheirRanges() {
    SplittableRandom r = new SplittableRandom(7);
    Backoff base = Backoff.exponential(Duration.ofMillis(100), 2).withMax(Duration.ofSeconds(2));
    for (int a = 1; a <= 12; a++) {
      long curve = base.curveNanos(a);
      assertThat(base.withJitter(Jitter.FULL).delayNanos(a, 0, r)).isBetween(0L, curve);
      assertThat(base.withJitter(Jitter.EQUAL).delayNanos(a, 0, r)).isBetween(curve / 2, curve);
      assertThat(base.withJitter(Jitter.DECORRELATED).delayNanos(a, curve, r)).isBetween(100 * MS, 2_000 * MS);
    }
  }

  @Test
  void seededSequences_areReproducible() {
    Backoff b = Backoff.ofDefaults();
    long[] first = sequence(b, 42);
    assertThat(sequence(b, 42)).containsExactly(first);
    assertThat(sequence(b, 43)).isNotEqualTo(first);
  }

  private static long[] sequence(Backoff b, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] out = new long[10];
    long prev = 0;
    for (int a = 1; a <= 10; a++) {
      prev = b.delayNanos(a, prev, r);
      out[a - 1] = prev;
    }
    return out;
  }

  @Test
  void thunderingHerd_isSpreadByJitterAndNotWithout() {
    Backoff b = Backoff.ofDefaults();
    Set<Long> distinct = new HashSet<>();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int seed = 0; seed < 1000; seed++) {
      long first = b.delayNanos(1, 0, new SplittableRandom(seed));
      assertThat(first).isBetween(100 * MS, 300 * MS);
      distinct.add(first);
      min = Math.min(min, first);
      max = Math.max(max, first);
    }
    assertThat(distinct.size()).isGreaterThan(900);
    assertThat(max - min).isGreaterThan(150 * MS);
    Backoff plain = b.withJitter(Jitter.NONE);
    Set<Long> same = new HashSet<>();
    for (int seed = 0; seed < 1000; seed++) {
      same.add(plain.delayNanos(1, 0, new SplittableRandom(seed)));
    }
    assertThat(same).containsExactly(100 * MS);
  }

  private static Gen<Backoff> backoffs() {
    return longs()
        .between(1, Long.MAX_VALUE)
        .zip(
            integers().between(0, 2),
            integers().between(0, 3),
            longs().between(1, Long.MAX_VALUE),
            (base, curve, jitter, max) -> {
              Backoff b =
                  curve == 0
                      ? Backoff.constant(Duration.ofNanos(base))
                      : curve == 1
                          ? Backoff.linear(Duration.ofNanos(base))
                          : Backoff.exponential(Duration.ofNanos(base), 1 + (base % 7) / 2.0);
              return b.withMax(Duration.ofNanos(max)).withJitter(Jitter.values()[jitter]);
            });
  }

  @Test
  void everyDelay_isWithinZeroAndTheCap_evenForHugeAttemptsAndDurations() {
    qt().withExamples(500)
        .forAll(backoffs(), integers().between(1, Integer.MAX_VALUE), longs().between(0, Long.MAX_VALUE), longs().all())
        .checkAssert(
            (b, attempt, previous, seed) -> {
              long d = b.delayNanos(attempt, previous, new SplittableRandom(seed));
              assertThat(d).isBetween(0L, b.max().toNanos());
            });
  }

  @Test
  void curveWithoutJitter_neverDecreases() {
    qt().withExamples(300)
        .forAll(backoffs(), integers().between(1, 10_000))
        .checkAssert(
            (b, attempt) -> assertThat(b.curveNanos(attempt + 1)).isGreaterThanOrEqualTo(b.curveNanos(attempt)));
  }

  @Test
  void decorrelated_neverGetsStuckAtZero() {
    Backoff b = Backoff.exponential(Duration.ofNanos(1), 1).withJitter(Jitter.DECORRELATED);
    SplittableRandom r = new SplittableRandom(1);
    long prev = 0;
    for (int a = 1; a <= 50; a++) {
      prev = b.delayNanos(a, prev, r);
      assertThat(prev).isPositive();
    }
  }

  @Test
  void badInput_isRefusedNamingTheArgument() {
    assertThatThrownBy(() -> Backoff.constant(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be > 0, was PT0S");
    assertThatThrownBy(() -> Backoff.linear(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be > 0, was PT-0.005S");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(1), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be a finite number >= 1, was 0.5");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofMillis(1), Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be a finite number >= 1, was NaN");
    assertThatThrownBy(() -> Backoff.ofDefaults().withMax(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max must be > 0, was PT0S");
    assertThatThrownBy(() -> Backoff.ofDefaults().curveNanos(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must be >= 1, was 0");
  }
}
