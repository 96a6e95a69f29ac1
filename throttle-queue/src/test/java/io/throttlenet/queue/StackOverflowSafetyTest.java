package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Permit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 14: a {@link StackOverflowError} thrown inside library code, because the caller
 * was already near the end of its stack, must never keep a slot taken or wedge a queue. Each
 * test calls a decorated call with exactly {@code k} frames of headroom left, for every {@code k}
 * from none up to more than the whole call needs, so the overflow strikes at every frame of the
 * library's take, call and release paths in turn.
 *
 * <p>Runs in a JVM of its own, interpreted (see the module's POM): the JIT changes frame sizes
 * method by method as it compiles, which would make where the overflow strikes depend on timing.
 */
class StackOverflowSafetyTest {
  private static final long STACK_BYTES = 256 * 1024;
  private static final int MAX_HEADROOM = 400;
  // frames of another size below the call, so that the overflow also strikes between the
  // offsets that whole frames of descend() reach
  private static final int MAX_SHIMS = 3;

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000);

  @Test
  void concurrencyLimitDecorate_overflowAtEveryDepth_leaksNoSlot() throws Exception {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    CheckedSupplier<String> call = limit.decorate(() -> "ok");
    Sweep sweep = sweepInSmallStack(call);
    assertThat(sweep.overflows).isPositive(); // the overflow did strike
    assertThat(sweep.completedAtTheTop).isTrue(); // and the sweep reached above the whole call
    assertThat(limit.inFlight()).isZero();
    assertThat(limit.tryAcquire()).isPresent();
  }

  @Test
  void concurrencyLimitDecorate_overflowInTheCall_leaksNoSlot() throws Exception {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    CheckedSupplier<String> call = limit.decorate(() -> deep(0));
    Sweep sweep = sweepInSmallStack(call);
    assertThat(sweep.overflows).isPositive();
    assertThat(limit.inFlight()).isZero();
  }

  @Test
  void admissionQueueOverALimitOfOne_overflowAtEveryDepth_isNeverWedged() throws Exception {
    ConcurrencyLimit limit = ConcurrencyLimit.builder().limit(1).ticker(ticker).build();
    AdmissionQueue<String> queue = AdmissionQueue.<String>builder(limit).build();
    CheckedSupplier<String> call = queue.decorator("k", 0, 1, null).decorate(() -> "ok");
    Sweep sweep = sweepInSmallStack(call);
    assertThat(sweep.overflows).isPositive();
    assertThat(sweep.completedAtTheTop).isTrue();
    assertThat(limit.inFlight()).isZero();
    assertThat(queue.size()).isZero();
    // not wedged: another thread is served at once (the queue's lock is free, a slot is free)
    CompletableFuture<Optional<Permit>> other = CompletableFuture.supplyAsync(() -> queue.tryAcquire("k", 1));
    Optional<Permit> permit = other.get(30, TimeUnit.SECONDS);
    assertThat(permit).isPresent();
    permit.get().success();
    assertThat(limit.inFlight()).isZero();
  }

  /** Recurses until the stack overflows: the user's own call overflowing. */
  private static String deep(int depth) {
    return depth < 0 ? "" : deep(depth + 1);
  }

  private static final class Sweep {
    int overflows;
    boolean completedAtTheTop;
  }

  /** Runs the sweep in a thread with a small stack, so that it is quick and deterministic. */
  private static Sweep sweepInSmallStack(CheckedSupplier<String> call) throws Exception {
    Sweep sweep = new Sweep();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                // once with room to spare first: a class whose initialiser overflows stays broken
                // for the whole JVM, which is no library's to prevent
                try {
                  call.get();
                } catch (StackOverflowError e) {
                  // the call that overflows by itself
                }
                for (int k = 0; k <= MAX_HEADROOM; k++) {
                  for (int shims = 0; shims <= MAX_SHIMS; shims++) {
                    Outcome o = new Outcome();
                    descend(k, shims, call, o);
                    sweep.overflows += o.overflowed ? 1 : 0;
                    if (k == MAX_HEADROOM) {
                      sweep.completedAtTheTop = o.ran && !o.overflowed;
                    }
                  }
                }
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "overflow-sweep",
            STACK_BYTES);
    t.start();
    t.join(30_000);
    assertThat(t.isAlive()).as("the sweep is wedged").isFalse();
    assertThat(failure.get()).isNull();
    return sweep;
  }

  private static final class Outcome {
    boolean ran;
    boolean overflowed;
  }

  /**
   * Recurses to the end of the stack, then, on the way back up, runs the call in the frame that
   * has {@code k} frames of headroom below it, through {@code shims} small frames. Answers this
   * frame's headroom.
   */
  private static int descend(int k, int shims, CheckedSupplier<String> call, Outcome outcome) {
    int headroom;
    try {
      headroom = descend(k, shims, call, outcome) + 1;
    } catch (StackOverflowError e) {
      headroom = 0;
    }
    if (headroom == k) {
      outcome.ran = true;
      try {
        viaShims(shims, call);
      } catch (StackOverflowError e) {
        outcome.overflowed = true;
      } catch (Exception e) {
        throw new AssertionError("only the stack may run out, got " + e, e);
      }
    }
    return headroom;
  }

  private static String viaShims(int shims, CheckedSupplier<String> call) throws Exception {
    return shims == 0 ? call.get() : viaShims(shims - 1, call);
  }
}
