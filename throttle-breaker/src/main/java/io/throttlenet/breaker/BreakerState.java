package io.throttlenet.breaker;

/** The states of a {@link CircuitBreaker}. */
public enum BreakerState {
  /** Calls pass; outcomes are counted against the trip conditions. */
  CLOSED,
  /** Calls are rejected until the cooldown ends. */
  OPEN,
  /** A few probe calls pass; their outcomes decide between closing and reopening. */
  HALF_OPEN,
  /** Opened by an operator: calls are rejected until someone resets the breaker. */
  FORCED_OPEN,
  /** Switched off by an operator: every call passes and nothing is counted. */
  DISABLED
}
