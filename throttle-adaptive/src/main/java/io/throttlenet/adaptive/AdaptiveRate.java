package io.throttlenet.adaptive;

import io.throttlenet.core.AdjustableRateLimiter;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.core.internal.Args;

/**
 * Wires a {@link RateController} to a token bucket ({@link AdjustableRateLimiter}: a local {@code
 * Throttle}, or a {@code RedisThrottle} whose rate the whole fleet shares): every attempt a named
 * chain (or any component publishing {@link CallEvent}s) finishes is a sample, and the bucket's
 * rate follows the controller's answer through {@link AdjustableRateLimiter#setRate(double)} (its
 * burst stays). A change of less than 1 % is not applied: each change reconfigures the bucket (for
 * a {@code RedisThrottle}, one round trip), and such a change admits nothing different in
 * practice.
 *
 * <pre>{@code
 * Throttle throttle = Throttle.perSecond(50);
 * Supplier<String> call = Decorators.ofSupplier(() -> client.get(url))
 *     .withName("github").withThrottle(throttle).decorate();
 * AdaptiveRate.attach(throttle, CubicRateController.create(), EventRegistry.defaultRegistry(), "github");
 * }</pre>
 *
 * <p>Thread-safe; {@link #close} stops following.
 */
public final class AdaptiveRate implements AutoCloseable {
  private final AdjustableRateLimiter throttle;
  private final RateController<?> controller;
  private final Subscription subscription;

  private AdaptiveRate(
      AdjustableRateLimiter throttle,
      RateController<?> controller,
      EventRegistry events,
      String component) {
    this.throttle = throttle;
    this.controller = controller;
    throttle.setRate(controller.rate());
    this.subscription = events.subscribe(CallEvent.Finished.class, component, this::onFinished);
  }

  /**
   * Steers {@code throttle} with {@code controller}, from the {@link CallEvent}s that {@code
   * component} (a chain's name) publishes in {@code events}. Sets the throttle's rate to the
   * controller's at once.
   */
  public static AdaptiveRate attach(
      AdjustableRateLimiter throttle,
      RateController<?> controller,
      EventRegistry events,
      String component) {
    Args.requireNonNull(throttle, "throttle");
    Args.requireNonNull(controller, "controller");
    Args.requireNonNull(events, "events");
    Args.requireNonNull(component, "component");
    return new AdaptiveRate(throttle, controller, events, component);
  }

  /** The controller. */
  public RateController<?> controller() {
    return controller;
  }

  private void onFinished(CallEvent.Finished e) {
    double next = controller.onSample(e.outcome(), throttle.ticker().read());
    double current = throttle.permitsPerSecond();
    if (Math.abs(next - current) >= 0.01 * current) {
      throttle.setRate(next);
    }
  }

  /** Stops following the events; the throttle keeps its current rate. */
  @Override
  public void close() {
    subscription.close();
  }

  @Override
  public String toString() {
    return "AdaptiveRate[" + throttle.name() + ", " + controller + "]";
  }
}
