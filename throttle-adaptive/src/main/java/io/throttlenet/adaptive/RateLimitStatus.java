package io.throttlenet.adaptive;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a server said about its rate limits in one response: how long to wait before retrying, and
 * for each budget it enforces (a <em>dimension</em>: requests, tokens, a named policy) the limit,
 * what remains and when it resets. Everything is optional: a server may send any subset, and an
 * unreadable value is simply absent. Produced by {@link RateLimitHeaders}; immutable and
 * thread-safe.
 *
 * <p>Durations are relative to {@link #receivedAt()}, the instant the response was received:
 * absolute forms (an HTTP date, epoch seconds, an RFC 3339 instant) are converted with it, and a
 * time already past becomes {@link Duration#ZERO}.
 */
public final class RateLimitStatus {

  private static final RateLimitStatus EMPTY_AT_EPOCH =
      new RateLimitStatus(Instant.EPOCH, Optional.empty(), List.of());

  private final Instant receivedAt;
  private final Optional<Duration> retryAfter;
  private final List<Dimension> dimensions;

  private RateLimitStatus(
      Instant receivedAt, Optional<Duration> retryAfter, List<Dimension> dimensions) {
    this.receivedAt = receivedAt;
    this.retryAfter = retryAfter;
    this.dimensions = dimensions;
  }

  /** A status that says nothing, received at {@code receivedAt}. */
  public static RateLimitStatus empty(Instant receivedAt) {
    Objects.requireNonNull(receivedAt, "receivedAt");
    return receivedAt.equals(Instant.EPOCH)
        ? EMPTY_AT_EPOCH
        : new RateLimitStatus(receivedAt, Optional.empty(), List.of());
  }

  /** A builder, for {@link HeaderFormat} implementations and tests. */
  public static Builder builder(Instant receivedAt) {
    return new Builder(receivedAt);
  }

  /** When the response was received; the origin of every duration in this status. */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** How long the server asked clients to wait before the next request, if it said. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** The budgets the server reported, in the order first seen; each name appears once. */
  public List<Dimension> dimensions() {
    return dimensions;
  }

  /** The dimension called {@code name}, if the server reported it. */
  public Optional<Dimension> dimension(String name) {
    Objects.requireNonNull(name, "name");
    for (Dimension d : dimensions) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** True if the server said nothing this status can express. */
  public boolean isEmpty() {
    return retryAfter.isEmpty() && dimensions.isEmpty();
  }

  /**
   * This status with the fields of {@code other} filled in where this one has none: this one's
   * retry hint and values win, dimensions are matched by name, and new dimensions are appended.
   */
  public RateLimitStatus orElse(RateLimitStatus other) {
    Objects.requireNonNull(other, "other");
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty() && receivedAt.equals(other.receivedAt)) {
      return other;
    }
    Builder b = builder(receivedAt);
    b.retryAfter = retryAfter.isPresent() ? retryAfter : other.retryAfter;
    for (Dimension d : dimensions) {
      b.dimensions.put(d.name(), d);
    }
    for (Dimension d : other.dimensions) {
      b.dimensions.merge(d.name(), d, Dimension::orElse);
    }
    return b.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimitStatus s
        && receivedAt.equals(s.receivedAt)
        && retryAfter.equals(s.retryAfter)
        && dimensions.equals(s.dimensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(receivedAt, retryAfter, dimensions);
  }

  @Override
  public String toString() {
    return "RateLimitStatus{retryAfter="
        + retryAfter.map(Duration::toString).orElse("none")
        + ", dimensions="
        + dimensions
        + ", receivedAt="
        + receivedAt
        + "}";
  }

  /**
   * One budget a server enforces, as it reported it.
   *
   * @param name the dimension's name (see {@link RateLimitHeaders} for the names each format uses)
   * @param limit the most the budget allows per window, if reported
   * @param remaining what is left in the current window, if reported (never negative)
   * @param resetAfter how long until the budget is replenished, if reported (never negative)
   * @param window the length of the window the limit applies to, if reported (the IETF {@code w}
   *     parameter, a provider's documented window)
   */
  public record Dimension(
      String name,
      OptionalLong limit,
      OptionalLong remaining,
      Optional<Duration> resetAfter,
      Optional<Duration> window) {

    public Dimension {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(limit, "limit");
      Objects.requireNonNull(remaining, "remaining");
      Objects.requireNonNull(resetAfter, "resetAfter");
      Objects.requireNonNull(window, "window");
      if (remaining.isPresent() && remaining.getAsLong() < 0) {
        remaining = OptionalLong.of(0);
      }
      if (resetAfter.isPresent() && resetAfter.get().isNegative()) {
        resetAfter = Optional.of(Duration.ZERO);
      }
    }

    /** A dimension without a window. */
    public Dimension(
        String name, OptionalLong limit, OptionalLong remaining, Optional<Duration> resetAfter) {
      this(name, limit, remaining, resetAfter, Optional.empty());
    }

    /** True if nothing but the name is known. */
    public boolean isEmpty() {
      return limit.isEmpty() && remaining.isEmpty() && resetAfter.isEmpty() && window.isEmpty();
    }

    /** This dimension, with {@code other}'s values where this one has none. */
    public Dimension orElse(Dimension other) {
      return new Dimension(
          name,
          limit.isPresent() ? limit : other.limit,
          remaining.isPresent() ? remaining : other.remaining,
          resetAfter.isPresent() ? resetAfter : other.resetAfter,
          window.isPresent() ? window : other.window);
    }
  }

  /**
   * Collects a status field by field. A value set twice keeps the first: formats are tried in
   * order of precedence. Not thread-safe.
   */
  public static final class Builder {
    private final Instant receivedAt;
    private Optional<Duration> retryAfter = Optional.empty();
    private final Map<String, Dimension> dimensions = new LinkedHashMap<>();

    private Builder(Instant receivedAt) {
      this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** The instant every duration is relative to. */
    public Instant receivedAt() {
      return receivedAt;
    }

    /** Sets the retry hint unless one is set; a negative one counts as zero. */
    public Builder retryAfter(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (retryAfter.isEmpty()) {
        retryAfter = Optional.of(delay.isNegative() ? Duration.ZERO : delay);
      }
      return this;
    }

    /** Sets {@code name}'s limit unless set. */
    public Builder limit(String name, long limit) {
      return merge(name, OptionalLong.of(limit), OptionalLong.empty(), null, null);
    }

    /** Sets {@code name}'s remaining budget unless set; a negative one counts as zero. */
    public Builder remaining(String name, long remaining) {
      return merge(name, OptionalLong.empty(), OptionalLong.of(remaining), null, null);
    }

    /** Sets how long until {@code name} resets, unless set; a negative one counts as zero. */
    public Builder resetAfter(String name, Duration resetAfter) {
      Objects.requireNonNull(resetAfter, "resetAfter");
      return merge(name, OptionalLong.empty(), OptionalLong.empty(), resetAfter, null);
    }

    /** Sets {@code name}'s window unless set. */
    public Builder window(String name, Duration window) {
      Objects.requireNonNull(window, "window");
      return merge(name, OptionalLong.empty(), OptionalLong.empty(), null, window);
    }

    /** Merges a whole dimension (values already set win). */
    public Builder dimension(Dimension dimension) {
      Objects.requireNonNull(dimension, "dimension");
      dimensions.merge(dimension.name(), dimension, Dimension::orElse);
      return this;
    }

    private Builder merge(
        String name, OptionalLong limit, OptionalLong remaining, Duration reset, Duration window) {
      Objects.requireNonNull(name, "name");
      return dimension(
          new Dimension(
              name, limit, remaining, Optional.ofNullable(reset), Optional.ofNullable(window)));
    }

    /** The status collected so far. */
    public RateLimitStatus build() {
      if (retryAfter.isEmpty() && dimensions.isEmpty()) {
        return empty(receivedAt);
      }
      List<Dimension> list = new ArrayList<>(dimensions.size());
      for (Dimension d : dimensions.values()) {
        if (!d.isEmpty()) {
          list.add(d);
        }
      }
      return new RateLimitStatus(receivedAt, retryAfter, List.copyOf(list));
    }
  }
}
