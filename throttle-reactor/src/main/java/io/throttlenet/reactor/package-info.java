/**
 * Project Reactor operators for throttle-net: {@link io.throttlenet.reactor.ReactorThrottling}
 * (a chain of steps around a {@code Mono} or {@code Flux}, per subscription), {@link
 * io.throttlenet.reactor.ElementThrottle} (pacing a stream's elements by their cost) and {@link
 * io.throttlenet.reactor.SchedulerTicker} (components waiting on a Reactor {@code Scheduler}).
 */
package io.throttlenet.reactor;
