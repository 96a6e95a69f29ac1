package io.throttlenet.bucket.internal;

/**
 * One limiter as seen by a composite that must charge several limiters at the same instant, all
 * or nothing. Not part of the public API.
 *
 * <p>Protocol: {@link #lock(long)} every part, in ascending {@link #id()} order (so two composites
 * never deadlock); decide with {@link #waitAt}; change with {@link #charge} and {@link #refund};
 * then {@link #unlock} every part. While a part is locked nobody else changes it (its plain
 * callers spin for the few nanoseconds this takes), which is what makes the whole step atomic.
 * The {@code long} "snapshot" threads the part's state through the steps: {@code lock} returns
 * it, each change returns the next one, {@code unlock} takes the last.
 */
public interface Part {

  /** A unique, stable number that fixes the locking order. */
  long id();

  /** The name of the limiter, for errors and events. */
  String name();

  /** The largest cost the part can ever grant at once. */
  long capacity();

  /** How long the part takes to recover its whole capacity once used up (no waiters booked). */
  long refillNanos();

  /** The permits the part could grant at {@code now}, negative when it is in debt. */
  long availableAt(long snapshot, long now);

  /**
   * Takes the part's lock, waiting (briefly) if another composite holds it, and moves the part's
   * clock up to {@code now}: once a part has been looked at as of some time, nothing is ever
   * decided or charged on it as of an earlier time. Callers read the ticker before they lock, so a
   * caller descheduled in between arrives with a stale reading; acting on it would book cost into
   * refill that a later caller has already been shown, and both would be released together.
   */
  long lock(long now);

  /** How long {@code cost} would wait at {@code now}; {@code RateLimiter.NEVER} if never. */
  long waitAt(long snapshot, long cost, long now);

  /**
   * The largest cost one {@link #charge} can represent as an overdraft (a token bucket books at
   * most about 36 years ahead); a forced charge above it would be silently cut short, so callers
   * that force charges of arbitrary size (a reservation's settle) refuse it instead.
   */
  long maxCharge();

  /**
   * Charges {@code cost} as of {@code now}, even if that overdraws the part (a debt that delays
   * later callers). Returns the next snapshot.
   */
  long charge(long snapshot, long cost, long now);

  /**
   * Identifies the charge just made (right after {@link #charge}, still locked), so that it can
   * be refunded exactly later: a token bucket's theoretical arrival time after the charge, a
   * log's booking time.
   */
  long handle(long snapshot);

  /**
   * Gives back up to {@code cost} of the charge identified by {@code handle} (made at {@code
   * chargedAt}) because the call used less, as far as that is safe: never more than the charge
   * still weighs on the part (refill may already have absorbed it), never under a caller booked
   * to wait, never across a change of configuration. Returns the next snapshot.
   */
  long refund(long snapshot, long cost, long handle, long chargedAt, long now);

  /**
   * Lowers what is available at {@code now} to at most {@code permits} (negative: a debt); never
   * raises it. Charges made before are no longer refunded. Returns the next snapshot.
   */
  long restrict(long snapshot, long permits, long now);

  /**
   * Grants nothing before {@code until}, and from then as if drained just then (see {@link
   * io.throttlenet.core.RateLimiter#pauseUntil}); never shortens an earlier pause. Charges made
   * before are no longer refunded. Returns the next snapshot.
   */
  long pause(long snapshot, long until, long now);

  /**
   * Full capacity at {@code now}: no debt, no pause, no refund of earlier charges. Returns the
   * next snapshot.
   */
  long reset(long snapshot, long now);

  /** Releases the lock, publishing the last snapshot. */
  void unlock(long snapshot);
}
