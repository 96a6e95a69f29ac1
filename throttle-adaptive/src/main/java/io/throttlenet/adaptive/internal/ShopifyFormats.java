package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/** Shopify: the REST call-limit header and the GraphQL query cost in the response body. */
final class ShopifyFormats {
  private ShopifyFormats() {}

  /** {@code X-Shopify-Shop-Api-Call-Limit: 32/40} (used/limit) gives {@code requests}. */
  static void readRest(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    long bestLimit = Values.NONE;
    long bestRemaining = Values.NONE;
    for (String p : Fields.pieces(headers, "X-Shopify-Shop-Api-Call-Limit")) {
      int slash = p.indexOf('/');
      if (slash < 0) {
        continue;
      }
      long used = Values.count(p.substring(0, slash));
      long limit = Values.count(p.substring(slash + 1));
      if (used == Values.NONE || limit == Values.NONE) {
        continue;
      }
      long remaining = Math.max(0, limit - used);
      if (bestRemaining == Values.NONE || remaining < bestRemaining) {
        bestRemaining = remaining;
        bestLimit = limit;
      }
    }
    if (bestLimit != Values.NONE) {
      status.limit("requests", bestLimit);
      status.remaining("requests", bestRemaining);
    }
  }

  /**
   * GraphQL {@code extensions.cost.throttleStatus}: {@code maximumAvailable} is the limit and
   * {@code currentlyAvailable} what remains of dimension {@code cost}; the reset is the time the
   * bucket takes to refill at {@code restoreRate} points per second. A response throttled ({@code
   * errors[].extensions.code} is {@code THROTTLED}) also gives a retry hint: the time until {@code
   * requestedQueryCost} points are available.
   */
  static void readGraphQl(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    if (body == null || !body.contains("throttleStatus")) {
      return;
    }
    Object root = Json.parse(body);
    Object cost = Json.at(root, "extensions", "cost");
    Object throttle = Json.at(cost, "throttleStatus");
    double max = value(Json.at(throttle, "maximumAvailable"));
    double available = value(Json.at(throttle, "currentlyAvailable"));
    double rate = value(Json.at(throttle, "restoreRate"));
    if (max >= 0) {
      status.limit("cost", (long) max);
    }
    if (available >= 0) {
      status.remaining("cost", (long) available);
    }
    if (rate > 0 && available >= 0 && max >= available) {
      status.resetAfter("cost", seconds((max - available) / rate));
    }
    double requested = value(Json.at(cost, "requestedQueryCost"));
    if (rate > 0 && available >= 0 && requested > available && throttled(root)) {
      status.retryAfter(seconds((requested - available) / rate));
    }
  }

  private static boolean throttled(Object root) {
    if (Json.at(root, "errors") instanceof List<?> errors) {
      for (Object e : errors) {
        if ("THROTTLED".equals(Json.at(e, "extensions", "code"))) {
          return true;
        }
      }
    }
    return false;
  }

  /** A non-negative JSON number as a double (saturated), or -1. */
  private static double value(Object json) {
    Values.Decimal d = Json.decimal(json);
    return d == null ? -1 : d.whole() + d.fractionNanos() / 1e9;
  }

  private static java.time.Duration seconds(double s) {
    // The cast saturates (and the inputs are finite and non-negative): no overflow, no NaN.
    return Values.duration(Values.ceilMillis((long) Math.ceil(s * 1e9)));
  }
}
