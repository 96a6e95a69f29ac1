package io.throttlenet.core.registry;

import io.throttlenet.core.internal.Args;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The options of one component or configuration, as read from properties, such as those under
 * {@code throttlenet.throttle.github.}: the key of each is what follows that prefix ({@code
 * rate}, {@code burst}). A {@link ConfigReader} asks for each option it knows; the binder then
 * fails on any key nobody asked for, so a typo ({@code brust}) is an error, never silently
 * ignored. Each typed getter turns a malformed value into a {@link ConfigurationException} naming
 * the full key.
 *
 * <p>Not thread-safe: one reader uses it once.
 */
public final class Options {
  private final String prefix;
  private final Map<String, String> values;
  private final Set<String> asked;

  Options(String prefix, Map<String, String> values) {
    this(prefix, new TreeMap<>(values), new TreeSet<>());
  }

  private Options(String prefix, Map<String, String> values, Set<String> asked) {
    this.prefix = prefix;
    this.values = values;
    this.asked = asked;
  }

  /** The prefix of every key, without the trailing dot, such as {@code throttlenet.throttle.github}. */
  public String prefix() {
    return prefix;
  }

  /** The raw text of {@code key}, if set. */
  public Optional<String> text(String key) {
    asked.add(Args.requireNonNull(key, "key"));
    return Optional.ofNullable(values.get(key));
  }

  /** A duration such as {@code 100ms} ({@link Values#duration}). */
  public Optional<Duration> duration(String key) {
    return parse(key, Values::duration);
  }

  /** A rate such as {@code 5000/1h} ({@link Values#rate}). */
  public Optional<Rate> rate(String key) {
    return parse(key, Values::rate);
  }

  /** A fraction written as {@code 50%} or {@code 0.5} ({@link Values#percent}). */
  public Optional<Double> percent(String key) {
    return parse(key, Values::percent);
  }

  /** A {@code long} count such as {@code 100k} ({@link Values#count}). */
  public Optional<Long> count(String key) {
    return parse(key, Values::count);
  }

  /** An {@code int} count ({@link Values#integer}). */
  public Optional<Integer> integer(String key) {
    return parse(key, Values::integer);
  }

  /** A decimal number such as {@code 1.5} ({@link Values#decimal}). */
  public Optional<Double> decimal(String key) {
    return parse(key, Values::decimal);
  }

  /** Class names, separated by commas, of subtypes of {@code bound} ({@link Values#classes}). */
  public <T> Optional<List<Class<? extends T>>> classes(String key, Class<T> bound) {
    return parse(key, text -> Values.classes(text, bound));
  }

  /** {@code true} or {@code false} ({@link Values#bool}). */
  public Optional<Boolean> bool(String key) {
    return parse(key, Values::bool);
  }

  /** A constant of {@code type} by name ({@link Values#constant}). */
  public <T extends Enum<T>> Optional<T> constant(String key, Class<T> type) {
    return parse(key, text -> Values.constant(type, text));
  }

  /**
   * The names of the groups under {@code group}: for keys {@code dimensions.requests.rate} and
   * {@code dimensions.tokens.rate}, {@code groups("dimensions")} is {@code [requests, tokens]}.
   */
  public Set<String> groups(String group) {
    String start = Args.requireNonNull(group, "group") + ".";
    Set<String> names = new TreeSet<>();
    for (String key : values.keySet()) {
      int dot = key.indexOf('.', start.length());
      if (key.startsWith(start) && dot > start.length()) {
        names.add(key.substring(start.length(), dot));
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /**
   * The options under {@code group.name.}, read as one component's; what is asked of them counts
   * as asked here.
   */
  public Options group(String group, String name) {
    String start = group + "." + name + ".";
    Map<String, String> inner = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(start)) {
        inner.put(k.substring(start.length()), v);
      }
    });
    Set<String> tracking = new ForwardingSet(asked, start);
    return new Options(prefix + "." + group + "." + name, inner, tracking);
  }

  /** The keys that were set but never asked for, in order. */
  Set<String> unread() {
    Set<String> unread = new TreeSet<>(values.keySet());
    unread.removeAll(asked);
    return unread;
  }

  /** The keys asked for, in order: what the reader knows. */
  Set<String> known() {
    return Collections.unmodifiableSet(asked);
  }

  private <T> Optional<T> parse(String key, Function<String, T> parser) {
    Optional<String> text = text(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.apply(text.get()));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(prefix + "." + key, e.getMessage(), e);
    }
  }

  /** Records a group's asked keys in its parent's set, under the group's prefix. */
  private static final class ForwardingSet extends java.util.AbstractSet<String> {
    private final Set<String> parent;
    private final String start;

    ForwardingSet(Set<String> parent, String start) {
      this.parent = parent;
      this.start = start;
    }

    @Override
    public boolean add(String key) {
      return parent.add(start + key);
    }

    @Override
    public java.util.Iterator<String> iterator() {
      return parent.stream()
          .filter(k -> k.startsWith(start))
          .map(k -> k.substring(start.length()))
          .iterator();
    }

    @Override
    public int size() {
      return (int) parent.stream().filter(k -> k.startsWith(start)).count();
    }
  }
}
