package io.throttlenet.bench;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.Arrays;

/**
 * The blocking pacing check: one caller acquires from a 1000/s throttle (burst 1) for 5 s on the
 * system ticker. Reports the achieved rate (target: within 1 % of 1000/s) and how late each wake-up
 * was against the instant it was booked for (target: p99 at most 1 ms). Exits non-zero if a target
 * is missed. Run: {@code java -cp throttle-bench/target/benchmarks.jar io.throttlenet.bench.PacingCheck}.
 */
public final class PacingCheck {
  private PacingCheck() {}

  public static void main(String[] args) throws InterruptedException {
    Throttle throttle = Throttle.builder().rate(1000, Duration.ofSeconds(1)).burst(1).build();
    Ticker ticker = Ticker.system();
    long duration = Duration.ofSeconds(5).toNanos();
    long[] lateness = new long[6000];
    int n = 0;
    long start = ticker.read();
    long end = start + duration;
    while (ticker.read() - end < 0 && n < lateness.length) {
      long now = ticker.read();
      long wait = throttle.reserve(1, now, Long.MAX_VALUE);
      long due = now + wait;
      ticker.sleepUntil(due);
      lateness[n++] = Math.max(0, ticker.read() - due);
    }
    double seconds = (ticker.read() - start) / 1e9;
    double rate = n / seconds;
    long[] sorted = Arrays.copyOf(lateness, n);
    Arrays.sort(sorted);
    long p50 = sorted[n / 2];
    long p99 = sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)];
    long max = sorted[n - 1];
    boolean rateOk = Math.abs(rate - 1000) <= 10;
    boolean latenessOk = p99 <= 1_000_000;
    System.out.printf(
        "permits %d in %.3f s: %.1f/s (target 1000/s ±1%%: %s)%n", n, seconds, rate, rateOk ? "ok" : "MISSED");
    System.out.printf(
        "wake-up lateness: p50 %.3f ms, p99 %.3f ms (target <= 1 ms: %s), max %.3f ms%n",
        p50 / 1e6, p99 / 1e6, latenessOk ? "ok" : "MISSED", max / 1e6);
    if (!rateOk || !latenessOk) {
      System.exit(1);
    }
  }
}
