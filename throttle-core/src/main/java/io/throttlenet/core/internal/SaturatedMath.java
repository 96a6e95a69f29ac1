package io.throttlenet.core.internal;

import java.math.BigInteger;

/**
 * Exact integer arithmetic that saturates at the {@code long} range instead of wrapping. Limiters
 * use it to turn "cost × period / permits" into nanoseconds without losing precision for small
 * values or overflowing for absurd ones.
 *
 * <p>Not part of the public API.
 */
public final class SaturatedMath {
  private SaturatedMath() {}

  /** {@code a + b}, clamped to the {@code long} range. */
  public static long add(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** {@code a * b} for non-negative operands, clamped at {@code Long.MAX_VALUE}. */
  public static long multiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if (hi != 0 || lo < 0) {
      return Long.MAX_VALUE;
    }
    return lo;
  }

  /**
   * {@code a * b / c} for non-negative {@code a}, {@code b} and positive {@code c}, rounded down
   * (or up when {@code roundUp}), clamped at {@code Long.MAX_VALUE}. Exact: the product is formed
   * in 128 bits.
   */
  public static long multiplyDivide(long a, long b, long c, boolean roundUp) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if (hi == 0 && lo >= 0) {
      long q = lo / c;
      if (roundUp && q * c != lo) {
        q++;
      }
      return q;
    }
    BigInteger[] qr =
        BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(c));
    BigInteger q = qr[0];
    if (roundUp && qr[1].signum() != 0) {
      q = q.add(BigInteger.ONE);
    }
    return q.bitLength() < 64 ? q.longValue() : Long.MAX_VALUE;
  }
}
