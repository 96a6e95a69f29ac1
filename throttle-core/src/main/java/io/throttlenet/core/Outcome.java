package io.throttlenet.core;

/**
 * How an admitted call ended, as far as the downstream's capacity is concerned: the evidence
 * adaptive controllers steer by. Immutable.
 */
public enum Outcome {
  /** The call succeeded: evidence the downstream copes with the current load. */
  SUCCESS,
  /** The downstream signalled overload (a 429 or 503, a timeout): evidence to back off. */
  DROPPED,
  /**
   * The call failed, but not from overload (an error response, a bug in the call): a failure for
   * metrics, no evidence either way for adaptive control.
   */
  FAILURE,
  /** Nothing was learned (the call was cancelled or never reached the downstream). */
  IGNORED
}
