package io.throttlenet.adaptive;

import static io.throttlenet.adaptive.Headers.NOW;
import static io.throttlenet.adaptive.Headers.NOW_EPOCH;
import static io.throttlenet.adaptive.Headers.dim;
import static io.throttlenet.adaptive.Headers.h;
import static io.throttlenet.adaptive.Headers.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How formats combine: precedence, the retry-hint rule, restricting and adding formats. */
class RateLimitHeadersPrecedenceTest {

  @Test
  void defaults_holdTheDocumentedOrder() {
    assertThat(RateLimitHeaders.defaults().formats())
        .containsExactly(
            RateLimitHeaders.RETRY_AFTER_MS,
            RateLimitHeaders.GOOGLE_RETRY_INFO,
            RateLimitHeaders.RETRY_AFTER,
            RateLimitHeaders.OPENAI,
            RateLimitHeaders.ANTHROPIC,
            RateLimitHeaders.IETF_RATELIMIT,
            RateLimitHeaders.IETF_RATELIMIT_LEGACY,
            RateLimitHeaders.X,
            RateLimitHeaders.SHOPIFY,
            RateLimitHeaders.SHOPIFY_GRAPHQL,
            RateLimitHeaders.X_RATELIMIT);
    assertThat(RateLimitHeaders.defaults().formats())
        .extracting(HeaderFormat::name)
        .doesNotHaveDuplicates()
        .contains("openai", "retry-after", "x-ratelimit");
  }

  @Test
  void retryAfterMs_beatsTheRoundedRetryAfter() {
    assertThat(parse(h("Retry-After", "2", "retry-after-ms", "1500")).retryAfter())
        .contains(Duration.ofMillis(1500));
  }

  @Test
  void aClearlyLongerRetrySignal_winsOverAPreciseShortOne() {
    assertThat(parse(h("Retry-After", "30", "retry-after-ms", "20")).retryAfter())
        .contains(Duration.ofSeconds(30));
    String body =
        "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
            + "\"retryDelay\":\"1.5s\"}]}}";
    assertThat(parse(h("retry-after-ms", "100"), body).retryAfter())
        .contains(Duration.ofMillis(1500));
  }

  @Test
  void discordBodyAndHeader_largestWins() {
    var status =
        parse(h("Retry-After", "65", "X-RateLimit-Bucket", "b"), "{\"retry_after\": 64.57}");
    assertThat(status.retryAfter()).contains(Duration.ofSeconds(65));
  }

  @Test
  void firstFormatToReportAValue_wins_othersFillIn() {
    var status =
        parse(
            h(
                "RateLimit", "\"default\";r=5",
                "RateLimit-Remaining", "9",
                "RateLimit-Limit", "10"));
    assertThat(status.dimensions()).containsExactly(dim("default", 10, 5, null));
  }

  @Test
  void githubResource_decidesTheSharedNames_overDiscordMarks() {
    var status =
        parse(
            h(
                "x-ratelimit-resource", "graphql",
                "x-ratelimit-bucket", "b",
                "x-ratelimit-limit", "5000",
                "x-ratelimit-reset", "30"));
    // GitHub's reset is always epoch seconds: 30 s after 1970 is long past.
    assertThat(status.dimensions()).containsExactly(dim("graphql", 5000, -1, Duration.ZERO));
  }

  @Test
  void of_restrictsToTheGivenFormats() {
    Map<String, List<String>> headers =
        h("Retry-After", "5", "x-ratelimit-remaining-tokens", "7", "RateLimit", "\"p\";r=1");
    var onlyOpenAi = RateLimitHeaders.of(RateLimitHeaders.OPENAI).parse(headers, NOW);
    assertThat(onlyOpenAi.retryAfter()).isEmpty();
    assertThat(onlyOpenAi.dimensions()).containsExactly(dim("tokens", -1, 7, null));
    assertThat(RateLimitHeaders.of().parse(headers, NOW).isEmpty()).isTrue();
  }

  @Test
  void of_differentMeaningsOfTheSameNames() {
    var headers =
        h("X-Ratelimit-Remaining", "10.9", "X-Ratelimit-Reset", String.valueOf(NOW_EPOCH + 60));
    assertThat(RateLimitHeaders.of(RateLimitHeaders.GITHUB).parse(headers, NOW).dimensions())
        .containsExactly(dim("core", -1, 10, Duration.ofSeconds(60)));
    assertThat(RateLimitHeaders.of(RateLimitHeaders.REDDIT).parse(headers, NOW).dimensions())
        .containsExactly(dim("requests", -1, 10, Duration.ofSeconds(NOW_EPOCH + 60)));
  }

  @Test
  void userFormat_addsItsOwnDimension_andComesAfterBuiltIns() {
    HeaderFormat acme =
        Headers.format(
            "acme",
            (headers, status) -> {
              List<String> v = headers.get("acme-credits-left");
              if (v != null) {
                status.remaining("credits", Long.parseLong(v.get(0)));
                status.remaining("tokens", 1);
              }
            });
    var parser = RateLimitHeaders.of(RateLimitHeaders.OPENAI, acme);
    var status =
        parser.parse(h("ACME-Credits-Left", "12", "x-ratelimit-remaining-tokens", "99"), NOW);
    assertThat(status.dimensions())
        .containsExactly(dim("tokens", -1, 99, null), dim("credits", -1, 12, null));
    assertThat(parser.formats()).containsExactly(RateLimitHeaders.OPENAI, acme);
  }

  @Test
  void aThrowingUserFormat_contributesNothing_othersStand() {
    HeaderFormat broken =
        Headers.format(
            "broken",
            (headers, status) -> {
              status.remaining("half", 1);
              throw new IllegalStateException("boom");
            });
    var status =
        RateLimitHeaders.of(broken, RateLimitHeaders.RETRY_AFTER)
            .parse(h("Retry-After", "3"), NOW);
    assertThat(status.dimensions()).isEmpty();
    assertThat(status.retryAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void userFormat_withAHugeRetryHint_doesNotOverflow() {
    HeaderFormat huge =
        Headers.format(
            "huge", (headers, status) -> status.retryAfter(Duration.ofSeconds(Long.MAX_VALUE)));
    var status = RateLimitHeaders.of(huge, huge, RateLimitHeaders.RETRY_AFTER)
        .parse(h("Retry-After", "1"), NOW);
    assertThat(status.retryAfter()).contains(Duration.ofSeconds(Long.MAX_VALUE));
  }

  @Test
  void of_rejectsNulls_namingTheIndex() {
    assertThatThrownBy(() -> RateLimitHeaders.of(RateLimitHeaders.OPENAI, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("formats[1]");
    assertThatThrownBy(() -> RateLimitHeaders.parse(null, NOW))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> RateLimitHeaders.parse(h(), null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void builtInFormats_haveNames_andToStringIsTheName() {
    assertThat(RateLimitHeaders.GITHUB.name()).isEqualTo("github");
    assertThat(RateLimitHeaders.DISCORD).hasToString("discord");
  }
}
