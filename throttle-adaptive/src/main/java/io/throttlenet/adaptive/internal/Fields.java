package io.throttlenet.adaptive.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Looking header fields up, and the rule for a field sent several times (several lines, or one
 * line with comma-separated values): each value is read on its own, invalid ones are dropped, and
 * of the valid ones the most cautious wins: the smallest limit and remaining, the longest delay,
 * the latest reset.
 */
final class Fields {
  private Fields() {}

  /** The values of {@code name} (the map looks names up case-insensitively), never null. */
  static List<String> values(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null ? List.of() : v;
  }

  /** Whether {@code name} is present with at least one value. */
  static boolean has(Map<String, List<String>> headers, String name) {
    for (String v : values(headers, name)) {
      if (v != null) {
        return true;
      }
    }
    return false;
  }

  /** Every comma-separated piece of every value of {@code name}, trimmed, empty ones dropped. */
  static List<String> pieces(Map<String, List<String>> headers, String name) {
    List<String> out = new ArrayList<>();
    for (String v : values(headers, name)) {
      if (v == null) {
        continue;
      }
      int start = 0;
      for (int i = 0; i <= v.length(); i++) {
        if (i == v.length() || v.charAt(i) == ',') {
          String piece = Values.trim(v.substring(start, i));
          if (!piece.isEmpty()) {
            out.add(piece);
          }
          start = i + 1;
        }
      }
    }
    return out;
  }

  /** The smallest count among the pieces of {@code name}, or NONE. */
  static long minCount(Map<String, List<String>> headers, String name) {
    long min = Values.NONE;
    for (String p : pieces(headers, name)) {
      long c = Values.count(p);
      if (c != Values.NONE && (min == Values.NONE || c < min)) {
        min = c;
      }
    }
    return min;
  }

  /** The largest value {@code parse} gives a piece of {@code name} (NONE for invalid), or NONE. */
  static long max(Map<String, List<String>> headers, String name, ToLongFunction<String> parse) {
    long max = Values.NONE;
    for (String p : pieces(headers, name)) {
      max = Math.max(max, parse.applyAsLong(p));
    }
    return max;
  }
}
