package io.throttlenet.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Cold sources a test controls: every subscription is counted and gets its own sink, which the
 * test completes, fails or leaves open; how many subscriptions are live right now is tracked too.
 */
final class Sources {
  final AtomicInteger subscriptions = new AtomicInteger();
  final AtomicInteger live = new AtomicInteger();
  final AtomicInteger maxLive = new AtomicInteger();
  final AtomicInteger cancels = new AtomicInteger();
  final List<Sinks.One<String>> sinks = new ArrayList<>();

  /** A Mono whose every subscription waits for the test to decide. */
  Mono<String> mono() {
    return Mono.defer(() -> {
      Sinks.One<String> sink = Sinks.one();
      synchronized (sinks) {
        sinks.add(sink);
      }
      started();
      return sink.asMono().doOnTerminate(live::decrementAndGet).doOnCancel(this::cancelled);
    });
  }

  /** A Mono that answers {@code value} at once, counting subscriptions. */
  Mono<String> just(String value) {
    return Mono.defer(() -> {
      subscriptions.incrementAndGet();
      return Mono.just(value);
    });
  }

  /** A Mono that fails with {@code failure} the first {@code failures} times, then answers. */
  Mono<String> failing(int failures, RuntimeException failure, String value) {
    return Mono.defer(() -> subscriptions.incrementAndGet() <= failures ? Mono.error(failure) : Mono.just(value));
  }

  /** A Flux of {@code elements} that fails after them the first {@code failures} times. */
  Flux<String> fluxFailing(int failures, RuntimeException failure, String... elements) {
    return Flux.defer(() -> {
      Flux<String> f = Flux.fromArray(elements);
      return subscriptions.incrementAndGet() <= failures ? f.concatWith(Flux.error(failure)) : f;
    });
  }

  Sinks.One<String> sink(int i) {
    synchronized (sinks) {
      return sinks.get(i);
    }
  }

  private void started() {
    subscriptions.incrementAndGet();
    maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
  }

  private void cancelled() {
    cancels.incrementAndGet();
    live.decrementAndGet();
  }
}
