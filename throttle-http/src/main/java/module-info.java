/**
 * throttle-net for {@code java.net.http}: {@link io.throttlenet.http.ThrottledHttpClient}, an
 * {@link java.net.http.HttpClient} that charges each request to a limiter or a multi-dimensional
 * budget, retries 429s, 503s and I/O errors after the server's hint, counts them in a breaker and
 * a bulkhead and keeps the local budget in step with the server's rate-limit headers; and {@link
 * io.throttlenet.http.HttpCallClassifier}, what an HTTP response or failure says about the server.
 */
module io.throttlenet.http {
  requires transitive java.net.http;
  requires transitive io.throttlenet.core;
  requires transitive io.throttlenet.multidim;
  requires transitive io.throttlenet.retry;
  requires transitive io.throttlenet.breaker;
  requires transitive io.throttlenet.queue;
  requires transitive io.throttlenet.adaptive;

  exports io.throttlenet.http;
}
