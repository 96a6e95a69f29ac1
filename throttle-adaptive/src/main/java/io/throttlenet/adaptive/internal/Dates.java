package io.throttlenet.adaptive.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Absolute times as rate-limit fields write them (HTTP-dates of RFC 9110, RFC 3339 instants) and
 * their conversion into a delay from the moment the response was received.
 *
 * <p>Parsing is by hand and bounded: a value longer than any valid form is rejected before it is
 * looked at, so no input costs more than a few dozen character reads. Every field is range-checked
 * before it reaches {@link LocalDate}, so nothing throws.
 */
final class Dates {
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };
  private static final String[] DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
  };
  /** Seconds at 9999-12-31T23:59:59Z, the last instant a four-digit year can name. */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private Dates() {}

  /**
   * Converts absolute times into delays relative to a response: {@code max(0, T - receivedAt)},
   * or, when the response carries a valid {@code Date} header, the larger of {@code T -
   * receivedAt} and {@code T - Date} (so a client clock running ahead of the server's cannot
   * shorten a wait).
   */
  static final class Clock {
    private final Instant receivedAt;
    private final long dateMillis;

    Clock(Map<String, List<String>> headers, Instant receivedAt) {
      this.receivedAt = receivedAt;
      long date = Values.NONE;
      for (String v : Fields.values(headers, "Date")) {
        date = v == null ? Values.NONE : httpDateMillis(v, receivedAt);
        if (date != Values.NONE) {
          break;
        }
      }
      this.dateMillis = date;
    }

    Instant receivedAt() {
      return receivedAt;
    }

    /** The delay until epoch millis {@code t}, in whole milliseconds rounded up, at least 0. */
    long millisUntil(long t) {
      long secondDiff = Math.floorDiv(t, 1000L) - receivedAt.getEpochSecond();
      long nanoDiff = Math.floorMod(t, 1000L) * 1_000_000L - receivedAt.getNano();
      long nanos =
          Values.saturatedAdd(
              Values.saturatedMultiply(secondDiff, Values.NANOS_PER_SECOND), nanoDiff);
      if (dateMillis != Values.NONE) {
        long byDate = Values.saturatedMultiply(Values.saturatedAdd(t, -dateMillis), 1_000_000L);
        nanos = Math.max(nanos, byDate);
      }
      return Values.ceilMillis(nanos);
    }
  }

  /**
   * An HTTP-date (IMF-fixdate, obsolete RFC 850 or asctime) in epoch millis, or NONE. The RFC 850
   * two-digit year is the year with those digits that is not more than 50 years after {@code
   * now}'s year (RFC 9110, 5.6.7).
   */
  static long httpDateMillis(String value, Instant now) {
    if (value.length() > 40) {
      return Values.NONE;
    }
    String[] t = Values.trim(value).split(" +", -1);
    long seconds;
    if (t.length == 6 && isDay(t[0], true, true) && "GMT".equals(t[5])) {
      seconds = civil(number(t[3], 4, 4), month(t[2]), number(t[1], 1, 2), t[4]);
    } else if (t.length == 4 && isDay(t[0], false, true) && "GMT".equals(t[3])) {
      String[] dmy = t[1].split("-", -1);
      if (dmy.length != 3 || dmy[2].length() != 2) {
        return Values.NONE;
      }
      int yy = number(dmy[2], 2, 2);
      int year = twoDigitYear(yy, yearOf(now));
      seconds = civil(yy < 0 ? -1 : year, month(dmy[1]), number(dmy[0], 1, 2), t[2]);
    } else if (t.length == 5 && isDay(t[0], true, false)) {
      seconds = civil(number(t[4], 4, 4), month(t[1]), number(t[2], 1, 2), t[3]);
    } else {
      return Values.NONE;
    }
    return seconds < 0 ? Values.NONE : seconds * 1000L;
  }

  /**
   * An RFC 3339 date-time ({@code 2024-05-01T12:00:00Z}, with optional fraction and a numeric
   * offset; {@code t}, {@code z} and a space in place of {@code T} accepted) in epoch millis,
   * rounded up, or NONE.
   */
  static long rfc3339Millis(String value) {
    String s = Values.trim(value);
    int n = s.length();
    if (n < 20 || n > 64 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || "Tt ".indexOf(s.charAt(10)) < 0) {
      return Values.NONE;
    }
    String time = s.substring(11, 19);
    long seconds =
        civil(number(s.substring(0, 4), 4, 4), number(s.substring(5, 7), 2, 2),
            number(s.substring(8, 10), 2, 2), time);
    int i = 19;
    long fractionNanos = 0;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && Values.isDigit(s.charAt(i))) {
        i++;
      }
      Values.Decimal f = Values.decimal(s, start - 1, i);
      if (f == null || i == start) {
        return Values.NONE;
      }
      fractionNanos = f.fractionNanos() + (f.inexact() ? 1 : 0);
    }
    long offset = offsetSeconds(s.substring(i));
    if (seconds < 0 || offset == Long.MIN_VALUE) {
      return Values.NONE;
    }
    return (seconds - offset) * 1000L + (fractionNanos + 999_999) / 1_000_000;
  }

  private static long offsetSeconds(String zone) {
    if (zone.equals("Z") || zone.equals("z")) {
      return 0;
    }
    if (zone.length() != 6 || zone.charAt(3) != ':' || "+-".indexOf(zone.charAt(0)) < 0) {
      return Long.MIN_VALUE;
    }
    int h = number(zone.substring(1, 3), 2, 2);
    int m = number(zone.substring(4, 6), 2, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59) {
      return Long.MIN_VALUE;
    }
    long s = h * 3600L + m * 60L;
    return zone.charAt(0) == '-' ? -s : s;
  }

  /** Epoch seconds of a calendar date and {@code HH:MM:SS}, or -1 if any field is invalid. */
  private static long civil(int year, int month, int day, String time) {
    if (time.length() != 8 || time.charAt(2) != ':' || time.charAt(5) != ':') {
      return -1;
    }
    int h = number(time.substring(0, 2), 2, 2);
    int mi = number(time.substring(3, 5), 2, 2);
    int s = number(time.substring(6, 8), 2, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || h < 0 || h > 23 || mi < 0 || mi > 59
        || s < 0 || s > 60) {
      return -1;
    }
    LocalDate first = LocalDate.of(year, month, 1);
    if (day > first.lengthOfMonth()) {
      return -1; // 31 Feb and friends
    }
    return (first.toEpochDay() + day - 1) * 86_400L + h * 3_600L + mi * 60L + s;
  }

  /** The decimal digits {@code s} as an int if it has between min and max of them, else -1. */
  private static int number(String s, int min, int max) {
    if (s.length() < min || s.length() > max) {
      return -1;
    }
    int r = 0;
    for (int i = 0; i < s.length(); i++) {
      if (!Values.isDigit(s.charAt(i))) {
        return -1;
      }
      r = r * 10 + s.charAt(i) - '0';
    }
    return r;
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

  /** Whether {@code s} is a day name: short (three letters) or long, with or without a comma. */
  private static boolean isDay(String s, boolean shortName, boolean comma) {
    if (comma != s.endsWith(",")) {
      return false;
    }
    String n = (comma ? s.substring(0, s.length() - 1) : s).toLowerCase(Locale.ROOT);
    for (String day : DAYS) {
      if (shortName ? day.substring(0, 3).equals(n) : day.equals(n)) {
        return true;
      }
    }
    return false;
  }

  private static int yearOf(Instant now) {
    long s = Math.max(0, Math.min(MAX_EPOCH_SECOND, now.getEpochSecond()));
    return LocalDate.ofEpochDay(s / 86_400L).getYear();
  }

  private static int twoDigitYear(int yy, int currentYear) {
    int year = currentYear - Math.floorMod(currentYear, 100) + yy;
    if (year > currentYear + 50) {
      year -= 100;
    }
    return year;
  }
}
