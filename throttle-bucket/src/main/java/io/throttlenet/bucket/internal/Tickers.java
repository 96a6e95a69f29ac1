package io.throttlenet.bucket.internal;

import io.throttlenet.core.Ticker;

/**
 * The one check every composite makes when it is built: all its parts run on its own {@link
 * Ticker}. A part on another clock would be charged at the composite's readings and refill by its
 * own, so the composite would refuse everything or lock other users out. Not part of the public
 * API.
 */
public final class Tickers {
  private Tickers() {}

  /**
   * @throws IllegalArgumentException naming both tickers if {@code partTicker} is not {@code
   *     ticker}
   */
  public static void requireSame(Ticker partTicker, String part, Ticker ticker, String composite) {
    if (partTicker != ticker) {
      throw new IllegalArgumentException(
          part + " uses ticker " + partTicker + ", but " + composite + " uses ticker " + ticker
              + "; give every part the composite's ticker");
    }
  }
}
