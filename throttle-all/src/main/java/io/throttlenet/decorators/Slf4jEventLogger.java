package io.throttlenet.decorators;

import io.throttlenet.breaker.BreakerEvent;
import io.throttlenet.breaker.BreakerState;
import io.throttlenet.bucket.PerKeyEvent;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.Event;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;
import io.throttlenet.multidim.MultiLimiterEvent;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.QueueEvent;
import io.throttlenet.retry.RetryEvent;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs every throttle-net event through SLF4J, one line per event, naming the component:
 * breaker transitions to open, exhausted retries, dropped waiters and evictions that forgave debt
 * at WARN; other transitions, retries that succeeded, limit changes and expired waiters at INFO;
 * permits, attempts and the rest at DEBUG. Decorated calls' outcomes are logged (overload at INFO,
 * the rest at DEBUG) only when DEBUG is enabled, since listening makes every call build an event.
 *
 * <pre>{@code
 * Subscription logging = Slf4jEventLogger.attach(EventRegistry.defaultRegistry());
 * }</pre>
 *
 * <p>It subscribes only to the event types whose level the logger has enabled when it is attached,
 * so with DEBUG off the hot paths still build no events (attach again after changing levels).
 * Needs {@code org.slf4j:slf4j-api} on the class path (an optional dependency of throttle-all).
 * Thread-safe; the returned subscription stops it.
 */
public final class Slf4jEventLogger {
  /** The default logger's name. */
  public static final String LOGGER_NAME = "io.throttlenet.events";

  /** Each event type with the level its events are logged at (a transition's depends on it). */
  private static final List<Class<? extends Event>> WARN_OR_INFO = List.of(BreakerEvent.StateTransition.class);
  private static final List<Class<? extends Event>> WARN = List.of(
      RetryEvent.Exhausted.class, RetryEvent.BudgetExhausted.class, QueueEvent.Dropped.class, PerKeyEvent.IndebtedEviction.class);
  private static final List<Class<? extends Event>> INFO = List.of(
      RetryEvent.SucceededAfterRetries.class, RetryEvent.Aborted.class, ConcurrencyEvent.LimitChanged.class,
      QueueEvent.Expired.class);
  // Subscribing makes every decorated call build its event, so call events wait for DEBUG.
  private static final List<Class<? extends Event>> INFO_OR_DEBUG = List.of(CallEvent.Finished.class);
  private static final List<Class<? extends Event>> DEBUG = List.of(
      LimiterEvent.class, MultiLimiterEvent.class, RetryEvent.Attempt.class, BreakerEvent.CallNotPermitted.class,
      BreakerEvent.Success.class, BreakerEvent.Failure.class, BreakerEvent.SlowCall.class, QueueEvent.Enqueued.class,
      QueueEvent.Dispatched.class, ConcurrencyEvent.Released.class, ConcurrencyEvent.Rejected.class);

  private Slf4jEventLogger() {}

  /** Logs {@code registry}'s events to the logger named {@value #LOGGER_NAME}. */
  public static Subscription attach(EventRegistry registry) {
    return attach(registry, LoggerFactory.getLogger(LOGGER_NAME));
  }

  /**
   * Logs {@code registry}'s events to {@code logger}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static Subscription attach(EventRegistry registry, Logger logger) {
    Args.requireNonNull(registry, "registry");
    Args.requireNonNull(logger, "logger");
    List<Subscription> subscriptions = new ArrayList<>();
    if (logger.isInfoEnabled() || logger.isWarnEnabled()) {
      subscribe(registry, WARN_OR_INFO, logger, subscriptions);
    }
    if (logger.isWarnEnabled()) {
      subscribe(registry, WARN, logger, subscriptions);
    }
    if (logger.isInfoEnabled()) {
      subscribe(registry, INFO, logger, subscriptions);
    }
    if (logger.isDebugEnabled()) {
      subscribe(registry, INFO_OR_DEBUG, logger, subscriptions);
      subscribe(registry, DEBUG, logger, subscriptions);
    }
    return () -> subscriptions.forEach(Subscription::close);
  }

  private static void subscribe(
      EventRegistry registry, List<Class<? extends Event>> types, Logger logger, List<Subscription> out) {
    for (Class<? extends Event> type : types) {
      out.add(registry.subscribe(type, e -> log(logger, e)));
    }
  }

  private static void log(Logger logger, Event e) {
    Level level = levelOf(e);
    if (logger.isEnabledForLevel(level)) {
      logger.atLevel(level).log("{}: {}", e.component(), e);
    }
  }

  /** The level {@code e} is logged at. */
  static Level levelOf(Event e) {
    if (e instanceof BreakerEvent.StateTransition t) {
      return t.to() == BreakerState.OPEN || t.to() == BreakerState.FORCED_OPEN ? Level.WARN : Level.INFO;
    }
    if (e instanceof CallEvent.Finished f) {
      return f.outcome() == Outcome.DROPPED ? Level.INFO : Level.DEBUG;
    }
    for (Class<? extends Event> type : WARN) {
      if (type.isInstance(e)) {
        return Level.WARN;
      }
    }
    for (Class<? extends Event> type : INFO) {
      if (type.isInstance(e)) {
        return Level.INFO;
      }
    }
    return Level.DEBUG;
  }
}
