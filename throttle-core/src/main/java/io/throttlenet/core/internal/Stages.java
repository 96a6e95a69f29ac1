package io.throttlenet.core.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Shared completion stages. Not part of the public API.
 *
 * <h2>A cancel must not free what a running call still holds</h2>
 *
 * A caller cancels the stage of a decorated call; the cancel travels inward, step by step, and
 * each step's stage completes at once (that is what {@link CompletableFuture#cancel} does). But
 * the call itself may keep running (its stage cannot be cancelled, or ignores it), and a bulkhead
 * slot, a half-open probe or a queue turn outside must stay taken until it really ends, or a
 * limit of one admits five. So every step's stage is a {@link Tracked}: besides completing as
 * usual, it is <em>settled</em> only when the work behind it has ended (the call's own stage has
 * completed, or the call never started). Steps that give something back when the inner stage
 * ends ({@link #observe}) wait for it to be settled, not merely completed. A stage that is not a
 * {@code Tracked} (the user's call) is settled when it completes.
 */
public final class Stages {
  private Stages() {}

  /**
   * A stage that also knows when the work behind it has really ended ({@link #settle()}), which
   * may be later than its completion when it was cancelled. Settling happens after completion.
   *
   * @param <T> the result type
   */
  public static final class Tracked<T> extends CompletableFuture<T> {
    private final CompletableFuture<Void> settled = new CompletableFuture<>();

    /** Marks the work behind this stage as ended; later calls do nothing. */
    public void settle() {
      settled.complete(null);
    }

    /** Whether {@link #settle()} was called. */
    public boolean isSettled() {
      return settled.isDone();
    }

    // Dependent stages are plain futures: only a step's own stage tracks the work behind it.
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  /**
   * Runs {@code action} once the work behind {@code stage} has ended: when a {@link Tracked}
   * stage is settled, when any other stage completes. Call it only once {@code stage} is done.
   */
  public static void whenSettled(CompletionStage<?> stage, Runnable action) {
    if (stage instanceof Tracked<?> t) {
      t.settled.whenComplete((ignored, failure) -> action.run());
    } else {
      action.run();
    }
  }

  /**
   * A completed stage that can be shared: a minimal stage cannot be completed, obtruded or
   * cancelled by its holders ({@code toCompletableFuture()} returns a fresh copy).
   */
  public static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  /**
   * The stage of a call that starts once {@code grant} (a permit, a turn, a reservation) is given.
   * Whatever the caller does with the returned stage, nothing leaks: if it ends before the grant
   * (cancelled, timed out, completed by the caller), the pending grant is cancelled; if it ended
   * just as the grant came, the call never starts and the grant goes to {@code giveBack}; once
   * the call has started, a cancel of the stage is passed on to the call's stage. A failed grant
   * fails the stage with its cause, unwrapped. {@code start} must not throw once it
   * holds something to give back (it should fail its stage instead).
   */
  public static <G, R> Tracked<R> afterGrant(
      CompletableFuture<G> grant, Function<? super G, ? extends CompletionStage<R>> start, Consumer<? super G> giveBack) {
    Tracked<R> out = new Tracked<>();
    grant.whenComplete(
        (granted, failure) -> {
          if (failure != null) {
            out.completeExceptionally(unwrap(failure));
            out.settle(); // nothing started
            return;
          }
          if (out.isDone()) {
            try {
              giveBack.accept(granted);
            } finally {
              out.settle();
            }
            return;
          }
          CompletionStage<R> stage;
          try {
            stage = Args.requireNonNull(start.apply(granted), "the call's stage");
          } catch (RuntimeException | Error e) {
            out.completeExceptionally(e);
            out.settle();
            return;
          }
          cancelInward(out, stage); // once started, a cancel reaches the call itself
          stage.whenComplete(
              (result, thrown) -> {
                if (thrown == null) {
                  out.complete(result);
                } else {
                  out.completeExceptionally(unwrap(thrown));
                }
                whenSettled(stage, out::settle); // held until the call itself has ended
              });
        });
    out.whenComplete(
        (ignored, failure) -> {
          if (failure != null && !grant.isDone()) {
            grant.cancel(false); // the caller gave up while waiting: leave
          }
        });
    return out;
  }

  /**
   * Passes a cancel of {@code out} (the caller's stage) on to {@code inner} (the stage it waits
   * for), so that a wait deeper in a chain gives its place back. A stage that cannot be cancelled
   * (a minimal stage) simply runs to its end.
   */
  public static void cancelInward(CompletableFuture<?> out, CompletionStage<?> inner) {
    out.whenComplete(
        (ignored, failure) -> {
          if (failure instanceof CancellationException) {
            try {
              inner.toCompletableFuture().cancel(false);
            } catch (UnsupportedOperationException minimalStage) {
              // nothing to pass the cancel to
            }
          }
        });
  }

  /** Cancels {@code stage} if it can be cancelled; a minimal stage simply runs to its end. */
  public static void cancel(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().cancel(false);
    } catch (UnsupportedOperationException minimalStage) {
      // nothing to pass the cancel to
    }
  }

  /**
   * {@code stage}'s outcome, after {@code action} has run on it (an action that throws on a result
   * fails the returned future; on a failure the failure wins), with a cancel of the returned future
   * passed on to {@code stage}. Unlike {@link CompletionStage#whenComplete}, whose action is
   * skipped once its dependent stage was cancelled, the action always runs when {@code stage}
   * ends: it may be what gives a permit back. It runs once the work behind {@code stage} has
   * ended ({@link #whenSettled}): after a cancel, only when the call itself has finished, so a
   * slot given back there is never given back while the call still runs.
   */
  public static <R> Tracked<R> observe(
      CompletionStage<R> stage, BiConsumer<? super R, ? super Throwable> action) {
    Tracked<R> observed = new Tracked<>();
    stage.whenComplete(
        (result, failure) -> {
          if (failure != null && stage instanceof Tracked<?> t && !t.isSettled()) {
            // cancelled or timed out while the call runs on: the caller hears now; the action
            // (what gives a slot back) still waits until the call has ended
            observed.completeExceptionally(failure);
          }
          whenSettled(stage, () -> {
          try {
            action.accept(result, failure);
          } catch (RuntimeException | Error e) {
            if (failure == null) {
              observed.completeExceptionally(e);
              observed.settle();
              return;
            }
          }
          if (failure == null) {
            observed.complete(result);
          } else {
            observed.completeExceptionally(failure);
          }
          observed.settle();
          });
        });
    cancelInward(observed, stage);
    return observed;
  }

  /**
   * {@code out}, settled once {@code inner} is: for a step that completes {@code out} from
   * {@code inner} (or earlier, when cancelled) and holds nothing itself.
   */
  public static void settleWith(Tracked<?> out, CompletionStage<?> inner) {
    inner.whenComplete((ignored, failure) -> whenSettled(inner, out::settle));
  }

  /**
   * Waits for {@code future} and returns its result; its failure is thrown unwrapped (a checked
   * one wrapped in a {@link CompletionException}). An interrupt cancels the future (the wait gives
   * its place back) and is thrown; if the future was decided at that very moment, its outcome
   * stands and the thread stays interrupted.
   */
  public static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      if (future.cancel(false)) {
        throw e;
      }
      Thread.currentThread().interrupt();
      try {
        return future.join();
      } catch (CompletionException decided) {
        throw unchecked(decided.getCause());
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw unchecked(e.getCause());
    }
  }

  private static RuntimeException unchecked(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new CompletionException(t);
  }

  /** The cause a {@link CompletionException} wraps, however deep. */
  public static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
