package io.throttlenet.adaptive.internal;

import io.throttlenet.adaptive.HeaderFormat;
import io.throttlenet.adaptive.RateLimitStatus;
import java.util.List;
import java.util.Map;

/**
 * The built-in formats behind {@code RateLimitHeaders}' constants (documented there). Not part of
 * the API: this package is not exported.
 */
public final class BuiltInFormats {
  public static final HeaderFormat RETRY_AFTER_MS =
      named("retry-after-ms", RetryFormats::readMillis);
  public static final HeaderFormat RETRY_AFTER = named("retry-after", RetryFormats::readRetryAfter);
  public static final HeaderFormat GOOGLE_RETRY_INFO =
      named("google-retry-info", RetryFormats::readGoogleRetryInfo);
  public static final HeaderFormat OPENAI = named("openai", LlmFormats::readOpenAi);
  public static final HeaderFormat ANTHROPIC = named("anthropic", LlmFormats::readAnthropic);
  public static final HeaderFormat IETF = named("ietf-ratelimit", IetfFormats::readRateLimit);
  public static final HeaderFormat IETF_LEGACY =
      named("ietf-ratelimit-legacy", IetfFormats::readLegacy);
  public static final HeaderFormat GITHUB = named("github", XRateLimitFormats::readGitHub);
  public static final HeaderFormat DISCORD = named("discord", XRateLimitFormats::readDiscord);
  public static final HeaderFormat REDDIT = named("reddit", XRateLimitFormats::readReddit);
  public static final HeaderFormat X_RATELIMIT =
      named("x-ratelimit", XRateLimitFormats::readShared);
  public static final HeaderFormat X = named("x", XRateLimitFormats::readX);
  public static final HeaderFormat SHOPIFY = named("shopify", ShopifyFormats::readRest);
  public static final HeaderFormat SHOPIFY_GRAPHQL =
      named("shopify-graphql", ShopifyFormats::readGraphQl);

  /** The default parser's formats, in order of precedence. */
  public static final List<HeaderFormat> DEFAULTS =
      List.of(
          RETRY_AFTER_MS,
          GOOGLE_RETRY_INFO,
          RETRY_AFTER,
          OPENAI,
          ANTHROPIC,
          IETF,
          IETF_LEGACY,
          X,
          SHOPIFY,
          SHOPIFY_GRAPHQL,
          X_RATELIMIT);

  private BuiltInFormats() {}

  @FunctionalInterface
  private interface Read {
    void read(Map<String, List<String>> headers, String body, RateLimitStatus.Builder status);
  }

  private static HeaderFormat named(String name, Read read) {
    return new Named(name, read);
  }

  private record Named(String name, Read reader) implements HeaderFormat {
    @Override
    public void read(
        Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
      reader.read(headers, body, status);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
