package io.throttlenet.core.internal;

import java.util.List;

/** Runs deferred actions (grants, refusals, hooks) so that one failing never drops the others. */
public final class Actions {
  private Actions() {}

  /**
   * Runs every action, even after one throws (each may complete a waiter, which must not be left
   * waiting), then rethrows the first failure.
   */
  public static void runAll(List<Runnable> actions) {
    runAll(actions.toArray(Runnable[]::new));
  }

  /** Like {@link #runAll(List)}, for an array (allocation-free). */
  public static void runAll(Runnable[] actions) {
    Throwable first = null;
    for (Runnable r : actions) {
      try {
        r.run();
      } catch (RuntimeException | Error e) {
        if (first == null) {
          first = e;
        }
      }
    }
    rethrow(first);
  }

  /** Throws {@code failure} if it is not null (it is a RuntimeException or an Error). */
  public static void rethrow(Throwable failure) {
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }
}
