package io.throttlenet.adaptive;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.ConcurrencyLimit;

/**
 * Wires a {@link ConcurrencyController} to a {@link ConcurrencyLimit}: every call that gives its
 * slot back (a {@link ConcurrencyEvent.Released}, with its outcome, latency and the calls still
 * in flight) is a sample, and the limit follows the controller's answer through {@link
 * ConcurrencyLimit#setLimit}, which publishes a {@link ConcurrencyEvent.LimitChanged} (and so moves
 * the limit's gauge in throttle-micrometer).
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
      ConcurrencyLimit limit, ConcurrencyController<?> controller, EventRegistry events) {
    this.limit = limit;
    this.controller = controller;
    limit.setLimit(controller.limit());
    this.subscription =
        events.subscribe(ConcurrencyEvent.Released.class, limit.name(), this::onReleased);
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
    return new AdaptiveConcurrency(limit, controller, events);
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

  /** Stops following the limit's events; the limit keeps its current value. */
  @Override
  public void close() {
    subscription.close();
  }

  @Override
  public String toString() {
    return "AdaptiveConcurrency[" + limit.name() + ", " + controller + "]";
  }
}
