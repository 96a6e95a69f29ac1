/**
 * Calling an HTTP API with the JDK's {@link java.net.http.HttpClient}, throttled and resilient.
 *
 * <p>Start with {@link io.throttlenet.http.ThrottledHttpClient#builder(java.net.http.HttpClient)}:
 * give it a limiter (a {@code Throttle}, or a {@code MultiLimiter} for requests and tokens) and it
 * is a drop-in {@code HttpClient} whose {@code send} and {@code sendAsync} charge every attempt,
 * retry what the server says is worth retrying after the wait it asks for, and follow the
 * server's rate-limit headers. {@link io.throttlenet.http.HttpCallClassifier} decides what each
 * response means; {@link io.throttlenet.http.HttpStatusException} carries a response that was
 * turned into a failure.
 *
 * <p>Nothing in this package accepts or returns null unless its documentation says so.
 */
package io.throttlenet.http;
