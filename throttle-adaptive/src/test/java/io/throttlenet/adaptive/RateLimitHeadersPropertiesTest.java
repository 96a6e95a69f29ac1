package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The parser's contract as properties: any text in any header (known names in any case, and
 * random ones) and any body gives a status, never an exception, in bounded time, with every value
 * in range.
 */
class RateLimitHeadersPropertiesTest {

  private static final List<String> NAMES =
      List.of(
          "Retry-After", "retry-after-ms", "x-ms-retry-after-ms", "Date",
          "x-ratelimit-limit-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
          "x-ratelimit-reset-requests", "anthropic-ratelimit-tokens-reset",
          "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
          "RateLimit", "RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining",
          "RateLimit-Reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
          "x-ratelimit-used", "x-ratelimit-resource", "X-RateLimit-Reset-After",
          "X-RateLimit-Bucket", "X-RateLimit-Global", "X-RateLimit-Scope", "x-rate-limit-limit",
          "x-rate-limit-remaining", "x-rate-limit-reset", "X-Shopify-Shop-Api-Call-Limit");

  /** Pieces the formats look for, so random values often come close to valid ones. */
  private static final List<String> FRAGMENTS =
      List.of(
          "0", "1", "9", "00", "42", "1714564800", "99999999999999999999", ".", ",", ", ", ";",
          "=", "\"", "\\", "/", ":", "-", "+", "e", "E", " ", "\t", "s", "ms", "us",
          "µs", "ns", "m",
          "h", "q=", "w=", "r=", "t=", "\"default\"", "burst", "(", ")", "?1", "@", "NaN",
          "Infinity", "GMT", "Wed, ", "Wednesday, ", "01 May 2024 ", "12:00:30", "01-May-24 ",
          "May  1 ", "2024", "2024-05-01T12:00:00", "Z", "+02:00", ".5", "T", "\u0000", "\n",
          "\r", "\uD800", "\uFFFF", "\u03bc", "１", "٣", "/40", "32");

  private static final List<String> BODY_FRAGMENTS =
      List.of(
          "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u00", "\"retry_after\"", "\"error\"",
          "\"details\"", "\"@type\"", "\"type.googleapis.com/google.rpc.RetryInfo\"",
          "\"retryDelay\"", "\"1.5s\"", "\"seconds\"", "\"nanos\"", "\"extensions\"", "\"cost\"",
          "\"throttleStatus\"", "\"maximumAvailable\"", "\"currentlyAvailable\"",
          "\"restoreRate\"", "\"requestedQueryCost\"", "\"errors\"", "\"code\"", "\"THROTTLED\"",
          "1000.0", "50.0", "-1", "1e9", "true", "false", "null", " ", "99999999999999999999999");

  private static Gen<String> text(List<String> fragments) {
    Gen<String> piece =
        arbitrary().pick(fragments).mix(strings().allPossible().ofLengthBetween(0, 6), 30);
    return lists().of(piece).ofSizeBetween(0, 25).map(l -> String.join("", l));
  }

  private static Gen<String> names() {
    Gen<String> known =
        arbitrary().pick(NAMES).zip(longs().all(), RateLimitHeadersPropertiesTest::randomCase);
    return known.mix(strings().allPossible().ofLengthBetween(0, 12), 20);
  }

  private static String randomCase(String name, long bits) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(((bits >>> (i % 64)) & 1) == 0 ? c : Character.toUpperCase(c));
    }
    return b.toString();
  }

  private static Gen<Map<String, List<String>>> headerMaps() {
    Gen<List<String>> values = lists().of(text(FRAGMENTS)).ofSizeBetween(0, 3);
    return lists()
        .of(names().zip(values, Map::entry))
        .ofSizeBetween(0, 12)
        .map(
            entries -> {
              Map<String, List<String>> m = new HashMap<>();
              for (var e : entries) {
                m.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
              }
              return m;
            });
  }

  private static Gen<Instant> instants() {
    return longs()
        .between(-10_000_000_000L, 10_000_000_000L)
        .zip(integers().between(0, 999_999_999), Instant::ofEpochSecond)
        .mix(arbitrary().pick(List.of(Instant.MIN, Instant.MAX, Instant.EPOCH)), 5);
  }

  @Test
  void anyHeadersAndBody_neverThrow_finishQuickly_andStayInRange() {
    qt().withExamples(3_000)
        .forAll(headerMaps(), text(BODY_FRAGMENTS), instants())
        .checkAssert(
            (headers, body, at) -> {
              long start = System.nanoTime();
              RateLimitStatus status = RateLimitHeaders.parse(headers, body, at);
              assertThat(Duration.ofNanos(System.nanoTime() - start))
                  .isLessThan(Duration.ofSeconds(2));
              assertInRange(status, at);
            });
  }

  @Test
  void everyBuiltInFormatAlone_neverThrows() {
    List<HeaderFormat> all =
        List.of(
            RateLimitHeaders.RETRY_AFTER_MS, RateLimitHeaders.RETRY_AFTER,
            RateLimitHeaders.GOOGLE_RETRY_INFO, RateLimitHeaders.OPENAI,
            RateLimitHeaders.ANTHROPIC, RateLimitHeaders.IETF_RATELIMIT,
            RateLimitHeaders.IETF_RATELIMIT_LEGACY, RateLimitHeaders.X, RateLimitHeaders.SHOPIFY,
            RateLimitHeaders.SHOPIFY_GRAPHQL, RateLimitHeaders.X_RATELIMIT,
            RateLimitHeaders.GITHUB, RateLimitHeaders.DISCORD, RateLimitHeaders.REDDIT);
    qt().withExamples(1_000)
        .forAll(headerMaps(), text(BODY_FRAGMENTS), arbitrary().pick(all))
        .checkAssert(
            (headers, body, format) -> {
              // Called directly, as a user's composite format would: no parser catches for it.
              Map<String, List<String>> byName =
                  new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              byName.putAll(headers);
              RateLimitStatus.Builder b = RateLimitStatus.builder(Headers.NOW);
              format.read(byName, body, b);
              assertInRange(b.build(), Headers.NOW);
            });
  }

  @Test
  void arbitraryUnicodeValues_inEveryKnownHeader_neverThrow() {
    qt().withExamples(1_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 64), strings().allPossible()
            .ofLengthBetween(0, 200))
        .checkAssert(
            (value, body) -> {
              Map<String, List<String>> headers = new HashMap<>();
              for (String name : NAMES) {
                headers.put(name, List.of(value, value + "," + value));
              }
              assertInRange(RateLimitHeaders.parse(headers, body, Headers.NOW), Headers.NOW);
            });
  }

  private static void assertInRange(RateLimitStatus status, Instant at) {
    assertThat(status.receivedAt()).isEqualTo(at);
    status.retryAfter().ifPresent(d -> assertDelay(d));
    for (RateLimitStatus.Dimension d : status.dimensions()) {
      assertThat(d.name()).isNotNull();
      d.limit().ifPresent(l -> assertThat(l).isNotNegative());
      d.remaining().ifPresent(r -> assertThat(r).isNotNegative());
      d.resetAfter().ifPresent(RateLimitHeadersPropertiesTest::assertDelay);
      d.window().ifPresent(RateLimitHeadersPropertiesTest::assertDelay);
    }
  }

  private static void assertDelay(Duration d) {
    assertThat(d).isBetween(Duration.ZERO, RateLimitHeaders.MAX_DELAY);
    assertThat(d.getNano() % 1_000_000).as("whole milliseconds").isZero();
  }
}
