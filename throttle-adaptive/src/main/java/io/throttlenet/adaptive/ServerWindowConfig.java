package io.throttlenet.adaptive;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of a {@link ServerWindow}, as a value: what a {@link ServerWindowRegistry} keeps
 * under a configuration name, what {@link ServerWindow#config()} reads back, and what {@link
 * ServerWindow.Builder#from} starts a builder from. The dimensions are {@link Quota.Limit}s in
 * order (a {@link Quota}'s {@link Quota#limits()} fit as they are); an empty {@code maxBypass}
 * takes the builder's default, the shortest window.
 *
 * <p>A plain value that checks for null and repeated dimensions; a window built from it is checked
 * by the builder, with the builder's messages. Immutable and thread-safe.
 *
 * @param dimensions each dimension's limit per window, in order
 * @param maxBypass how long the oldest waiter may be passed by smaller calls
 */
public record ServerWindowConfig(List<Quota.Limit> dimensions, Optional<Duration> maxBypass) {

  /** No dimension and no option: the default configuration of a {@link ServerWindowRegistry}. */
  public static final ServerWindowConfig NONE = new ServerWindowConfig(List.of(), Optional.empty());

  /**
   * @throws IllegalArgumentException if a dimension is given twice
   * @throws NullPointerException if an argument or a dimension is null
   */
  public ServerWindowConfig {
    dimensions = Args.copyOfNonNull(dimensions, "dimensions");
    Args.requireNonNull(maxBypass, "maxBypass");
    Set<String> seen = new TreeSet<>();
    for (Quota.Limit l : dimensions) {
      if (!seen.add(l.dimension())) {
        throw new IllegalArgumentException("dimension " + l.dimension() + " is given twice");
      }
    }
  }
}
