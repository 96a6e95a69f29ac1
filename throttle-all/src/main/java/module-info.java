/**
 * throttle-net, all of it: the {@link io.throttlenet.decorators.Decorators} fluent API over every
 * capability module, Vavr entry points and terminals (optional: Vavr is needed only by those), and
 * {@link io.throttlenet.decorators.Slf4jEventLogger} (optional: SLF4J is needed only by it).
 */
module io.throttlenet.all {
  requires transitive io.throttlenet.core;
  requires transitive io.throttlenet.bucket;
  requires transitive io.throttlenet.multidim;
  requires transitive io.throttlenet.retry;
  requires transitive io.throttlenet.breaker;
  requires transitive io.throttlenet.queue;
  requires transitive io.throttlenet.adaptive;
  requires transitive io.throttlenet.http;
  requires static transitive io.throttlenet.redis; // optional: Redis-backed limiters in chains
  requires static transitive io.vavr; // in signatures of the optional Vavr methods
  requires static transitive org.slf4j; // in the signature of Slf4jEventLogger.attach

  exports io.throttlenet.decorators;
}
