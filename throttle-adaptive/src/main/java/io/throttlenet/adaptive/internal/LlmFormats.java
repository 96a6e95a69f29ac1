package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/** OpenAI (and Groq, Azure OpenAI) and Anthropic: one set of fields per budget. */
final class LlmFormats {
  private static final String[] OPENAI_DIMENSIONS = {"requests", "tokens"};
  private static final String[] ANTHROPIC_FIELDS = {
    "requests", "tokens", "input-tokens", "output-tokens"
  };

  private LlmFormats() {}

  /** {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, resets as Go durations. */
  static void readOpenAi(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    for (String dim : OPENAI_DIMENSIONS) {
      counts(headers, status, dim, "x-ratelimit-limit-" + dim, "x-ratelimit-remaining-" + dim);
      long reset = Fields.max(headers, "x-ratelimit-reset-" + dim, Values::goDurationMillis);
      if (reset != Values.NONE) {
        status.resetAfter(dim, Values.duration(reset));
      }
    }
  }

  /** {@code anthropic-ratelimit-<budget>-{limit,remaining,reset}}, resets as RFC 3339. */
  static void readAnthropic(
      Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
    for (String field : ANTHROPIC_FIELDS) {
      String prefix = "anthropic-ratelimit-" + field;
      String dim = field.replace('-', '_');
      counts(headers, status, dim, prefix + "-limit", prefix + "-remaining");
      long reset = Fields.max(headers, prefix + "-reset", Dates::rfc3339Millis);
      if (reset != Values.NONE) {
        long ms = new Dates.Clock(headers, status.receivedAt()).millisUntil(reset);
        status.resetAfter(dim, Values.duration(ms));
      }
    }
  }

  /** Sets {@code dim}'s limit and remaining from the (most cautious) counts in two fields. */
  static void counts(
      Map<String, List<String>> headers,
      RateLimitStatus.Builder status,
      String dim,
      String limitField,
      String remainingField) {
    long limit = Fields.minCount(headers, limitField);
    if (limit != Values.NONE) {
      status.limit(dim, limit);
    }
    long remaining = Fields.minCount(headers, remainingField);
    if (remaining != Values.NONE) {
      status.remaining(dim, remaining);
    }
  }
}
