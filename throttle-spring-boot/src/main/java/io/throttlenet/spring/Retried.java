package io.throttlenet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Retries the annotated method with the retry named {@link #value()} (in the {@code
 * RetryRegistry}, {@code throttlenet.retry.<name>}). The outermost step, as {@code
 * Decorators.withRetry}: it retries the throttle, bulkhead and breaker steps with the call.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Retried {

  /** The retry's name. */
  String value();
}
