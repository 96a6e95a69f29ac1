package io.throttlenet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Guards the annotated method with the circuit breaker named {@link #value()} (in the {@code
 * CircuitBreakerRegistry}, {@code throttlenet.breaker.<name>}): inside a retry, outside the
 * throttle and bulkhead, as {@code Decorators.withBreaker}. An open breaker fails with a {@code
 * CircuitOpenException}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Breaker {

  /** The breaker's name. */
  String value();
}
