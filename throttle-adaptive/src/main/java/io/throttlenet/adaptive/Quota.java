package io.throttlenet.adaptive;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.MultiLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A published quota: a limit per window in each named dimension, such as {@code requests 500/1m,
 * tokens 30000/1m}, from which a {@link ServerWindow} or a {@link MultiLimiter} of token buckets is
 * built. Presets for common provider tiers ship as data ({@link #preset}, {@link #presets()}):
 * examples to start from, since providers change them and an account's own limits are what count.
 *
 * <pre>{@code
 * ServerWindow api = Quota.preset("openai.tier-1.gpt-4o").serverWindow().build();
 * ServerWindow mine = Quota.parse("requests 50/1m, tokens 5000/1m").share(4).serverWindow().build();
 * }</pre>
 *
 * <p>Dimension names in the presets are the ones {@link RateLimitHeaders} gives the provider's
 * headers, so a {@link HeaderSync} follows them without mapping. Immutable and thread-safe.
 */
public final class Quota {
  private static final Pattern LIMIT =
      Pattern.compile("\\s*([A-Za-z0-9_.-]+)\\s+(\\d{1,18})\\s*/\\s*(\\d{0,9})\\s*(ms|s|m|h|d)\\s*");
  private static final String PRESETS = "quota-presets.properties";

  /** One dimension's limit: at most {@code limit} per {@code window}. */
  public record Limit(String dimension, long limit, Duration window) {
    /**
     * @throws IllegalArgumentException if the dimension is empty, the limit or window not positive
     */
    public Limit {
      Args.requireNonNull(dimension, "dimension");
      if (dimension.isEmpty()) {
        throw new IllegalArgumentException("dimension must not be empty");
      }
      Args.requirePositive(limit, "limit of " + dimension);
      Args.requirePositiveNanos(window, "window of " + dimension);
    }
  }

  private final List<Limit> limits;

  private Quota(List<Limit> limits) {
    this.limits = List.copyOf(limits);
  }

  /**
   * A quota of the given limits.
   *
   * @throws IllegalArgumentException if there are none or a dimension repeats
   */
  public static Quota of(Limit... limits) {
    List<Limit> list = Args.listOfNonNull(limits, "limits");
    if (list.isEmpty()) {
      throw new IllegalArgumentException("a quota needs at least one limit");
    }
    Set<String> seen = new TreeSet<>();
    for (Limit l : list) {
      if (!seen.add(l.dimension())) {
        throw new IllegalArgumentException("dimension " + l.dimension() + " is given twice");
      }
    }
    return new Quota(list);
  }

  /**
   * Parses {@code "requests 500/1m, tokens 30000/1m"}: comma-separated limits, each a dimension
   * name, a limit, a slash and a window (a count, default 1, and a unit among {@code ms}, {@code
   * s}, {@code m}, {@code h}, {@code d}).
   *
   * @throws IllegalArgumentException naming the part that does not parse
   */
  public static Quota parse(String spec) {
    Args.requireNonNull(spec, "spec");
    List<Limit> limits = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      Matcher m = LIMIT.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "spec must be like \"requests 500/1m, tokens 30000/1m\"; cannot read \"" + part.strip()
                + "\" in \"" + spec + "\"");
      }
      long count = m.group(3).isEmpty() ? 1 : Long.parseLong(m.group(3));
      Duration unit =
          switch (m.group(4)) {
            case "ms" -> Duration.ofMillis(1);
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
          };
      limits.add(new Limit(m.group(1), Long.parseLong(m.group(2)), unit.multipliedBy(count)));
    }
    return of(limits.toArray(Limit[]::new));
  }

  /**
   * The preset named {@code name}, one of {@link #presets()}.
   *
   * @throws IllegalArgumentException if there is no such preset
   */
  public static Quota preset(String name) {
    Args.requireNonNull(name, "name");
    String spec = Presets.ALL.get(name);
    if (spec == null) {
      throw new IllegalArgumentException(
          "name must be one of " + Presets.ALL.keySet() + ", was " + name);
    }
    return parse(spec);
  }

  /** The names of the presets, such as {@code "openai.tier-1.gpt-4o"}, in order. */
  public static Set<String> presets() {
    return Presets.ALL.keySet();
  }

  /** The limits, in order. */
  public List<Limit> limits() {
    return limits;
  }

  /**
   * This quota divided among {@code instances} sharing it (limits rounded down, at least 1): what
   * each configures, with {@link HeaderSync.Builder#fleetSize} set to the same number.
   *
   * @throws IllegalArgumentException if less than 1
   */
  public Quota share(int instances) {
    Args.requireAtLeastOne(instances, "instances");
    List<Limit> shared = new ArrayList<>();
    for (Limit l : limits) {
      shared.add(new Limit(l.dimension(), Math.max(1, l.limit() / instances), l.window()));
    }
    return new Quota(shared);
  }

  /** A {@link ServerWindow} builder with one dimension per limit; add a name, ticker and so on. */
  public ServerWindow.Builder serverWindow() {
    ServerWindow.Builder b = ServerWindow.builder();
    for (Limit l : limits) {
      b.dimension(l.dimension(), l.limit(), l.window());
    }
    return b;
  }

  /**
   * A {@link MultiLimiter} builder with a token bucket per limit ({@link Throttle#perDuration}: the
   * limit as burst, refilled over the window).
   */
  public MultiLimiter.Builder multiLimiter() {
    MultiLimiter.Builder b = MultiLimiter.builder();
    for (Limit l : limits) {
      b.dimension(l.dimension(), Throttle.perDuration(l.limit(), l.window()));
    }
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quota q && q.limits.equals(limits);
  }

  @Override
  public int hashCode() {
    return limits.hashCode();
  }

  /**
   * The quota in the form {@link #parse} reads, for example {@code "requests 500/1m, tokens
   * 30000/1m"} (a window that is no whole number of milliseconds is written as an ISO duration).
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Limit l : limits) {
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append(l.dimension()).append(' ').append(l.limit()).append('/').append(window(l.window()));
    }
    return s.toString();
  }

  private static String window(Duration w) {
    long[] sizes = {86_400_000, 3_600_000, 60_000, 1_000, 1};
    String[] units = {"d", "h", "m", "s", "ms"};
    if (w.toNanosPart() % 1_000_000 == 0) {
      long ms = w.toMillis();
      for (int i = 0; i < sizes.length; i++) {
        if (ms % sizes[i] == 0 && ms / sizes[i] <= 999_999_999L) {
          return ms / sizes[i] + units[i];
        }
      }
    }
    return w.toString();
  }

  /** The presets, read once from the data file beside this class. */
  private static final class Presets {
    static final Map<String, String> ALL = load();

    private static Map<String, String> load() {
      Properties p = new Properties();
      try (InputStream in = Quota.class.getResourceAsStream(PRESETS)) {
        if (in == null) {
          throw new IllegalStateException(PRESETS + " is missing from throttle-adaptive");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, String> all = new LinkedHashMap<>();
      new TreeSet<>(p.stringPropertyNames()).forEach(n -> all.put(n, p.getProperty(n)));
      return Collections.unmodifiableMap(all);
    }
  }
}
