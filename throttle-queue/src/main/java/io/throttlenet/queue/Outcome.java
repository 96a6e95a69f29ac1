package io.throttlenet.queue;

/** How a call admitted by a {@link ConcurrencyLimit} ended, for adaptive controllers. */
public enum Outcome {
  /** The call succeeded: evidence the downstream copes with the current concurrency. */
  SUCCESS,
  /** The downstream signalled overload (a 429 or 503, a timeout): evidence to back off. */
  DROPPED,
  /** Neither (cancelled, a client-side error): says nothing about the downstream's capacity. */
  IGNORED
}
