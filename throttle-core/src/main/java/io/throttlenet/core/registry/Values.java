package io.throttlenet.core.registry;

import io.throttlenet.core.internal.Args;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes the human forms of values in configuration: durations ({@code 100ms}, {@code
 * 2s}, {@code 1m}, {@code 1.5h}, ISO-8601 {@code PT2S}), rates ({@code 5000/1h}, {@code 100/s}),
 * percentages ({@code 50%} or the fraction {@code 0.5}) and counts or sizes ({@code 100k}, {@code
 * 2M}). Each {@code formatX} writes the shortest exact form, and {@code X(formatX(v))} gives
 * {@code v} back for every value.
 *
 * <p>Parsing checks only the form, never the range: a negative duration or a zero rate parses,
 * so the builder it is handed to rejects it with its own message naming the option. A value that
 * is not of the form fails with an {@link IllegalArgumentException} that says the expected form
 * and quotes the text. Arithmetic is exact (decimal), so {@code 1.5s} is exactly 1500 ms and
 * {@code 0.1ms} exactly 100 µs; a value finer than a nanosecond is an error, not rounded.
 *
 * <p>Stateless and thread-safe.
 */
public final class Values {
  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);
  private static final String DURATION_FORM =
      "a number and a unit (ns, us, ms, s, m, h, d) such as 100ms, 2s or 1.5h, or ISO-8601 such as PT2S";
  private static final String RATE_FORM = "a count per duration such as 5000/1h, 100/s or 60/1m";
  private static final String PERCENT_FORM = "a percentage such as 50% or a fraction such as 0.5";
  private static final String COUNT_FORM = "a whole number, optionally with k, M, G or T (100k = 100000)";

  // Largest first: formatting picks the largest unit that divides exactly.
  private static final String[] TIME_UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
  private static final long[] TIME_FACTORS = {
    86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L
  };
  private static final String[] COUNT_SUFFIXES = {"T", "G", "M", "k", ""};
  private static final long[] COUNT_FACTORS = {
    1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L
  };

  private Values() {}

  /**
   * Reads a duration: a decimal number and a unit ({@code ns}, {@code us} or {@code µs}, {@code
   * ms}, {@code s}, {@code m}, {@code h}, {@code d}), or ISO-8601 ({@code PT2S}).
   *
   * @throws IllegalArgumentException if the text is not of that form, is finer than a nanosecond
   *     or beyond {@link Duration}'s range
   * @throws NullPointerException if {@code text} is null
   */
  public static Duration duration(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    if (t.startsWith("P") || t.startsWith("-P") || t.startsWith("p") || t.startsWith("-p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw invalid("duration", DURATION_FORM, text);
      }
    }
    int end = numberEnd(t);
    String unit = t.substring(end).trim();
    long factor = timeFactor(unit);
    BigDecimal number = number(t.substring(0, end), "duration", DURATION_FORM, text);
    if (factor == 0) {
      throw invalid("duration", DURATION_FORM, text);
    }
    BigInteger nanos = whole(number.multiply(BigDecimal.valueOf(factor)), "duration", "finer than a nanosecond", text);
    BigInteger[] secondsAndNanos = nanos.divideAndRemainder(BILLION);
    try {
      return Duration.ofSeconds(
          secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "duration must be within Duration's range (about 292 billion years), was '" + text + "'");
    }
  }

  /** The shortest exact form of {@code d} in the largest unit that divides it, such as {@code 90s}. */
  public static String formatDuration(Duration d) {
    Args.requireNonNull(d, "d");
    BigInteger nanos =
        BigInteger.valueOf(d.getSeconds()).multiply(BILLION).add(BigInteger.valueOf(d.getNano()));
    if (nanos.signum() == 0) {
      return "0s";
    }
    for (int i = 0; i < TIME_UNITS.length; i++) {
      BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(TIME_FACTORS[i]));
      if (qr[1].signum() == 0) {
        return qr[0] + TIME_UNITS[i];
      }
    }
    throw new AssertionError("every duration is a whole number of nanoseconds");
  }

  /**
   * Reads a rate: a count ({@link #count}), a slash and a duration ({@link #duration}); the
   * duration's number may be left out for one unit ({@code 100/s} is {@code 100/1s}).
   *
   * @throws IllegalArgumentException if the text is not of that form
   * @throws NullPointerException if {@code text} is null
   */
  public static Rate rate(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    int slash = t.indexOf('/');
    if (slash < 0) {
      throw invalid("rate", RATE_FORM, text);
    }
    String period = t.substring(slash + 1).trim();
    if (!period.isEmpty() && Character.isLetter(period.charAt(0)) && period.charAt(0) != 'P') {
      period = "1" + period;
    }
    try {
      return new Rate(count(t.substring(0, slash)), duration(period));
    } catch (IllegalArgumentException e) {
      throw invalid("rate", RATE_FORM, text);
    }
  }

  /** The form {@link #rate} reads: {@code permits/period}, such as {@code 5000/1h}. */
  public static String formatRate(Rate rate) {
    Args.requireNonNull(rate, "rate");
    return formatCount(rate.permits()) + "/" + formatDuration(Args.requireNonNull(rate.period(), "period"));
  }

  /**
   * Reads a fraction: a percentage ({@code 50%} is 0.5) or a plain decimal ({@code 0.5}).
   *
   * @throws IllegalArgumentException if the text is neither
   * @throws NullPointerException if {@code text} is null
   */
  public static double percent(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    boolean percent = t.endsWith("%");
    String digits = percent ? t.substring(0, t.length() - 1).trim() : t;
    if (digits.isEmpty() || numberEnd(digits) != digits.length()) {
      throw invalid("percentage", PERCENT_FORM, text);
    }
    BigDecimal number = number(digits, "percentage", PERCENT_FORM, text);
    return (percent ? number.movePointLeft(2) : number).doubleValue();
  }

  /**
   * The percentage form of a fraction, exact: {@code 0.125} is {@code 12.5%}.
   *
   * @throws IllegalArgumentException if {@code fraction} is NaN or infinite
   */
  public static String formatPercent(double fraction) {
    if (Double.isNaN(fraction) || Double.isInfinite(fraction)) {
      throw new IllegalArgumentException("fraction must be finite, was " + fraction);
    }
    // Double.toString is the shortest decimal that reads back as the same double; moving its
    // point is exact, so percent(formatPercent(x)) == x.
    BigDecimal percent = new BigDecimal(Double.toString(fraction)).movePointRight(2);
    return percent.stripTrailingZeros().toPlainString() + "%";
  }

  /**
   * Reads a count or size: a whole number, optionally decimal with a suffix {@code k} (or {@code
   * K}, thousand), {@code M} (million), {@code G} (billion) or {@code T} (trillion), as long as the
   * result is whole: {@code 1.5k} is 1500.
   *
   * @throws IllegalArgumentException if the text is not of that form, not whole or beyond {@code
   *     long}
   * @throws NullPointerException if {@code text} is null
   */
  public static long count(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    int end = numberEnd(t);
    String suffix = t.substring(end).trim();
    long factor = countFactor(suffix);
    BigDecimal number = number(t.substring(0, end), "count", COUNT_FORM, text);
    if (factor == 0) {
      throw invalid("count", COUNT_FORM, text);
    }
    BigInteger value = whole(number.multiply(BigDecimal.valueOf(factor)), "count", "a fraction", text);
    if (value.bitLength() > 63) {
      throw new IllegalArgumentException("count must fit a long, was '" + text + "'");
    }
    return value.longValue();
  }

  /** The shortest exact form {@link #count} reads, such as {@code 100k} for 100000. */
  public static String formatCount(long count) {
    for (int i = 0; i < COUNT_FACTORS.length; i++) {
      if (count != 0 && count % COUNT_FACTORS[i] == 0) {
        return count / COUNT_FACTORS[i] + COUNT_SUFFIXES[i];
      }
    }
    return "0";
  }

  /**
   * Reads an {@code int} count ({@link #count}).
   *
   * @throws IllegalArgumentException if not a count or beyond {@code int}
   */
  public static int integer(String text) {
    long value = count(text);
    if (value != (int) value) {
      throw new IllegalArgumentException("count must fit an int, was '" + text + "'");
    }
    return (int) value;
  }

  /**
   * Reads a decimal number such as {@code 2} or {@code 1.5} (no exponent, no NaN).
   *
   * @throws IllegalArgumentException otherwise
   * @throws NullPointerException if {@code text} is null
   */
  public static double decimal(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    if (t.isEmpty() || numberEnd(t) != t.length()) {
      throw invalid("number", "a decimal number such as 2 or 1.5", text);
    }
    return number(t, "number", "a decimal number such as 2 or 1.5", text).doubleValue();
  }

  /**
   * Loads the classes named in {@code text}, separated by commas, each a subtype of {@code bound}
   * ({@code java.io.IOException, java.util.concurrent.TimeoutException}), through the thread's
   * context class loader (else this class's).
   *
   * @throws IllegalArgumentException if a class is not found or not a subtype of {@code bound}
   * @throws NullPointerException if an argument is null
   */
  public static <T> List<Class<? extends T>> classes(String text, Class<T> bound) {
    Args.requireNonNull(bound, "bound");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<Class<? extends T>> classes = new ArrayList<>();
    for (String part : Args.requireNonNull(text, "text").split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      Class<?> c;
      try {
        c = Class.forName(name, false, loader != null ? loader : Values.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("class must be on the class path, was '" + name + "'");
      }
      if (!bound.isAssignableFrom(c)) {
        throw new IllegalArgumentException(
            "class must be a " + bound.getName() + ", was '" + name + "'");
      }
      classes.add(c.asSubclass(bound));
    }
    return List.copyOf(classes);
  }

  /**
   * Reads {@code true} or {@code false} (any case); nothing else, so a typo is not read as false.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static boolean bool(String text) {
    String t = Args.requireNonNull(text, "text").trim();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    if (t.equalsIgnoreCase("false")) {
      return false;
    }
    throw invalid("boolean", "true or false", text);
  }

  /**
   * Reads a constant of {@code type} by name, in any case and with {@code -} for {@code _}
   * ({@code decorrelated}, {@code drop-oldest}).
   *
   * @throws IllegalArgumentException if no constant has that name (the message lists them)
   */
  public static <T extends Enum<T>> T constant(Class<T> type, String text) {
    String t = Args.requireNonNull(text, "text").trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (T c : type.getEnumConstants()) {
      if (c.name().equals(t)) {
        return c;
      }
    }
    StringBuilder known = new StringBuilder();
    for (T c : type.getEnumConstants()) {
      known.append(known.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw invalid(type.getSimpleName(), "one of " + known, text);
  }

  /** Where a leading signed decimal number ends. */
  private static int numberEnd(String t) {
    int i = 0;
    if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
      i++;
    }
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
      i++;
    }
    return i;
  }

  private static BigDecimal number(String digits, String what, String form, String text) {
    try {
      return new BigDecimal(digits.trim());
    } catch (NumberFormatException e) {
      throw invalid(what, form, text);
    }
  }

  private static BigInteger whole(BigDecimal value, String what, String problem, String text) {
    try {
      return value.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(what + " must not be " + problem + ", was '" + text + "'");
    }
  }

  private static long timeFactor(String unit) {
    String u = unit.equals("µs") ? "us" : unit;
    for (int i = 0; i < TIME_UNITS.length; i++) {
      if (TIME_UNITS[i].equals(u)) {
        return TIME_FACTORS[i];
      }
    }
    return 0;
  }

  private static long countFactor(String suffix) {
    String s = suffix.equals("K") ? "k" : suffix;
    for (int i = 0; i < COUNT_SUFFIXES.length; i++) {
      if (COUNT_SUFFIXES[i].equals(s)) {
        return COUNT_FACTORS[i];
      }
    }
    return 0;
  }

  private static IllegalArgumentException invalid(String what, String form, String text) {
    return new IllegalArgumentException(what + " must be " + form + ", was '" + text + "'");
  }
}
