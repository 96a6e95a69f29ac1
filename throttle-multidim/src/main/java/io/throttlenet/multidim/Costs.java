package io.throttlenet.multidim;

import io.throttlenet.core.internal.Args;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The cost of one call in each named dimension, for example {@code Costs.of("requests", 1,
 * "input_tokens", 1500, "output_tokens", 200)}. A dimension the costs do not name is not charged.
 *
 * <p>Immutable and reusable: build it once for a call shape and pass it on every call. A {@link
 * MultiLimiter} caches how the names map onto its dimensions inside the costs, so reusing the same
 * instance allocates nothing per call. Thread-safe.
 */
public final class Costs {
  private final String[] names;
  private final long[] values;

  /** The last limiter layout these costs were resolved against; see {@link MultiLimiter}. */
  volatile Object binding;

  private Costs(String[] names, long[] values) {
    this.names = names;
    this.values = values;
  }

  /**
   * One dimension.
   *
   * @throws IllegalArgumentException if the cost is negative or the name empty
   * @throws NullPointerException if the name is null
   */
  public static Costs of(String dimension, long cost) {
    return builder().add(dimension, cost).build();
  }

  /** Two dimensions; see {@link #of(String, long)}. Names must differ. */
  public static Costs of(String d1, long c1, String d2, long c2) {
    return builder().add(d1, c1).add(d2, c2).build();
  }

  /** Three dimensions; see {@link #of(String, long)}. Names must differ. */
  public static Costs of(String d1, long c1, String d2, long c2, String d3, long c3) {
    return builder().add(d1, c1).add(d2, c2).add(d3, c3).build();
  }

  /** Any number of dimensions, from a map of name to cost; see {@link #of(String, long)}. */
  public static Costs of(Map<String, Long> costs) {
    Args.requireNonNull(costs, "costs");
    Builder b = builder();
    costs.forEach((name, cost) -> b.add(name, Args.requireNonNull(cost, "cost of " + name)));
    return b.build();
  }

  /** A builder, for costs computed dimension by dimension. */
  public static Builder builder() {
    return new Builder();
  }

  /** The cost for {@code dimension}; 0 if these costs do not name it. */
  public long get(String dimension) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(dimension)) {
        return values[i];
      }
    }
    return 0;
  }

  /** The costs as an unmodifiable map, in the order they were given. */
  public Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  int size() {
    return names.length;
  }

  String name(int i) {
    return names[i];
  }

  long value(int i) {
    return values[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Costs c && asMap().equals(c.asMap());
  }

  @Override
  public int hashCode() {
    return Objects.hash(asMap());
  }

  @Override
  public String toString() {
    return asMap().toString();
  }

  /** Builds {@link Costs}; each dimension may be named once. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Long> costs = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds the cost of one dimension.
     *
     * @throws IllegalArgumentException if the cost is negative, the name empty or already added
     * @throws NullPointerException if the name is null
     */
    public Builder add(String dimension, long cost) {
      Args.requireNonNull(dimension, "dimension");
      if (dimension.isEmpty()) {
        throw new IllegalArgumentException("dimension must not be empty");
      }
      if (cost < 0) {
        throw new IllegalArgumentException("cost of " + dimension + " must be >= 0, was " + cost);
      }
      if (costs.putIfAbsent(dimension, cost) != null) {
        throw new IllegalArgumentException("dimension " + dimension + " was already given a cost");
      }
      return this;
    }

    /** The costs; may be empty (a call that costs nothing anywhere). */
    public Costs build() {
      String[] names = costs.keySet().toArray(String[]::new);
      long[] values = costs.values().stream().mapToLong(Long::longValue).toArray();
      return new Costs(names, values);
    }
  }
}
