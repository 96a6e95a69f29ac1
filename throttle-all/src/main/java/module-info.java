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
  // Optional, and deliberately not transitive: a consumer that uses none of them compiles without
  // them; one that calls the methods naming their types adds its own `requires` (javac's
  // "exports" lint, which asks for transitive here, is switched off for this module's main code).
  requires static io.throttlenet.redis; // Redis-backed limiters in chains
  requires static io.vavr; // in signatures of the optional Vavr methods
  requires static org.slf4j; // in the signature of Slf4jEventLogger.attach

  exports io.throttlenet.decorators;
}
