package io.throttlenet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits the calls of the annotated method in flight with the bulkhead named {@link #value()}
 * (a {@code ConcurrencyLimit} in the {@code ConcurrencyLimitRegistry}, {@code
 * throttlenet.bulkhead.<name>}): next to the throttle, as {@code Decorators.withBulkhead}. A call
 * that finds no slot within the bulkhead's {@code max-wait} fails with a {@code
 * BulkheadFullException}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Bulkhead {

  /** The bulkhead's name. */
  String value();
}
