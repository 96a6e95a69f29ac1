package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/**
 * The {@code X-RateLimit-*} family that GitHub, Discord, Reddit and many unnamed APIs share, each
 * with its own meaning, and X's {@code x-rate-limit-*}.
 */
final class XRateLimitFormats {
  private static final String LIMIT = "x-ratelimit-limit";
  private static final String REMAINING = "x-ratelimit-remaining";
  private static final String RESET = "x-ratelimit-reset";
  private static final String USED = "x-ratelimit-used";
  private static final String RESOURCE = "x-ratelimit-resource";
  private static final String[] DISCORD_MARKS = {
    "x-ratelimit-bucket", "x-ratelimit-reset-after", "x-ratelimit-global", "x-ratelimit-scope"
  };
  /** Resets at least this large are epoch seconds (2001-09-09), smaller ones seconds-until. */
  static final long EPOCH_THRESHOLD = 1_000_000_000L;

  private XRateLimitFormats() {}

  /** GitHub: dimension named by {@code x-ratelimit-resource} ({@code core} if absent). */
  static void readGitHub(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    String dim = resource(headers);
    counts(headers, status, dim == null ? "core" : dim);
    absoluteReset(headers, status, dim == null ? "core" : dim, RESET);
  }

  /**
   * Discord: {@code requests}; {@code X-RateLimit-Reset-After} (seconds, fractional) is preferred
   * to {@code X-RateLimit-Reset} (epoch seconds, fractional); {@code retry_after} in a 429 body.
   */
  static void readDiscord(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    counts(headers, status, "requests");
    long after = Fields.max(headers, "x-ratelimit-reset-after", Values::secondsToMillis);
    if (after != Values.NONE) {
      status.resetAfter("requests", Values.duration(after));
    } else {
      absoluteReset(headers, status, "requests", RESET);
    }
    RetryFormats.readDiscordBody(body, status);
  }

  /** Reddit: {@code X-Ratelimit-Remaining} (maybe fractional) and seconds-until reset. */
  static void readReddit(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    long remaining = Fields.minCount(headers, REMAINING);
    if (remaining != Values.NONE) {
      status.remaining("requests", remaining);
    }
    long reset = Fields.max(headers, RESET, Values::secondsToMillis);
    if (reset != Values.NONE) {
      status.resetAfter("requests", Values.duration(reset));
    }
  }

  /** X (Twitter): {@code x-rate-limit-{limit,remaining,reset}}, reset in epoch seconds. */
  static void readX(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    LlmFormats.counts(
        headers, status, "requests", "x-rate-limit-limit", "x-rate-limit-remaining");
    absoluteReset(headers, status, "requests", "x-rate-limit-reset");
  }

  /**
   * The default parser's reading of the shared names: GitHub when {@code x-ratelimit-resource} is
   * present, Discord when one of its own fields is, otherwise the generic reading (dimension
   * {@code requests}, fractional remaining rounded down, remaining = limit - used when only those
   * are sent, and a reset of at least {@link #EPOCH_THRESHOLD} read as epoch seconds, a smaller
   * one as seconds-until).
   */
  static void readShared(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    if (Fields.has(headers, RESOURCE)) {
      readGitHub(headers, body, status);
      return;
    }
    for (String mark : DISCORD_MARKS) {
      if (Fields.has(headers, mark)) {
        readDiscord(headers, body, status);
        return;
      }
    }
    counts(headers, status, "requests");
    Dates.Clock clock = new Dates.Clock(headers, status.receivedAt());
    long reset =
        Fields.max(
            headers,
            RESET,
            v -> {
              Values.Decimal d = Values.decimal(Values.trim(v));
              if (d == null) {
                return Values.NONE;
              }
              return d.whole() >= EPOCH_THRESHOLD
                  ? clock.millisUntil(Values.epochSecondsToMillis(v))
                  : Values.ceilMillis(Values.nanos(d, Values.NANOS_PER_SECOND));
            });
    if (reset != Values.NONE) {
      status.resetAfter("requests", Values.duration(reset));
    }
  }

  /** Limit and remaining; remaining = limit - used when the server sends used instead. */
  private static void counts(
      Map<String, List<String>> headers, RateLimitStatus.Builder status, String dim) {
    LlmFormats.counts(headers, status, dim, LIMIT, REMAINING);
    long limit = Fields.minCount(headers, LIMIT);
    long used = Fields.max(headers, USED, Values::count);
    if (limit != Values.NONE && used != Values.NONE && Fields.minCount(headers, REMAINING) < 0) {
      status.remaining(dim, Math.max(0, limit - used));
    }
  }

  private static void absoluteReset(
      Map<String, List<String>> headers, RateLimitStatus.Builder status, String dim, String name) {
    long t = Fields.max(headers, name, Values::epochSecondsToMillis);
    if (t != Values.NONE) {
      long ms = new Dates.Clock(headers, status.receivedAt()).millisUntil(t);
      status.resetAfter(dim, Values.duration(ms));
    }
  }

  /** The first valid {@code x-ratelimit-resource}: 1 to 64 of [A-Za-z0-9_.-]; else null. */
  private static String resource(Map<String, List<String>> headers) {
    for (String p : Fields.pieces(headers, RESOURCE)) {
      if (p.length() <= 64 && p.chars().allMatch(XRateLimitFormats::isNameChar)) {
        return p;
      }
    }
    return null;
  }

  private static boolean isNameChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '.' || c == '-';
  }
}
