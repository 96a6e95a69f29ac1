package io.throttlenet.retry;

import io.throttlenet.core.internal.Args;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses an HTTP {@code Retry-After} value (RFC 9110, section 10.2.3) into a wait.
 *
 * <p>Accepted: delta-seconds ({@code "120"}, with surrounding whitespace, and the decimal
 * seconds some providers send, {@code "1.5"}), and the three HTTP-date forms: IMF-fixdate ({@code
 * "Sun, 06 Nov 1994 08:49:37 GMT"}), the obsolete RFC 850 form ({@code "Sunday, 06-Nov-94
 * 08:49:37 GMT"}, whose two-digit year is taken as the most recent year with those digits that is
 * not more than 50 years ahead) and asctime ({@code "Sun Nov  6 08:49:37 1994"}). Month and day
 * names are case-insensitive. A date is relative to {@code now}; one in the past gives zero.
 *
 * <p>Anything else gives "no hint", never an exception: empty or blank values, garbage, negative
 * numbers, impossible dates ({@code 31 Feb}), out-of-range fields, years of five digits. Values
 * too large for a {@link Duration} saturate at the largest one. Thread-safe (stateless).
 */
public final class RetryAfter {
  /** The largest wait this parser returns. */
  public static final Duration MAX = Duration.ofSeconds(Long.MAX_VALUE);

  private static final Pattern SECONDS = Pattern.compile("(\\d+)(?:\\.(\\d+))?");
  private static final String DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
  private static final String LONG_DAY = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
  private static final String MONTH = "([A-Za-z]{3})";
  private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
  private static final Pattern IMF =
      Pattern.compile(DAY + ", (\\d{2}) " + MONTH + " (\\d{4}) " + TIME + " GMT", Pattern.CASE_INSENSITIVE);
  private static final Pattern RFC850 =
      Pattern.compile(LONG_DAY + ", (\\d{2})-" + MONTH + "-(\\d{2}) " + TIME + " GMT", Pattern.CASE_INSENSITIVE);
  private static final Pattern ASCTIME =
      Pattern.compile(DAY + " " + MONTH + " ( \\d|\\d{2}) " + TIME + " (\\d{4})", Pattern.CASE_INSENSITIVE);
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };

  private RetryAfter() {}

  /**
   * The wait a {@code Retry-After} value asks for, relative to {@code now}.
   *
   * @param value the header value; null gives no hint
   * @param now the current wall-clock time (inject it; tests use a fixed instant)
   * @return the wait, zero for a date already past, or empty if the value is not valid
   * @throws NullPointerException if {@code now} is null
   */
  public static Optional<Duration> parse(String value, Instant now) {
    Args.requireNonNull(now, "now");
    if (value == null) {
      return Optional.empty();
    }
    String v = value.strip();
    Matcher m = SECONDS.matcher(v);
    if (m.matches()) {
      // Leading zeros carry no value ("0000000000000000000001" is one second), so they must not
      // count towards the length that stands for "more seconds than a long holds".
      String whole = stripLeadingZeros(m.group(1));
      if (whole.length() > 19) {
        return Optional.of(MAX); // more seconds than a long holds: no need to parse them
      }
      return Optional.of(seconds(whole, m.group(2)));
    }
    Long epochSecond;
    try {
      epochSecond = httpDate(v, now);
    } catch (java.time.DateTimeException outOfRange) {
      return Optional.empty(); // a `now` beyond the calendar's range: no date can be placed
    }
    if (epochSecond == null) {
      return Optional.empty();
    }
    long delta = epochSecond - now.getEpochSecond();
    if (delta <= 0) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.of(Duration.ofSeconds(delta).minusNanos(now.getNano()));
  }

  /** {@code digits} without its leading zeros, keeping one digit ("000" gives "0"). */
  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  private static Duration seconds(String whole, String fraction) {
    BigDecimal s = new BigDecimal(fraction == null ? whole : whole + "." + fraction);
    if (s.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) {
      return MAX;
    }
    long secs = s.longValue();
    long nanos = s.subtract(BigDecimal.valueOf(secs)).movePointRight(9).longValue();
    return Duration.ofSeconds(secs, nanos);
  }

  /** Epoch seconds of an HTTP-date, or null if {@code v} is not a valid one. */
  private static Long httpDate(String v, Instant now) {
    Matcher m = IMF.matcher(v);
    if (m.matches()) {
      return civil(Integer.parseInt(m.group(4)), m.group(3), m.group(2), m.group(5), m.group(6), m.group(7));
    }
    m = RFC850.matcher(v);
    if (m.matches()) {
      int yy = Integer.parseInt(m.group(4));
      int currentYear = now.atOffset(ZoneOffset.UTC).getYear();
      // The year with these last two digits that is at most 50 years ahead (RFC 9110, 5.6.7).
      int year = currentYear - Math.floorMod(currentYear, 100) + yy;
      if (year > currentYear + 50) {
        year -= 100;
      } else if (year <= currentYear - 50) {
        year += 100;
      }
      return civil(year, m.group(3), m.group(2), m.group(5), m.group(6), m.group(7));
    }
    m = ASCTIME.matcher(v);
    if (m.matches()) {
      return civil(Integer.parseInt(m.group(7)), m.group(2), m.group(3).strip(), m.group(4), m.group(5), m.group(6));
    }
    return null;
  }

  private static Long civil(int year, String monthName, String day, String hour, String minute, String second) {
    int month = month(monthName);
    int d = Integer.parseInt(day);
    int h = Integer.parseInt(hour);
    int mi = Integer.parseInt(minute);
    int s = Integer.parseInt(second);
    if (month < 0 || year < 0 || year > 9999 || h > 23 || mi > 59 || s > 60 || d < 1) {
      return null;
    }
    LocalDate first = LocalDate.of(year, month, 1);
    if (d > first.lengthOfMonth()) {
      return null; // 31 Feb and friends
    }
    return (first.toEpochDay() + d - 1) * 86_400L + h * 3_600L + mi * 60L + s;
  }

  private static int month(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < MONTHS.length; i++) {
      if (MONTHS[i].equals(n)) {
        return i + 1;
      }
    }
    return -1;
  }
}
