package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/** The IETF fields of draft-ietf-httpapi-ratelimit-headers: current and legacy forms. */
final class IetfFormats {
  private IetfFormats() {}

  /**
   * {@code RateLimit-Policy: "default";q=100;w=10, "burst";q=5;w=1} and {@code RateLimit:
   * "default";r=50;t=30}: one dimension per policy name (a string or, as earlier drafts wrote it,
   * a token); {@code q} the limit, {@code w} the window in seconds, {@code r} the remaining quota,
   * {@code t} the seconds until it resets.
   */
  static void readRateLimit(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    List<StructuredFields.Item> policies =
        StructuredFields.list(Fields.values(headers, "RateLimit-Policy"));
    for (StructuredFields.Item p : policies) {
      String name = policyName(p);
      if (name != null) {
        long q = count(p.params().get("q"));
        if (q != Values.NONE) {
          status.limit(name, q);
        }
        long w = seconds(p.params().get("w"));
        if (w != Values.NONE) {
          status.window(name, Values.duration(w));
        }
      }
    }
    for (StructuredFields.Item r : StructuredFields.list(Fields.values(headers, "RateLimit"))) {
      String name = policyName(r);
      if (name != null) {
        long remaining = count(r.params().get("r"));
        if (remaining != Values.NONE) {
          status.remaining(name, remaining);
        }
        long t = seconds(r.params().get("t"));
        if (t != Values.NONE) {
          status.resetAfter(name, Values.duration(t));
        }
      }
    }
  }

  /**
   * The older drafts' {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code
   * RateLimit-Reset} (delta seconds): dimension {@code default}. A limit may be followed by quota
   * policies ({@code RateLimit-Limit: 100, 100;w=60}); a policy with the same quota as the limit,
   * there or in an unnamed {@code RateLimit-Policy: 100;w=60}, gives the window.
   */
  static void readLegacy(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    List<StructuredFields.Item> limits =
        StructuredFields.list(Fields.values(headers, "RateLimit-Limit"));
    long limit = limits.isEmpty() ? Values.NONE : count(limits.get(0).value());
    if (limit != Values.NONE) {
      status.limit("default", limit);
      window(limits, limit, status);
      window(StructuredFields.list(Fields.values(headers, "RateLimit-Policy")), limit, status);
    }
    long remaining = Fields.minCount(headers, "RateLimit-Remaining");
    if (remaining != Values.NONE) {
      status.remaining("default", remaining);
    }
    long reset = Fields.max(headers, "RateLimit-Reset", Values::secondsToMillis);
    if (reset != Values.NONE) {
      status.resetAfter("default", Values.duration(reset));
    }
  }

  private static void window(
      List<StructuredFields.Item> policies, long limit, RateLimitStatus.Builder status) {
    for (StructuredFields.Item p : policies) {
      long w = seconds(p.params().get("w"));
      if (!p.isString() && w != Values.NONE && count(p.value()) == limit) {
        status.window("default", Values.duration(w));
        return;
      }
    }
  }

  /** A policy's name: a non-empty string, or a token (starting with a letter or '*'). */
  private static String policyName(StructuredFields.Item item) {
    String v = item.value();
    if (v.isEmpty()) {
      return null;
    }
    char c = v.charAt(0);
    boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
    return item.isString() || token ? v : null;
  }

  private static long count(String v) {
    return v == null ? Values.NONE : Values.count(v);
  }

  private static long seconds(String v) {
    return v == null ? Values.NONE : Values.secondsToMillis(v);
  }
}
