package io.throttlenet.core.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** Shared completion stages. Not part of the public API. */
public final class Stages {
  private Stages() {}

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
  public static <G, R> CompletableFuture<R> afterGrant(
      CompletableFuture<G> grant, Function<? super G, ? extends CompletionStage<R>> start, Consumer<? super G> giveBack) {
    CompletableFuture<R> out = new CompletableFuture<>();
    grant.whenComplete(
        (granted, failure) -> {
          if (failure != null) {
            out.completeExceptionally(unwrap(failure));
            return;
          }
          if (out.isDone()) {
            giveBack.accept(granted);
            return;
          }
          CompletionStage<R> stage;
          try {
            stage = Args.requireNonNull(start.apply(granted), "the call's stage");
          } catch (RuntimeException | Error e) {
            out.completeExceptionally(e);
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

  /**
   * {@code stage}'s outcome, after {@code action} has run on it (an action that throws on a result
   * fails the returned future; on a failure the failure wins), with a cancel of the returned future
   * passed on to {@code stage}. Unlike {@link CompletionStage#whenComplete}, whose action is
   * skipped once its dependent stage was cancelled, the action always runs when {@code stage}
   * ends: it may be what gives a permit back.
   */
  public static <R> CompletableFuture<R> observe(
      CompletionStage<R> stage, BiConsumer<? super R, ? super Throwable> action) {
    CompletableFuture<R> observed = new CompletableFuture<>();
    stage.whenComplete(
        (result, failure) -> {
          try {
            action.accept(result, failure);
          } catch (RuntimeException | Error e) {
            if (failure == null) {
              observed.completeExceptionally(e);
              return;
            }
          }
          if (failure == null) {
            observed.complete(result);
          } else {
            observed.completeExceptionally(failure);
          }
        });
    cancelInward(observed, stage);
    return observed;
  }

  /** The cause a {@link CompletionException} wraps, however deep. */
  public static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
