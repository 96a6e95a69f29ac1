package io.throttlenet.bucket.internal;

import io.throttlenet.core.RateLimiter;

/**
 * Decides and charges several {@link Part}s at one instant, all or nothing. Not part of the
 * public API.
 *
 * <p>Design: the parts are locked one after another in ascending id order (the caller keeps them
 * sorted), each lock taken inside the previous one's stack frame, so the snapshots live on the
 * stack and nothing is allocated. The deepest frame sees every part locked and knows the longest
 * wait; only if that is zero does each frame, unwinding, charge its part before unlocking it. A
 * part is therefore never charged unless every part could afford its cost at that instant, and
 * nothing is ever charged and then given back.
 */
public final class Atomic {
  private Atomic() {}

  /**
   * If every part can afford its cost at {@code now}, charges them all and returns 0; otherwise
   * charges nothing and returns the longest wait (or {@link RateLimiter#NEVER}). Parts whose cost
   * is 0 are neither checked nor charged.
   *
   * @param parts distinct parts in ascending {@link Part#id()} order
   * @param costs the cost for each part, or null to use {@code cost} for every part
   */
  public static long tryCharge(Part[] parts, long[] costs, long cost, long now) {
    return step(parts, parts.length, costs, cost, now, 0, 0, true, null);
  }

  /**
   * Like {@link #tryCharge(Part[], long[], long, long)} with the same {@code cost} for the first
   * {@code n} parts of {@code parts} only (a reused scratch array).
   */
  public static long tryCharge(Part[] parts, int n, long cost, long now) {
    return step(parts, n, null, cost, now, 0, 0, true, null);
  }

  /**
   * Like {@link #tryCharge(Part[], long[], long, long)}, and on success stores in {@code
   * handles[i]} what identifies part {@code i}'s charge, for an exact {@link #refund} later.
   */
  public static long tryCharge(Part[] parts, long[] costs, long cost, long now, long[] handles) {
    return step(parts, parts.length, costs, cost, now, 0, 0, true, handles);
  }

  /** Like {@link #tryCharge} but never charges: the longest wait at {@code now}. */
  public static long peek(Part[] parts, long[] costs, long cost, long now) {
    return step(parts, parts.length, costs, cost, now, 0, 0, false, null);
  }

  /** The smallest of the parts' available permits at {@code now}, read at one instant. */
  public static long minAvailable(Part[] parts, long now) {
    return minStep(parts, now, 0, Long.MAX_VALUE, false);
  }

  /**
   * Whether every part is full at {@code now}, read at one instant: each could grant its own
   * whole capacity. Not the same as {@link #minAvailable} reaching the smallest capacity, which
   * holds while a part with a larger capacity still owes.
   */
  public static boolean allFull(Part[] parts, long now) {
    return minStep(parts, now, 0, Long.MAX_VALUE, true) >= 0;
  }

  /** The least of the parts' available permits, each less its capacity if {@code shortfall}. */
  private static long minStep(Part[] parts, long now, int i, long min, boolean shortfall) {
    if (i == parts.length) {
      return min;
    }
    Part part = parts[i];
    long snapshot = part.lock(now);
    try {
      long available = part.availableAt(snapshot, now);
      long value = shortfall ? available - part.capacity() : available;
      return minStep(parts, now, i + 1, Math.min(min, value), shortfall);
    } finally {
      part.unlock(snapshot);
    }
  }

  /** Charges every part its cost as of {@code now}, affordable or not (an overdraft). */
  public static void force(Part[] parts, long[] costs, long now) {
    forceStep(parts, costs, now, 0, true, null, 0);
  }

  /**
   * Gives back to every part up to its cost of the charge identified by {@code handles} (from
   * {@link #tryCharge(Part[], long[], long, long, long[])} at {@code chargedAt}), as far as is
   * safe; see {@link Part#refund}.
   */
  public static void refund(Part[] parts, long[] costs, long[] handles, long chargedAt, long now) {
    forceStep(parts, costs, now, 0, false, handles, chargedAt);
  }

  /** What {@link #adjust} does to each part. */
  public enum Adjustment {
    /** {@link Part#restrict} to the given permits. */
    RESTRICT,
    /** {@link Part#pause} until the given time. */
    PAUSE,
    /** {@link Part#reset}. */
    RESET
  }

  /**
   * Applies {@code adjustment} to every part with all of them locked, so that no composite ever
   * sees some parts adjusted and others not. {@code value} is the permits for {@link
   * Adjustment#RESTRICT}, the end of the pause for {@link Adjustment#PAUSE}, ignored for {@link
   * Adjustment#RESET}.
   *
   * @param parts distinct parts in ascending {@link Part#id()} order
   */
  public static void adjust(Part[] parts, Adjustment adjustment, long value, long now) {
    adjustStep(parts, 0, adjustment, value, now);
  }

  private static void adjustStep(Part[] parts, int i, Adjustment adjustment, long value, long now) {
    if (i == parts.length) {
      return;
    }
    Part part = parts[i];
    long snapshot = part.lock(now);
    try {
      adjustStep(parts, i + 1, adjustment, value, now);
      snapshot =
          switch (adjustment) {
            case RESTRICT -> part.restrict(snapshot, value, now);
            case PAUSE -> part.pause(snapshot, value, now);
            case RESET -> part.reset(snapshot, now);
          };
    } finally {
      part.unlock(snapshot);
    }
  }

  private static long step(
      Part[] parts, int n, long[] costs, long cost, long now, int i, long longest, boolean charge, long[] handles) {
    if (i == n) {
      return longest;
    }
    long c = costs == null ? cost : costs[i];
    if (c == 0) {
      return step(parts, n, costs, cost, now, i + 1, longest, charge, handles);
    }
    Part part = parts[i];
    long snapshot = part.lock(now);
    try {
      long wait = part.waitAt(snapshot, c, now);
      long max = longest == RateLimiter.NEVER || wait == RateLimiter.NEVER
          ? RateLimiter.NEVER
          : Math.max(longest, wait);
      long result = step(parts, n, costs, cost, now, i + 1, max, charge, handles);
      if (result == 0 && charge) {
        snapshot = part.charge(snapshot, c, now);
        if (handles != null) {
          handles[i] = part.handle(snapshot);
        }
      }
      return result;
    } finally {
      part.unlock(snapshot);
    }
  }

  private static void forceStep(
      Part[] parts, long[] costs, long now, int i, boolean charge, long[] handles, long chargedAt) {
    if (i == parts.length) {
      return;
    }
    if (costs[i] == 0) {
      forceStep(parts, costs, now, i + 1, charge, handles, chargedAt);
      return;
    }
    Part part = parts[i];
    long snapshot = part.lock(now);
    try {
      forceStep(parts, costs, now, i + 1, charge, handles, chargedAt);
      snapshot =
          charge
              ? part.charge(snapshot, costs[i], now)
              : part.refund(snapshot, costs[i], handles[i], chargedAt, now);
    } finally {
      part.unlock(snapshot);
    }
  }
}
