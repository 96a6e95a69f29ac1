package io.throttlenet.adaptive;

/** Round-trip statistics shared by the controllers; pure functions. */
final class RoundTrips {
  private RoundTrips() {}

  /** An exponentially weighted average with weight 1/8 for the new sample (as TCP's SRTT). */
  static long smooth(long smoothed, long rtt) {
    return smoothed == 0 ? rtt : smoothed + (rtt - smoothed) / 8;
  }
}
