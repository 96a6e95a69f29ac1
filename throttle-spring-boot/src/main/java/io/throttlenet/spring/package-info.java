/**
 * Spring Boot starter for throttle-net. Add {@code throttle-spring-boot} and configure components
 * under {@code throttlenet.*} in {@code application.yml}; {@link
 * io.throttlenet.spring.ThrottleNetAutoConfiguration} lists what is wired. Annotate bean methods
 * with {@link io.throttlenet.spring.Throttled}, {@link io.throttlenet.spring.Queued}, {@link
 * io.throttlenet.spring.Bulkhead}, {@link io.throttlenet.spring.Breaker} and {@link
 * io.throttlenet.spring.Retried}.
 *
 * <p>Nothing here accepts or returns null unless documented.
 */
package io.throttlenet.spring;
