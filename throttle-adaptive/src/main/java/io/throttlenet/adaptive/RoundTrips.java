package io.throttlenet.adaptive;

/** Round-trip statistics shared by the controllers; pure functions. */
final class RoundTrips {
  private RoundTrips() {}

  /**
   * The lowest round trip, crept up by a ten-thousandth of the time since the last sample before the
   * new one is taken in: a plain minimum never forgets a lucky sample or a baseline that has since
   * shifted up. Creeping by time, not by sample, makes that independent of the call rate: a
   * baseline that doubled is found again after about 7,000 of its round trips.
   */
  static long creepingMin(long min, long value, long elapsed) {
    if (min == Long.MAX_VALUE) {
      return value;
    }
    long crept = min + Math.max(0, elapsed) / 10_000;
    return Math.min(value, crept);
  }

  /**
   * A slow exponentially weighted average (weight 1/32): the input of the lowest round trip, so
   * that the dips of a jittery service time are not taken for its baseline.
   */
  static long smoothSlowly(long average, long rtt) {
    return average == 0 ? rtt : average + (rtt - average) / 32;
  }

  /** An exponentially weighted average with weight 1/8 for the new sample (as TCP's SRTT). */
  static long smooth(long smoothed, long rtt) {
    return smoothed == 0 ? rtt : smoothed + (rtt - smoothed) / 8;
  }
}
