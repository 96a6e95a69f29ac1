package io.throttlenet.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes each call of the annotated method wait its turn in the admission queue named {@link
 * #value()} (an {@code AdmissionQueue<String>} in the {@code AdmissionQueueRegistry}, {@code
 * throttlenet.queue.<name>}, which names the throttle or bulkhead it fronts), for the key {@link
 * #key()} computes from the call's arguments: callers of one key take turns with those of
 * another, so one tenant's burst cannot starve the others. Between the bulkhead and the throttle,
 * as {@code Decorators.withQueue}: each retry attempt queues again. A call that is refused or
 * dropped fails with a {@code QueueFullException}; one whose deadline passes, or is predicted to,
 * with a {@code DeadlineExceededException}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Queued {

  /** The queue's name. */
  String value();

  /**
   * The fairness key, a Spring expression over the arguments ({@code #p0} or {@code #a0} for the
   * first, {@code #tenant} by name when compiled with {@code -parameters}, {@code 'shared'} for a
   * constant), turned into a string. It must not be null.
   */
  String key();

  /** The call's priority; higher goes first. Default 0. */
  int priority() default 0;

  /**
   * The call's cost: permits of a throttle (a bulkhead's slot is one whatever the cost). Default 1.
   */
  long cost() default 1;

  /**
   * The longest wait for the turn, in the form of a duration property ({@code 500ms}, {@code
   * 2s}); empty for {@code Decorators.DEFAULT_MAX_WAIT} (30 s).
   */
  String deadline() default "";
}
