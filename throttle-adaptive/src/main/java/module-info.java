/**
 * throttle-net adaptive throttling: {@link io.throttlenet.adaptive.RateLimitHeaders} reads the
 * rate-limit signals providers send ({@code Retry-After}, OpenAI, Anthropic, GitHub, the IETF
 * {@code RateLimit} fields and more) and {@link io.throttlenet.adaptive.HeaderSync} keeps a local
 * limiter within the budget the server says is left.
 */
module io.throttlenet.adaptive {
  requires transitive io.throttlenet.multidim;

  exports io.throttlenet.adaptive;
}
