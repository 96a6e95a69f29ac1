/**
 * throttle-net adaptive throttling: {@link io.throttlenet.adaptive.RateLimitHeaders} reads the
 * rate-limit signals providers send ({@code Retry-After}, OpenAI, Anthropic, GitHub, the IETF
 * {@code RateLimit} fields and more) and {@link io.throttlenet.adaptive.HeaderSync} keeps a local
 * limiter within the budget the server says is left; {@link io.throttlenet.adaptive.ServerWindow}
 * mirrors a server's exact window; concurrency controllers ({@link
 * io.throttlenet.adaptive.AimdController}, {@link io.throttlenet.adaptive.VegasController}, {@link
 * io.throttlenet.adaptive.Gradient2Controller}) find a downstream's capacity from how calls end.
 */
module io.throttlenet.adaptive {
  requires transitive io.throttlenet.multidim;
  requires transitive io.throttlenet.queue;

  exports io.throttlenet.adaptive;
}
