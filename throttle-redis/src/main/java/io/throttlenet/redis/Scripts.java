package io.throttlenet.redis;

/**
 * The argument vector of the limiters' script ({@code gcra.lua}): the operation, two scalars, then
 * seven values per key: interval, tolerance, the operation's value (a cost, or permits), and a
 * booking's handle (end and charge instants, each as second and nanoseconds since it).
 */
final class Scripts {
  static final int GROUP = 7;

  private Scripts() {}

  /**
   * @param handles per key, {endSec, endNs, atSec, atNs} (4 values per key), or null
   */
  static String[] args(
      String op, long scalar1, long scalar2, long[] intervals, long[] tolerances, long[] values, long[] handles) {
    int n = intervals.length;
    String[] a = new String[3 + GROUP * n];
    a[0] = op;
    a[1] = Long.toString(scalar1);
    a[2] = Long.toString(scalar2);
    for (int d = 0; d < n; d++) {
      int base = 3 + GROUP * d;
      a[base] = Long.toString(intervals[d]);
      a[base + 1] = Long.toString(tolerances[d]);
      a[base + 2] = Long.toString(values[d]);
      for (int i = 0; i < 4; i++) {
        a[base + 3 + i] = handles == null ? "0" : Long.toString(handles[4 * d + i]);
      }
    }
    return a;
  }
}
