package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/** The formats that carry only a retry hint: Retry-After, its millisecond variants, RetryInfo. */
final class RetryFormats {
  private RetryFormats() {}

  /** {@code retry-after-ms} and {@code x-ms-retry-after-ms}: milliseconds, maybe fractional. */
  static void readMillis(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    long ms =
        Math.max(
            Fields.max(headers, "retry-after-ms", Values::millis),
            Fields.max(headers, "x-ms-retry-after-ms", Values::millis));
    if (ms != Values.NONE) {
      status.retryAfter(Values.duration(ms));
    }
  }

  /** {@code Retry-After}: delay-seconds (a decimal fraction tolerated) or an HTTP-date. */
  static void readRetryAfter(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    Dates.Clock clock = null;
    long best = Values.NONE;
    for (String v : Fields.values(headers, "Retry-After")) {
      if (v == null) {
        continue;
      }
      if (clock == null) {
        clock = new Dates.Clock(headers, status.receivedAt());
      }
      best = Math.max(best, retryAfter(v, clock));
    }
    if (best != Values.NONE) {
      status.retryAfter(Values.duration(best));
    }
  }

  /**
   * One Retry-After line in millis, or NONE. A line an intermediary joined from several ({@code
   * "5, 10"}, or two HTTP-dates, whose own commas split them in two) gives its largest value.
   */
  private static long retryAfter(String v, Dates.Clock clock) {
    long one = single(v, clock);
    if (one != Values.NONE || v.indexOf(',') < 0) {
      return one;
    }
    String[] pieces = v.split(",", -1);
    long best = Values.NONE;
    for (int k = 0; k < pieces.length; k++) {
      long ms = Values.secondsToMillis(pieces[k]);
      if (ms == Values.NONE && k + 1 < pieces.length
          && pieces[k].length() + pieces[k + 1].length() < 40) {
        ms = single(pieces[k] + "," + pieces[k + 1], clock);
      }
      best = Math.max(best, ms);
    }
    return best;
  }

  private static long single(String v, Dates.Clock clock) {
    long ms = Values.secondsToMillis(v);
    if (ms != Values.NONE) {
      return ms;
    }
    long t = Dates.httpDateMillis(v, clock.receivedAt());
    return t == Values.NONE ? Values.NONE : clock.millisUntil(t);
  }

  /**
   * Google's {@code google.rpc.RetryInfo} in an error body: {@code {"error": {"details":
   * [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}]}}}; the delay
   * may also be written {@code {"seconds": 1, "nanos": 500000000}}. Also found in a top-level
   * {@code details} list and in a top-level array of such errors.
   */
  static void readGoogleRetryInfo(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    if (body == null || !body.contains("google.rpc.RetryInfo")) {
      return;
    }
    Object root = Json.parse(body);
    long best = Values.NONE;
    if (root instanceof List<?> errors) {
      for (Object e : errors) {
        best = Math.max(best, retryInfo(e));
      }
    } else {
      best = retryInfo(root);
    }
    if (best != Values.NONE) {
      status.retryAfter(Values.duration(best));
    }
  }

  private static long retryInfo(Object root) {
    long best = Values.NONE;
    Object[] places = {Json.at(root, "error", "details"), Json.at(root, "details")};
    for (Object details : places) {
      if (!(details instanceof List<?> list)) {
        continue;
      }
      for (Object d : list) {
        Object type = Json.at(d, "@type");
        if (type instanceof String t && t.endsWith("google.rpc.RetryInfo")) {
          best = Math.max(best, protoDuration(Json.at(d, "retryDelay")));
        }
      }
    }
    return best;
  }

  /** A protobuf Duration in its JSON form ({@code "1.5s"}) or as seconds and nanos, in millis. */
  private static long protoDuration(Object value) {
    if (value instanceof String s && s.endsWith("s")) {
      Values.Decimal d = Values.decimal(s, 0, s.length() - 1);
      return d == null ? Values.NONE : Values.ceilMillis(Values.nanos(d, Values.NANOS_PER_SECOND));
    }
    Values.Decimal seconds = number(Json.at(value, "seconds"));
    Values.Decimal nanos = number(Json.at(value, "nanos"));
    if (seconds == null && nanos == null) {
      return Values.NONE;
    }
    long total = seconds == null ? 0 : Values.nanos(seconds, Values.NANOS_PER_SECOND);
    if (nanos != null) {
      total = Values.saturatedAdd(total, Values.nanos(nanos, 1));
    }
    return Values.ceilMillis(total);
  }

  /** A JSON number, or a string holding one (proto3 JSON writes int64 as a string). */
  static Values.Decimal number(Object value) {
    return value instanceof String s ? Values.decimal(s) : Json.decimal(value);
  }

  /** Discord's 429 body: {@code {"message": "...", "retry_after": 64.57, "global": false}}. */
  static void readDiscordBody(String body, RateLimitStatus.Builder status) {
    if (body == null || !body.contains("retry_after")) {
      return;
    }
    Values.Decimal d = number(Json.at(Json.parse(body), "retry_after"));
    if (d != null) {
      long nanos = Values.nanos(d, Values.NANOS_PER_SECOND);
      status.retryAfter(Values.duration(Values.ceilMillis(nanos)));
    }
  }
}
