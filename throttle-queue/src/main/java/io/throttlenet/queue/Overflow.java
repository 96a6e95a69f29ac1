package io.throttlenet.queue;

/** What an {@link AdmissionQueue} does with a newcomer when it already holds its capacity. */
public enum Overflow {
  /** Refuse the newcomer. */
  REJECT,
  /** Drop the waiter that has waited longest, and queue the newcomer. */
  DROP_OLDEST,
  /**
   * Drop the most recent waiter of the lowest priority if the newcomer ranks strictly higher;
   * otherwise refuse the newcomer.
   */
  DROP_LOWEST_PRIORITY
}
