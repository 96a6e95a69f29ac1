package io.throttlenet.adaptive;

import static io.throttlenet.adaptive.Headers.NOW_EPOCH;
import static io.throttlenet.adaptive.Headers.dim;
import static io.throttlenet.adaptive.Headers.h;
import static io.throttlenet.adaptive.Headers.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each built-in format, read from the examples its provider documents. */
class RateLimitHeadersFormatsTest {

  @Nested
  class RetryAfter {
    @Test
    void delaySeconds_isTheWait() {
      assertThat(parse(h("Retry-After", "120")).retryAfter()).contains(Duration.ofSeconds(120));
    }

    @Test
    void decimalSeconds_asShopifySendsThem_areRead() {
      assertThat(parse(h("Retry-After", "2.0")).retryAfter()).contains(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "Wed, 01 May 2024 12:00:30 GMT | 30",
          "Wednesday, 01-May-24 12:01:00 GMT | 60",
          "Wed May  1 12:00:05 2024 | 5",
          "wed, 01 may 2024 12:00:30 GMT | 30",
          "Sun, 06 Nov 1994 08:49:37 GMT | 0",
          "Sunday, 06-Nov-94 08:49:37 GMT | 0",
          "Sun Nov  6 08:49:37 1994 | 0",
        })
    void httpDates_inAllThreeForms_areRelativeToReceivedAt_pastIsZero(String date, long seconds) {
      assertThat(parse(h("Retry-After", date)).retryAfter())
          .contains(Duration.ofSeconds(seconds));
    }

    @Test
    void rfc850TwoDigitYear_moreThan50YearsAhead_isLastCentury() {
      // 2074 is within 50 years of 2024; 2099 is not, so "99" is 1999 (in the past: zero).
      assertThat(parse(h("Retry-After", "Monday, 01-Jan-74 00:00:00 GMT")).retryAfter().get())
          .isGreaterThan(Duration.ofDays(365 * 49));
      assertThat(parse(h("Retry-After", "Friday, 01-Jan-99 00:00:00 GMT")).retryAfter())
          .contains(Duration.ZERO);
    }

    @Test
    void httpDate_withADateHeaderBehindTheClient_takesTheLongerWait() {
      // The server's clock says 11:59:00, ours 12:00:00: the server meant 90 s, not 30 s.
      var status =
          parse(h("Retry-After", "Wed, 01 May 2024 12:00:30 GMT", "Date",
              "Wed, 01 May 2024 11:59:00 GMT"));
      assertThat(status.retryAfter()).contains(Duration.ofSeconds(90));
    }

    @Test
    void retryAfterMs_andAzureVariant_areMilliseconds_fractionsRoundUp() {
      assertThat(parse(h("retry-after-ms", "1500")).retryAfter()).contains(Duration.ofMillis(1500));
      assertThat(parse(h("x-ms-retry-after-ms", "20.25")).retryAfter())
          .contains(Duration.ofMillis(21));
      assertThat(parse(h("retry-after-ms", "0.0001")).retryAfter()).contains(Duration.ofMillis(1));
    }
  }

  @Nested
  class OpenAi {
    @Test
    void documentedExample_givesRequestsAndTokens() {
      var status =
          parse(
              h(
                  "x-ratelimit-limit-requests", "60",
                  "x-ratelimit-limit-tokens", "150000",
                  "x-ratelimit-remaining-requests", "59",
                  "x-ratelimit-remaining-tokens", "149984",
                  "x-ratelimit-reset-requests", "1s",
                  "x-ratelimit-reset-tokens", "6m0s"));
      assertThat(status.dimensions())
          .containsExactly(
              dim("requests", 60, 59, Duration.ofSeconds(1)),
              dim("tokens", 150000, 149984, Duration.ofMinutes(6)));
      assertThat(status.retryAfter()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
      "6m0s, 360000",
      "1.5s, 1500",
      "20ms, 20",
      "1h2m3.5s, 3723500",
      "500us, 1",
      "500µs, 1",
      "500μs, 1",
      "999ns, 1",
      "2m59.56s, 179560",
      "7.66s, 7660",
      "0, 0",
      "0s, 0",
      "1.s, 1000",
      ".5s, 500",
      "1ms500us, 2",
      "3, 3000",
    })
    void goDurations_areRead_subMillisecondRoundsUp(String value, long millis) {
      assertThat(parse(h("x-ratelimit-reset-tokens", value)).dimension("tokens").get().resetAfter())
          .contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"-1s", "1x", "s", "1.2.3s", "1 s", "1e3s", "NaN", "1h-2m", "ms", "+1s", "''"})
    void badGoDurations_areIgnored(String value) {
      assertThat(parse(h("x-ratelimit-reset-tokens", value)).dimensions()).isEmpty();
    }

    @Test
    void groq_sameNames_sameReading() {
      var status =
          parse(
              h(
                  "x-ratelimit-limit-requests", "14400",
                  "x-ratelimit-limit-tokens", "18000",
                  "x-ratelimit-remaining-requests", "14370",
                  "x-ratelimit-remaining-tokens", "17997",
                  "x-ratelimit-reset-requests", "2m59.56s",
                  "x-ratelimit-reset-tokens", "7.66s"));
      assertThat(status.dimension("requests").get().resetAfter())
          .contains(Duration.ofMillis(179_560));
      assertThat(status.dimension("tokens").get().remaining()).hasValue(17997);
    }

    @Test
    void azureOpenAi_remainingOnly_andRetryAfterMs() {
      var status =
          parse(
              h(
                  "x-ratelimit-remaining-requests", "0",
                  "x-ratelimit-remaining-tokens", "1200",
                  "retry-after-ms", "3000",
                  "retry-after", "3"));
      assertThat(status.retryAfter()).contains(Duration.ofSeconds(3));
      assertThat(status.dimensions())
          .containsExactly(dim("requests", -1, 0, null), dim("tokens", -1, 1200, null));
    }
  }

  @Nested
  class Anthropic {
    @Test
    void documentedFields_giveFourDimensions_resetsRelativeToReceivedAt() {
      var status =
          parse(
              h(
                  "anthropic-ratelimit-requests-limit", "50",
                  "anthropic-ratelimit-requests-remaining", "49",
                  "anthropic-ratelimit-requests-reset", "2024-05-01T12:00:01Z",
                  "anthropic-ratelimit-tokens-limit", "100000",
                  "anthropic-ratelimit-tokens-remaining", "99000",
                  "anthropic-ratelimit-tokens-reset", "2024-05-01T12:00:06.5Z",
                  "anthropic-ratelimit-input-tokens-limit", "80000",
                  "anthropic-ratelimit-input-tokens-remaining", "79000",
                  "anthropic-ratelimit-input-tokens-reset", "2024-05-01T14:00:00+02:00",
                  "anthropic-ratelimit-output-tokens-limit", "16000",
                  "anthropic-ratelimit-output-tokens-remaining", "15500",
                  "anthropic-ratelimit-output-tokens-reset", "2024-05-01T11:00:00Z",
                  "retry-after", "5"));
      assertThat(status.dimensions())
          .containsExactly(
              dim("requests", 50, 49, Duration.ofSeconds(1)),
              dim("tokens", 100000, 99000, Duration.ofMillis(6500)),
              dim("input_tokens", 80000, 79000, Duration.ZERO),
              dim("output_tokens", 16000, 15500, Duration.ZERO));
      assertThat(status.retryAfter()).contains(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource({
      "2024-05-01t12:00:10z, 10000",
      "2024-05-01 12:00:10Z, 10000",
      "2024-05-01T12:00:00.000000001Z, 1",
      "2024-05-01T07:00:10-05:00, 10000",
    })
    void rfc3339Variants_areRead(String value, long millis) {
      assertThat(
              parse(h("anthropic-ratelimit-tokens-reset", value))
                  .dimension("tokens").get().resetAfter())
          .contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({
      "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z",
      "2024-05-01T12:00:00", "2024-05-01T12:00:00+25:00", "2024-05-01T12:00:00.Z",
      "1714564800", "tomorrow"
    })
    void impossibleInstants_areIgnored(String value) {
      assertThat(parse(h("anthropic-ratelimit-tokens-reset", value)).dimensions()).isEmpty();
    }
  }

  @Nested
  class GitHub {
    @Test
    void documentedExample_dimensionIsTheResource_resetIsEpochSeconds() {
      var status =
          parse(
              h(
                  "x-ratelimit-limit", "5000",
                  "x-ratelimit-remaining", "4999",
                  "x-ratelimit-used", "1",
                  "x-ratelimit-reset", String.valueOf(NOW_EPOCH + 3600),
                  "x-ratelimit-resource", "search"));
      assertThat(status.dimensions())
          .containsExactly(dim("search", 5000, 4999, Duration.ofHours(1)));
    }

    @Test
    void githubFormat_withoutResource_isCore_andRemainingFromUsed() {
      var status =
          RateLimitHeaders.of(RateLimitHeaders.GITHUB)
              .parse(
                  h("x-ratelimit-limit", "60", "x-ratelimit-used", "60", "x-ratelimit-reset",
                      String.valueOf(NOW_EPOCH - 5)),
                  Headers.NOW);
      assertThat(status.dimensions()).containsExactly(dim("core", 60, 0, Duration.ZERO));
    }

    @Test
    void invalidResourceName_fallsBackToCore() {
      var status = parse(h("x-ratelimit-limit", "60", "x-ratelimit-resource", "a b/c"));
      assertThat(status.dimensions()).containsExactly(dim("core", 60, -1, null));
    }
  }

  @Nested
  class Ietf {
    @Test
    void severalPolicies_eachIsADimension() {
      var status =
          parse(
              h(
                  "RateLimit-Policy", "\"default\";q=100;w=10, \"burst\";q=5;w=1",
                  "RateLimit", "\"default\";r=50;t=30, \"burst\";r=0;t=1"));
      assertThat(status.dimensions())
          .containsExactly(
              dim("default", 100, 50, Duration.ofSeconds(30), Duration.ofSeconds(10)),
              dim("burst", 5, 0, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void cloudflareExample_andTokenNames_andPolicyOnSeveralLines() {
      var status =
          parse(
              h(
                  "ratelimit", "\"default\";r=50;t=30",
                  "ratelimit-policy", "\"burst\";q=100;w=60",
                  "RateLimit-Policy", "daily;q=1000;w=86400"));
      assertThat(status.dimension("default").get().remaining()).hasValue(50);
      assertThat(status.dimension("burst").get().window()).contains(Duration.ofMinutes(1));
      assertThat(status.dimension("daily").get().limit()).hasValue(1000);
    }

    @Test
    void malformedMember_isSkipped_othersKept() {
      var status =
          parse(h("RateLimit", "\"a\";r=1, \"x\" y;r=2, (1 2);r=5, \"c\";R=1, \"b\";r=3;t=-4"));
      assertThat(status.dimension("a").get().remaining()).hasValue(1);
      assertThat(status.dimension("b").get().remaining()).hasValue(3);
      assertThat(status.dimension("b").get().resetAfter()).isEmpty();
      assertThat(status.dimensions()).extracting(RateLimitStatus.Dimension::name)
          .containsExactly("a", "b");
    }

    @Test
    void legacyFields_areDimensionDefault_withWindowFromPolicy() {
      var status =
          parse(
              h(
                  "RateLimit-Limit", "100, 100;w=60",
                  "RateLimit-Remaining", "25",
                  "RateLimit-Reset", "10"));
      assertThat(status.dimensions())
          .containsExactly(
              dim("default", 100, 25, Duration.ofSeconds(10), Duration.ofSeconds(60)));
    }
  }

  @Nested
  class OtherProviders {
    @Test
    void discord_headersAndBody() {
      var status =
          parse(
              h(
                  "X-RateLimit-Limit", "5",
                  "X-RateLimit-Remaining", "0",
                  "X-RateLimit-Reset", "1470173023.123",
                  "X-RateLimit-Reset-After", "1.234",
                  "X-RateLimit-Bucket", "abcd1234",
                  "X-RateLimit-Scope", "user"),
              "{\"message\": \"You are being rate limited.\", \"retry_after\": 64.57,"
                  + " \"global\": false}");
      assertThat(status.dimensions())
          .containsExactly(dim("requests", 5, 0, Duration.ofMillis(1234)));
      assertThat(status.retryAfter()).contains(Duration.ofMillis(64570));
    }

    @Test
    void discord_withoutResetAfter_usesEpochReset() {
      var status =
          RateLimitHeaders.of(RateLimitHeaders.DISCORD)
              .parse(h("X-RateLimit-Reset", NOW_EPOCH + 2 + ".5"), Headers.NOW);
      assertThat(status.dimension("requests").get().resetAfter()).contains(Duration.ofMillis(2500));
    }

    @Test
    void reddit_fractionalRemainingRoundsDown_resetIsSecondsUntil() {
      var headers =
          h("X-Ratelimit-Used", "4", "X-Ratelimit-Remaining", "596.0", "X-Ratelimit-Reset", "318");
      var expected = dim("requests", -1, 596, Duration.ofSeconds(318));
      assertThat(parse(headers).dimensions()).containsExactly(expected);
      var reddit = RateLimitHeaders.of(RateLimitHeaders.REDDIT);
      assertThat(reddit.parse(headers, Headers.NOW).dimensions())
          .containsExactly(expected);
    }

    @Test
    void x_epochReset() {
      var status =
          parse(
              h(
                  "x-rate-limit-limit", "900",
                  "x-rate-limit-remaining", "847",
                  "x-rate-limit-reset", String.valueOf(NOW_EPOCH + 900)));
      assertThat(status.dimensions())
          .containsExactly(dim("requests", 900, 847, Duration.ofMinutes(15)));
    }

    @Test
    void shopifyRest_usedOverLimit() {
      assertThat(parse(h("X-Shopify-Shop-Api-Call-Limit", "32/40")).dimensions())
          .containsExactly(dim("requests", 40, 8, null));
    }

    @Test
    void shopifyGraphQl_costAndRefillTime() {
      String body =
          "{\"data\":{\"shop\":{\"name\":\"x\"}},\"extensions\":{\"cost\":{\"requestedQueryCost\":"
              + "101,\"actualQueryCost\":46,\"throttleStatus\":{\"maximumAvailable\":1000.0,"
              + "\"currentlyAvailable\":954,\"restoreRate\":50.0}}}}";
      var status = parse(h(), body);
      assertThat(status.dimensions())
          .containsExactly(dim("cost", 1000, 954, Duration.ofMillis(920)));
      assertThat(status.retryAfter()).isEmpty();
    }

    @Test
    void shopifyGraphQl_throttled_givesRetryHint() {
      String body =
          "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}],"
              + "\"extensions\":{\"cost\":{\"requestedQueryCost\":752,\"actualQueryCost\":null,"
              + "\"throttleStatus\":{\"maximumAvailable\":1000.0,\"currentlyAvailable\":666,"
              + "\"restoreRate\":50.0}}}}";
      var status = parse(h(), body);
      assertThat(status.retryAfter()).contains(Duration.ofMillis(1720));
      assertThat(status.dimension("cost").get().remaining()).hasValue(666);
    }

    @Test
    void googleRetryInfo_inAnErrorBody() {
      String body =
          "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
              + "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"X\"},"
              + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
              + "\"retryDelay\":\"1.5s\"}]}}";
      assertThat(parse(h(), body).retryAfter()).contains(Duration.ofMillis(1500));
    }

    @Test
    void googleRetryInfo_secondsAndNanos_andTopLevelArray() {
      String body =
          "[{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
              + "\"retryDelay\":{\"seconds\":\"2\",\"nanos\":500000000}}]}}]";
      assertThat(parse(h(), body).retryAfter()).contains(Duration.ofMillis(2500));
    }

    @Test
    void genericXRateLimit_smallResetIsDelta_largeResetIsEpoch() {
      assertThat(parse(h("X-RateLimit-Limit", "10", "X-RateLimit-Reset", "30")).dimensions())
          .containsExactly(dim("requests", 10, -1, Duration.ofSeconds(30)));
      assertThat(
              parse(h("X-RateLimit-Limit", "10", "X-RateLimit-Reset",
                  String.valueOf(NOW_EPOCH + 30))).dimensions())
          .containsExactly(dim("requests", 10, -1, Duration.ofSeconds(30)));
      assertThat(parse(h("X-RateLimit-Reset", "999999999")).dimensions())
          .containsExactly(dim("requests", -1, -1, Duration.ofSeconds(999_999_999)));
      assertThat(parse(h("X-RateLimit-Reset", "1000000000")).dimensions())
          .containsExactly(dim("requests", -1, -1, Duration.ZERO));
    }
  }
}
