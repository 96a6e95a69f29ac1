package io.throttlenet.spring;

import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.registry.Registry;
import io.throttlenet.core.registry.Values;
import io.throttlenet.decorators.Registries;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code throttlenet}: every component of every registry with its state
 * now, by kind and name. A throttle shows its available permits, capacity and rate; a
 * multi-limiter the available permits and capacity of each dimension; a breaker its state; a
 * bulkhead its current limit (which an adaptive controller may be moving), calls in flight and
 * waiters; a retry its attempts and backoff; an admission queue its size (waiters), queued cost,
 * capacity and the limiter it fronts; a server window the available permits, cost in flight,
 * limit and window of each dimension, and its waiters. Expose it as any endpoint ({@code
 * management.endpoints.web.exposure.include=throttlenet}). Thread-safe; values are read one by
 * one, not as an atomic snapshot.
 */
@Endpoint(id = "throttlenet")
public class ThrottleNetEndpoint {
  private final Registries registries;

  /** An endpoint over {@code registries}. */
  public ThrottleNetEndpoint(Registries registries) {
    this.registries = registries;
  }

  /** Kind, then component name, then the component's state. */
  @ReadOperation
  public Map<String, Map<String, Map<String, Object>>> components() {
    Map<String, Map<String, Map<String, Object>>> all = new LinkedHashMap<>();
    all.put(registries.throttles().kind(), describe(registries.throttles(), ThrottleNetEndpoint::throttle));
    all.put(registries.multiLimiters().kind(), describe(registries.multiLimiters(), ThrottleNetEndpoint::multi));
    all.put(registries.retries().kind(), describe(registries.retries(), ThrottleNetEndpoint::retry));
    all.put(registries.breakers().kind(), describe(registries.breakers(), ThrottleNetEndpoint::breaker));
    all.put(registries.bulkheads().kind(), describe(registries.bulkheads(), ThrottleNetEndpoint::bulkhead));
    all.put(registries.queues().kind(), describe(registries.queues(), ThrottleNetEndpoint::queue));
    all.put(
        registries.windows().kind(), describe(registries.windows(), ThrottleNetEndpoint::window));
    return all;
  }

  private static <E> Map<String, Map<String, Object>> describe(
      Registry<E, ?> registry, Function<E, Map<String, Object>> state) {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    registry.components().forEach((name, component) -> byName.put(name, state.apply(component)));
    return byName;
  }

  private static Map<String, Object> throttle(Throttle t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("availablePermits", t.availablePermits());
    m.put("capacity", t.capacity());
    t.config().rate().ifPresent(r -> m.put("rate", Values.formatRate(r)));
    m.put("permitsPerSecond", t.permitsPerSecond());
    return m;
  }

  private static Map<String, Object> multi(MultiLimiter l) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String d : l.dimensions()) {
      m.put(d, Map.of("availablePermits", l.availablePermits(d), "capacity", l.capacity(d)));
    }
    return m;
  }

  private static Map<String, Object> retry(Retry r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("maxAttempts", r.maxAttempts());
    m.put("backoff", r.backoff().toString());
    return m;
  }

  private static Map<String, Object> breaker(CircuitBreaker b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", b.state().name());
    return m;
  }

  private static Map<String, Object> bulkhead(ConcurrencyLimit c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("limit", c.limit());
    m.put("inFlight", c.inFlight());
    m.put("waiting", c.waiting());
    return m;
  }

  private static Map<String, Object> queue(AdmissionQueue<String> q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", q.size());
    m.put("queuedCost", q.queuedCost());
    q.config().capacity().ifPresent(c -> m.put("capacity", c));
    q.config().limiter().ifPresent(l -> m.put("limiter", l.toString()));
    return m;
  }

  private static Map<String, Object> window(ServerWindow w) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String d : w.dimensions()) {
      Map<String, Object> dimension = new LinkedHashMap<>();
      dimension.put("availablePermits", w.availablePermits(d));
      dimension.put("inFlight", w.inFlight(d));
      dimension.put("limit", w.capacity(d));
      dimension.put("window", w.window(d).toString());
      m.put(d, dimension);
    }
    m.put("waiting", w.waiting());
    return m;
  }
}
