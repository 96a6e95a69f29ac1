package io.throttlenet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Takes {@link #cost()} permits from the throttle named {@link #value()} (in the {@code
 * ThrottleRegistry}, as configured under {@code throttlenet.throttle.<name>}) before each call of
 * the annotated method, waiting at most {@link #maxWait()}. The innermost step, as {@code
 * Decorators.withThrottle}: each retry attempt pays for its own permits. A call that would wait
 * longer fails with a {@code MaxWaitExceededException}, charging nothing.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Throttled {

  /** The throttle's name. */
  String value();

  /** Permits per call; default 1. */
  long cost() default 1;

  /**
   * The longest wait, in the form of a duration property ({@code 0s}, {@code 500ms}); empty for
   * {@code Decorators.DEFAULT_MAX_WAIT} (30 s).
   */
  String maxWait() default "";
}
