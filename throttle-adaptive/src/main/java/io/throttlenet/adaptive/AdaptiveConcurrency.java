package io.throttlenet.adaptive;

import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.ConcurrencyLimit;

/**
 * Wires a {@link ConcurrencyController} to a {@link ConcurrencyLimit}: every call that gives its
 * slot back (a {@link ConcurrencyEvent.Released}, with its outcome, latency and the calls still
 * in flight) is a sample, and the limit follows the controller's answer through {@link
 * ConcurrencyLimit#setLimit}, which publishes a {@link ConcurrencyEvent.LimitChanged}. With
 * throttle-micrometer, {@code BulkheadGauges.register(metrics, limit)} shows the limit as it moves.
 *
 * <pre>{@code
 * ConcurrencyLimit bulkhead = ConcurrencyLimit.builder().limit(10).build();
 * AdaptiveConcurrency.attach(bulkhead, VegasController.create());
 * // use bulkhead as before, in a chain or with its permits
 * }</pre>
 *
 * <p>The outcome is the limit's own classification of the call (its classifier for exceptions,
 * or what the caller reported on its permit): a call that failed with a 503 counts as a drop only
 * if it is classified {@link io.throttlenet.core.Outcome#DROPPED}. Thread-safe; {@link #close}
 * stops following.
 */
public final class AdaptiveConcurrency implements AutoCloseable {
  private final ConcurrencyLimit limit;
  private final ConcurrencyController<?> controller;
  private final Subscription subscription;

  private AdaptiveConcurrency(
      ConcurrencyLimit limit, ConcurrencyController<?> controller, EventRegistry events, String chain) {
    this.limit = limit;
    this.controller = controller;
    limit.setLimit(controller.limit());
    this.subscription =
        chain == null
            ? events.subscribe(ConcurrencyEvent.Released.class, limit.name(), this::onReleased)
            : events.subscribe(CallEvent.Finished.class, chain, this::onFinished);
  }

  /**
   * Steers {@code limit} with {@code controller}, from the limit's events in the default registry
   * (where a limit built without {@code events(...)} publishes). Sets the limit to the
   * controller's at once.
   */
  public static AdaptiveConcurrency attach(
      ConcurrencyLimit limit, ConcurrencyController<?> controller) {
    return attach(limit, controller, EventRegistry.defaultRegistry());
  }

  /** Like {@link #attach(ConcurrencyLimit, ConcurrencyController)}, from {@code events}. */
  public static AdaptiveConcurrency attach(
      ConcurrencyLimit limit, ConcurrencyController<?> controller, EventRegistry events) {
    Args.requireNonNull(limit, "limit");
    Args.requireNonNull(controller, "controller");
    Args.requireNonNull(events, "events");
    return new AdaptiveConcurrency(limit, controller, events, null);
  }

  /**
   * Steers {@code limit} with {@code controller} from the {@link CallEvent}s that {@code chain}
   * (a {@code Decorators} chain's name, or any component publishing them) publishes in {@code
   * events}: for calls whose overload is a result rather than an exception (an HTTP 503 response),
   * which the chain's classifier sees and the bulkhead does not. The calls in flight are the
   * limit's at the time of each event.
   */
  public static AdaptiveConcurrency attach(
      ConcurrencyLimit limit, ConcurrencyController<?> controller, EventRegistry events, String chain) {
    Args.requireNonNull(limit, "limit");
    Args.requireNonNull(controller, "controller");
    Args.requireNonNull(events, "events");
    Args.requireNonNull(chain, "chain");
    return new AdaptiveConcurrency(limit, controller, events, chain);
  }

  /**
   * A new bulkhead steered by {@code controller}, publishing to its own event registry: one line
   * for a chain, {@code .withBulkhead(AdaptiveConcurrency.bulkhead(VegasController.create()))}.
   * Its calls are classified by their exceptions (the bulkhead's default classifier); for
   * metrics on it, or an outcome other than an exception, build the limit yourself and {@link
   * #attach} the controller.
   */
  public static ConcurrencyLimit bulkhead(ConcurrencyController<?> controller) {
    Args.requireNonNull(controller, "controller");
    EventRegistry own = EventRegistry.create();
    ConcurrencyLimit limit =
        ConcurrencyLimit.builder().name("adaptive-bulkhead").limit(controller.limit()).events(own).build();
    attach(limit, controller, own);
    return limit;
  }

  /** The controller. */
  public ConcurrencyController<?> controller() {
    return controller;
  }

  private void onReleased(ConcurrencyEvent.Released e) {
    int next =
        controller.onSample(
            e.outcome(), e.latency().toNanos(), e.inFlight() + 1, limit.ticker().read());
    if (next != limit.limit()) {
      limit.setLimit(next);
    }
  }

  private void onFinished(CallEvent.Finished e) {
    int next =
        controller.onSample(
            e.outcome(), e.latency().toNanos(), limit.inFlight() + 1, limit.ticker().read());
    if (next != limit.limit()) {
      limit.setLimit(next);
    }
  }

  /** Stops following the events; the limit keeps its current value. */
  @Override
  public void close() {
    subscription.close();
  }

  @Override
  public String toString() {
    return "AdaptiveConcurrency[" + limit.name() + ", " + controller + "]";
  }
}
