package io.throttlenet.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Shared completion stages. Not part of the public API. */
public final class Stages {
  private Stages() {}

  /**
   * A completed stage that can be shared: a minimal stage cannot be completed, obtruded or
   * cancelled by its holders ({@code toCompletableFuture()} returns a fresh copy).
   */
  public static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);
}
