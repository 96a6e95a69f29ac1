package io.throttlenet.core;

/**
 * The cost asked for is larger than the limiter can ever grant at once (for a token bucket, its
 * burst), so waiting would never help: a {@linkplain #isPermanent() permanent} rejection. Thrown at
 * once, never after a wait. Immutable.
 */
public final class CostExceedsCapacityException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final long cost;
  private final long capacity;

  public CostExceedsCapacityException(String component, long cost, long capacity) {
    super(
        component,
        component + ": cost " + cost + " exceeds capacity " + capacity + " and can never be granted",
        null);
    this.cost = cost;
    this.capacity = capacity;
  }

  /** Always true: the cost can never fit. */
  @Override
  public boolean isPermanent() {
    return true;
  }

  /** The cost that was asked for. */
  public long cost() {
    return cost;
  }

  /** The most the limiter can grant at once. */
  public long capacity() {
    return capacity;
  }
}
