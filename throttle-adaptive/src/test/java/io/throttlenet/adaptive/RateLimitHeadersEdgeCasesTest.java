package io.throttlenet.adaptive;

import static io.throttlenet.adaptive.Headers.NOW;
import static io.throttlenet.adaptive.Headers.dim;
import static io.throttlenet.adaptive.Headers.h;
import static io.throttlenet.adaptive.Headers.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed, extreme and oddly written values: ignored field by field, never an exception. */
class RateLimitHeadersEdgeCasesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "-1", "+5", "1e3", "NaN", "Infinity", "five", "1 2", "0x10", "--",
        "\u0000", "１２", "31 Feb", "Mon, 31 Feb 2024 00:00:00 GMT", "Wed, 01 May 2024 25:00:00 GMT",
        "Wed, 01 May 12024 12:00:00 GMT", "Wed, 01 Foo 2024 12:00:00 GMT",
        "Wed, 01 May 2024 12:00:00 UTC", "Wed,  01 May 2024 12:00:00"
      })
  void invalidRetryAfter_givesNoHint(String value) {
    assertThat(parse(h("Retry-After", value)).retryAfter()).isEmpty();
  }

  @Test
  void leadingZeros_carryNoValue() {
    assertThat(parse(h("Retry-After", "00000000000000000001")).retryAfter())
        .contains(Duration.ofSeconds(1));
    assertThat(parse(h("x-ratelimit-remaining-tokens", "0000000000000000000000000042"))
            .dimension("tokens").get().remaining())
        .hasValue(42);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9223372036854775807", "9223372036854775808", "99999999999999999999",
        "1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890.5"
      })
  void hugeDelays_saturate_neverWrap(String value) {
    assertThat(parse(h("Retry-After", value)).retryAfter()).contains(RateLimitHeaders.MAX_DELAY);
    assertThat(parse(h("retry-after-ms", value)).retryAfter().get())
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1L << 31));
    assertThat(parse(h("x-ratelimit-reset-tokens", value + "h")).dimension("tokens").get()
            .resetAfter())
        .contains(RateLimitHeaders.MAX_DELAY);
  }

  @Test
  void maxDelay_isAtLeast2To31Seconds_andFitsInNanos() {
    assertThat(RateLimitHeaders.MAX_DELAY).isGreaterThanOrEqualTo(Duration.ofSeconds(1L << 31));
    assertThat(RateLimitHeaders.MAX_DELAY.toNanos()).isPositive();
  }

  @Test
  void hugeCounts_saturate() {
    var status = parse(h("x-ratelimit-limit-requests", "1234567890123456789012345678901234567890"));
    assertThat(status.dimension("requests").get().limit()).hasValue(Long.MAX_VALUE);
  }

  @Test
  void hugeEpochResets_saturate() {
    var status =
        parse(h("x-rate-limit-reset", "1234567890123456789012345678901234567890",
            "x-ratelimit-reset", "99999999999999999999.99", "x-ratelimit-resource", "core"));
    assertThat(status.dimension("requests").get().resetAfter())
        .contains(RateLimitHeaders.MAX_DELAY);
    assertThat(status.dimension("core").get().resetAfter()).contains(RateLimitHeaders.MAX_DELAY);
  }

  @Test
  void negativeOrWordyFields_areIgnored_validFieldsOfTheSameResponseKept() {
    var status =
        parse(
            h(
                "x-ratelimit-limit-requests", "-60",
                "x-ratelimit-remaining-requests", "59",
                "x-ratelimit-reset-requests", "soon",
                "x-ratelimit-limit-tokens", "NaN",
                "x-ratelimit-remaining-tokens", "1e5",
                "x-ratelimit-reset-tokens", "6m0s",
                "Retry-After", "-3"));
    assertThat(status.dimensions())
        .containsExactly(
            dim("requests", -1, 59, null), dim("tokens", -1, -1, Duration.ofMinutes(6)));
    assertThat(status.retryAfter()).isEmpty();
  }

  @Test
  void mixedCaseNames_areFound() {
    var status =
        parse(
            h(
                "X-RATELIMIT-REMAINING-TOKENS", "7",
                "AnThRoPiC-RateLimit-Requests-Limit", "50",
                "rEtRy-AfTeR", "4",
                "RATELIMIT", "\"p\";r=3"));
    assertThat(status.dimension("tokens").get().remaining()).hasValue(7);
    assertThat(status.dimension("requests").get().limit()).hasValue(50);
    assertThat(status.dimension("p").get().remaining()).hasValue(3);
    assertThat(status.retryAfter()).contains(Duration.ofSeconds(4));
  }

  @Test
  void sameNameInTwoCases_valuesAreMerged() {
    Map<String, List<String>> headers = new HashMap<>();
    headers.put("x-ratelimit-remaining-tokens", List.of("70"));
    headers.put("X-RateLimit-Remaining-Tokens", List.of("7"));
    assertThat(parse(headers).dimension("tokens").get().remaining()).hasValue(7);
  }

  @Test
  void severalValues_mostCautiousWins() {
    var status =
        parse(
            h(
                "Retry-After", "5",
                "Retry-After", "10",
                "x-ratelimit-limit-tokens", "1000",
                "x-ratelimit-limit-tokens", "900, junk",
                "x-ratelimit-remaining-tokens", "80, 70",
                "x-ratelimit-reset-tokens", "1s",
                "x-ratelimit-reset-tokens", "2s"));
    assertThat(status.retryAfter()).contains(Duration.ofSeconds(10));
    assertThat(status.dimensions()).containsExactly(dim("tokens", 900, 70, Duration.ofSeconds(2)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"5, 10 | 10", "Wed, 01 May 2024 12:00:30 GMT, Wed, 01 May 2024 12:00:20 GMT | 30"})
  void retryAfterValuesJoinedByAComma_largestWins(String value, long seconds) {
    assertThat(parse(h("Retry-After", value)).retryAfter()).contains(Duration.ofSeconds(seconds));
  }

  @Test
  void nullsInTheMap_areSkipped() {
    Map<String, List<String>> headers = new HashMap<>();
    headers.put(null, List.of("1"));
    headers.put("Retry-After", null);
    headers.put("retry-after-ms", Arrays.asList(null, "250"));
    headers.put("Date", Arrays.asList((String) null));
    headers.put("RateLimit", Arrays.asList((String) null));
    headers.put("x-ratelimit-remaining", Arrays.asList((String) null));
    assertThat(parse(headers).retryAfter()).contains(Duration.ofMillis(250));
  }

  @Test
  void extremeReceivedAt_doesNotThrow() {
    var headers =
        h("Retry-After", "Wed, 01 May 2024 12:00:30 GMT", "x-rate-limit-reset", "1714564830",
            "Retry-After", "Wednesday, 01-May-24 12:01:00 GMT",
            "anthropic-ratelimit-tokens-reset", "2024-05-01T12:00:01Z");
    for (Instant at : List.of(Instant.MIN, Instant.MAX, Instant.EPOCH)) {
      var status = RateLimitHeaders.parse(headers, at);
      assertThat(status.receivedAt()).isEqualTo(at);
    }
    assertThat(RateLimitHeaders.parse(headers, Instant.MIN).retryAfter())
        .contains(RateLimitHeaders.MAX_DELAY);
    assertThat(RateLimitHeaders.parse(headers, Instant.MAX).retryAfter()).contains(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "{", "[", "\"", "{\"retry_after\":", "{\"retry_after\": -1}",
        "{\"retry_after\": 1e2}", "{\"retry_after\": \"NaN\"}", "{\"retry_after\": [1]}",
        "{\"a\":\"\\uZZZZ\", \"retry_after\": 1}", "null", "{\"retry_after\": 1,}",
        "{\"error\":{\"details\":[{\"@type\":\"google.rpc.RetryInfo\",\"retryDelay\":\"-1s\"}]}}",
        "{\"error\":{\"details\":[{\"@type\":\"google.rpc.RetryInfo\",\"retryDelay\":\"1.5\"}]}}",
        "{\"extensions\":{\"cost\":{\"throttleStatus\":{\"maximumAvailable\":-1}}}}"
      })
  void malformedBodies_giveNothing(String body) {
    var status =
        RateLimitHeaders.of(RateLimitHeaders.DISCORD, RateLimitHeaders.GOOGLE_RETRY_INFO,
                RateLimitHeaders.SHOPIFY_GRAPHQL)
            .parse(h(), body, NOW);
    assertThat(status.isEmpty()).isTrue();
  }

  @Test
  void deeplyNestedBody_isRejectedQuickly_withoutStackOverflow() {
    String body = "[".repeat(1_000_000) + "\"google.rpc.RetryInfo throttleStatus retry_after\"";
    long start = System.nanoTime();
    assertThat(parse(h(), body).isEmpty()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void hugeHeaderValues_areReadInLinearTime() {
    String digits = "9".repeat(2_000_000);
    String commas = ",".repeat(2_000_000);
    String quotes = "\"a\";r=1,".repeat(200_000);
    List<String> big = new ArrayList<>(List.of(digits, commas, digits + "." + digits));
    Map<String, List<String>> headers = new HashMap<>();
    for (String name :
        List.of("Retry-After", "retry-after-ms", "x-ratelimit-reset-tokens", "x-ratelimit-reset",
            "RateLimit", "Date", "X-Shopify-Shop-Api-Call-Limit")) {
      headers.put(name, big);
    }
    headers.put("RateLimit-Policy", List.of(quotes));
    long start = System.nanoTime();
    var status = parse(headers);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(status.retryAfter()).contains(RateLimitHeaders.MAX_DELAY);
  }
}
