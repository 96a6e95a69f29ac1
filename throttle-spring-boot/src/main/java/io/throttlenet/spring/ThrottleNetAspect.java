package io.throttlenet.spring;

import io.throttlenet.core.registry.Values;
import io.throttlenet.decorators.DecoratorChain;
import io.throttlenet.decorators.Decorators;
import io.throttlenet.decorators.Registries;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.reflect.MethodSignature;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Applies {@link Throttled}, {@link Queued}, {@link Bulkhead}, {@link Breaker} and {@link
 * Retried} to a bean's method, composed as one {@code Decorators} chain in the order {@code
 * Decorators} recommends:
 *
 * <pre>
 *   caller ─▶ retry ─▶ breaker ─▶ bulkhead ─▶ queue ─▶ throttle ─▶ method
 * </pre>
 *
 * <p>Design: the annotations of a method are read once and kept (a queue's key expression parsed
 * once, evaluated per call over its arguments); the components are looked up in
 * the registries on each call (a map read), so components replaced in a registry take effect. A
 * method returning a {@link CompletionStage} gets the asynchronous chain, which never blocks a
 * thread while waiting. The method's own exceptions reach the caller unwrapped; for such a method
 * a checked exception it throws fails the returned stage with that exception.
 *
 * <p>Thread-safe.
 */
@Aspect
public class ThrottleNetAspect {
  private final Registries registries;
  private final ConcurrentHashMap<Method, Steps> steps = new ConcurrentHashMap<>();

  /** An aspect over the components of {@code registries}. */
  public ThrottleNetAspect(Registries registries) {
    this.registries = registries;
  }

  /** The annotations of one method, read once. */
  private record Steps(Throttled throttled, Queued queued, Expression queueKey, Bulkhead bulkhead,
      Breaker breaker, Retried retried, Duration maxWait, Duration deadline, Method method,
      boolean async) {}

  private static final SpelExpressionParser KEYS = new SpelExpressionParser();
  private static final ParameterNameDiscoverer PARAMETER_NAMES =
      new DefaultParameterNameDiscoverer();

  /**
   * Runs the call through the steps its method is annotated with.
   *
   * @throws Throwable what the method or a step throws
   */
  @Around("@annotation(io.throttlenet.spring.Throttled) || @annotation(io.throttlenet.spring.Bulkhead)"
      + " || @annotation(io.throttlenet.spring.Breaker) || @annotation(io.throttlenet.spring.Retried)"
      + " || @annotation(io.throttlenet.spring.Queued)")
  public Object around(ProceedingJoinPoint call) throws Throwable {
    Method method = ((MethodSignature) call.getSignature()).getMethod();
    Object target = call.getTarget();
    Method specific = target == null ? method : AopUtils.getMostSpecificMethod(method, target.getClass());
    Steps s = steps.computeIfAbsent(specific, ThrottleNetAspect::read);
    return s.async ? async(s, call) : sync(s, call);
  }

  private static Steps read(Method m) {
    Throttled throttled = AnnotatedElementUtils.findMergedAnnotation(m, Throttled.class);
    Queued queued = AnnotatedElementUtils.findMergedAnnotation(m, Queued.class);
    return new Steps(
        throttled,
        queued,
        queued == null ? null : KEYS.parseExpression(queued.key()),
        AnnotatedElementUtils.findMergedAnnotation(m, Bulkhead.class),
        AnnotatedElementUtils.findMergedAnnotation(m, Breaker.class),
        AnnotatedElementUtils.findMergedAnnotation(m, Retried.class),
        duration(throttled == null ? "" : throttled.maxWait()),
        duration(queued == null ? "" : queued.deadline()),
        m,
        CompletionStage.class.isAssignableFrom(m.getReturnType()));
  }

  /** An annotation's duration; empty for {@code Decorators.DEFAULT_MAX_WAIT}. */
  private static Duration duration(String text) {
    return text.isEmpty() ? Decorators.DEFAULT_MAX_WAIT : Values.duration(text);
  }

  private Object sync(Steps s, ProceedingJoinPoint call) throws Throwable {
    return unwrap(withSteps(Decorators.ofCallable(() -> proceed(call)), s, call).decorate());
  }

  private Object async(Steps s, ProceedingJoinPoint call) {
    return withSteps(Decorators.ofCompletionStage(() -> stage(call)), s, call).get();
  }

  /** The chain with the method's steps, innermost first (each {@code with} wraps the ones before). */
  private <C extends DecoratorChain<Object, C>> C withSteps(
      C chain, Steps s, ProceedingJoinPoint call) {
    C c = chain;
    if (s.throttled != null) {
      c = c.withThrottle(registries.throttles().component(s.throttled.value()), s.throttled.cost(), s.maxWait);
    }
    if (s.queued != null) {
      c = c.withQueue(registries.queues().component(s.queued.value()), queueKey(s, call),
          s.queued.priority(), s.queued.cost(), s.deadline);
    }
    if (s.bulkhead != null) {
      c = c.withBulkhead(registries.bulkheads().component(s.bulkhead.value()));
    }
    if (s.breaker != null) {
      c = c.withBreaker(registries.breakers().component(s.breaker.value()));
    }
    if (s.retried != null) {
      c = c.withRetry(registries.retries().component(s.retried.value()));
    }
    return c;
  }

  /** The fairness key of this call, from its arguments. */
  private static String queueKey(Steps s, ProceedingJoinPoint call) {
    EvaluationContext context =
        new MethodBasedEvaluationContext(null, s.method, call.getArgs(), PARAMETER_NAMES);
    Object key = s.queueKey.getValue(context);
    if (key == null) {
      throw new IllegalArgumentException("key of @Queued(\"" + s.queued.value() + "\") on "
          + s.method.getDeclaringClass().getSimpleName() + "." + s.method.getName()
          + " must not be null, was null for '" + s.queued.key() + "'");
    }
    return key.toString();
  }

  /** The method's own result; a {@link Throwable} that is no {@link Exception} travels wrapped. */
  private static Object proceed(ProceedingJoinPoint call) throws Exception {
    try {
      return call.proceed();
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new ThrowableCarrier(t);
    }
  }

  /**
   * The method's stage. A checked throwable it throws fails the stage with that very throwable:
   * nothing on the way back would unwrap a carrier, and the steps (a retry's predicate, a
   * breaker's classification) see the method's own failure, as they do for a failed stage.
   */
  @SuppressWarnings("unchecked")
  private static CompletionStage<Object> stage(ProceedingJoinPoint call) {
    try {
      return (CompletionStage<Object>) call.proceed();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  private static Object unwrap(Callable<Object> decorated) throws Throwable {
    try {
      return decorated.call();
    } catch (ThrowableCarrier c) {
      throw c.getCause();
    }
  }

  /** Carries a checked throwable through the chain's call shape, which throws exceptions only. */
  private static final class ThrowableCarrier extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ThrowableCarrier(Throwable cause) {
      super(cause);
    }
  }
}
