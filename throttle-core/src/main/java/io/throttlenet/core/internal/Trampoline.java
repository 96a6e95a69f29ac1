package io.throttlenet.core.internal;

/**
 * Runs a step so that re-entering it on the same thread (a completion that runs user code, which
 * frees capacity, which runs the step again) does not nest: the nested call only asks the outer
 * one to run the step once more. Other threads are never held up: each runs the step itself. A
 * round that throws does not cancel a round asked for meanwhile; the first failure is rethrown
 * once no round is left. Not part of the public API. Thread-safe.
 */
public final class Trampoline {
  // [0]: this thread is running the step; [1]: it was asked to run it again meanwhile
  private final ThreadLocal<boolean[]> state = ThreadLocal.withInitial(() -> new boolean[2]);
  private final Runnable step;

  public Trampoline(Runnable step) {
    this.step = step;
  }

  /** Runs the step now, or, if this thread is already inside it, once more when it returns. */
  public void run() {
    boolean[] s = state.get();
    if (s[0]) {
      s[1] = true;
      return;
    }
    s[0] = true;
    Throwable first = null;
    try {
      do {
        s[1] = false;
        try {
          step.run();
        } catch (RuntimeException | Error e) {
          if (first == null) {
            first = e;
          }
        }
      } while (s[1]);
    } finally {
      s[0] = false;
      s[1] = false;
    }
    Actions.rethrow(first);
  }
}
