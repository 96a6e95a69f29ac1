package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The spread of each jitter and the edges of {@link Backoff#uniform}. */
class BackoffJitterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void uniform_withAnEmptyOrInvertedRange_returnsLo() {
    SplittableRandom r = new SplittableRandom(3);
    assertThat(Backoff.uniform(r, 5, 5)).isEqualTo(5);
    assertThat(Backoff.uniform(r, 7, 3)).isEqualTo(7);
    assertThat(Backoff.uniform(r, Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void uniform_includesBothEnds() {
    SplittableRandom r = new SplittableRandom(11);
    long[] draws = LongStream.range(0, 200).map(i -> Backoff.uniform(r, 4, 5)).toArray();
    assertThat(draws).contains(4L, 5L).doesNotContain(3L, 6L);
  }

  @Test
  void uniform_upToLongMax_staysInRangeWithoutOverflow() {
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 100; i++) {
      assertThat(Backoff.uniform(r, Long.MAX_VALUE - 10, Long.MAX_VALUE)).isBetween(Long.MAX_VALUE - 10, Long.MAX_VALUE);
      assertThat(Backoff.uniform(r, 0, Long.MAX_VALUE)).isNotNegative();
    }
  }

  @Test
  void uniform_anyRange_staysWithinIt() {
    qt().withExamples(1_000)
        .forAll(longs().between(0, Long.MAX_VALUE), longs().between(0, Long.MAX_VALUE), longs().all())
        .checkAssert(
            (a, b, seed) -> {
              long lo = Math.min(a, b);
              long hi = Math.max(a, b);
              assertThat(Backoff.uniform(new SplittableRandom(seed), lo, hi)).isBetween(lo, hi);
            });
  }

  @Test
  void fullJitter_spreadsOverTheWholeCurve() {
    Backoff b = Backoff.constant(Duration.ofSeconds(1)).withJitter(Jitter.FULL);
    SplittableRandom r = new SplittableRandom(17);
    long[] d = LongStream.range(0, 200).map(i -> b.delayNanos(1, 0, r)).toArray();
    assertThat(LongStream.of(d).max().orElseThrow()).isGreaterThan(9 * SECOND / 10);
    assertThat(LongStream.of(d).min().orElseThrow()).isLessThan(SECOND / 10);
  }

  @Test
  void equalJitter_spreadsOverTheUpperHalf() {
    Backoff b = Backoff.constant(Duration.ofSeconds(1)).withJitter(Jitter.EQUAL);
    SplittableRandom r = new SplittableRandom(19);
    long[] d = LongStream.range(0, 200).map(i -> b.delayNanos(1, 0, r)).toArray();
    assertThat(LongStream.of(d).max().orElseThrow()).isGreaterThan(95 * SECOND / 100).isLessThanOrEqualTo(SECOND);
    assertThat(LongStream.of(d).min().orElseThrow()).isLessThan(55 * SECOND / 100).isGreaterThanOrEqualTo(SECOND / 2);
  }

  @Test
  void decorrelatedJitter_staysBetweenBaseAndThreeTimesThePreviousDelay() {
    Backoff b = Backoff.constant(Duration.ofSeconds(1)).withMax(Duration.ofSeconds(100)).withJitter(Jitter.DECORRELATED);
    SplittableRandom r = new SplittableRandom(23);
    long[] d = LongStream.range(0, 200).map(i -> b.delayNanos(2, 10 * SECOND, r)).toArray();
    assertThat(LongStream.of(d).min().orElseThrow()).isGreaterThanOrEqualTo(SECOND).isLessThan(3 * SECOND);
    assertThat(LongStream.of(d).max().orElseThrow()).isLessThanOrEqualTo(30 * SECOND).isGreaterThan(27 * SECOND);
  }

  @Test
  void noJitter_isTheCurveItself() {
    Backoff b = Backoff.linear(Duration.ofSeconds(1));
    assertThat(b.jitter()).isEqualTo(Jitter.NONE);
    assertThat(b.delayNanos(3, 0, new SplittableRandom(1))).isEqualTo(3 * SECOND);
  }

  @Test
  void toString_namesCurveBaseMaxAndJitter() {
    assertThat(Backoff.exponential(Duration.ofMillis(100), 2).withJitter(Jitter.FULL))
        .hasToString("Backoff[exponential from PT0.1S ×2.0, max PT30S, jitter FULL]");
    assertThat(Backoff.constant(Duration.ofSeconds(1)).withMax(Duration.ofSeconds(5)))
        .hasToString("Backoff[constant from PT1S, max PT5S, jitter NONE]");
  }
}
