package io.throttlenet.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArgsAndMathTest {

  @Test
  void saturatedNanos_clampsInsteadOfThrowing() {
    assertThat(Args.saturatedNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(Args.saturatedNanos(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
    assertThat(Args.saturatedNanos(Duration.ofMillis(1500))).isEqualTo(1_500_000_000L);
    assertThat(Args.saturatedNanos(Duration.ofNanos(-7))).isEqualTo(-7);
  }

  @Test
  void saturatedNanos_matchesToNanosWhereThatDoesNotOverflow() {
    qt().forAll(longs().between(-9_000_000_000L, 9_000_000_000L), longs().between(0, 999_999_999))
        .checkAssert(
            (s, n) -> {
              Duration d = Duration.ofSeconds(s, n);
              assertThat(Args.saturatedNanos(d)).isEqualTo(d.toNanos());
            });
  }

  @Test
  void multiplyDivide_isExactAndSaturates() {
    qt().forAll(longs().between(0, Long.MAX_VALUE), longs().between(0, Long.MAX_VALUE), longs().between(1, Long.MAX_VALUE))
        .checkAssert(
            (a, b, c) -> {
              BigInteger[] qr =
                  BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(c));
              BigInteger down = qr[0];
              BigInteger up = qr[1].signum() == 0 ? down : down.add(BigInteger.ONE);
              assertThat(SaturatedMath.multiplyDivide(a, b, c, false))
                  .isEqualTo(down.bitLength() < 64 ? down.longValue() : Long.MAX_VALUE);
              assertThat(SaturatedMath.multiplyDivide(a, b, c, true))
                  .isEqualTo(up.bitLength() < 64 ? up.longValue() : Long.MAX_VALUE);
            });
  }

  @Test
  void addAndMultiply_saturate() {
    assertThat(SaturatedMath.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(SaturatedMath.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(SaturatedMath.add(5, -7)).isEqualTo(-2);
    assertThat(SaturatedMath.multiply(1L << 32, 1L << 32)).isEqualTo(Long.MAX_VALUE);
    assertThat(SaturatedMath.multiply(3, 7)).isEqualTo(21);
  }
}
