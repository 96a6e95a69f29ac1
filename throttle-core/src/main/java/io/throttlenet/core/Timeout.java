package io.throttlenet.core;

import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how long a call may take, including any waiting for permits, turns or slots by the steps
 * inside it; past the bound the caller gets a {@link CallTimeoutException}.
 *
 * <pre>{@code
 * Timeout timeout = Timeout.of(Duration.ofSeconds(10));
 * Supplier<String> bounded = Decorators.ofSupplier(client::call).withThrottle(throttle).withTimeout(timeout).decorate();
 * }</pre>
 *
 * <h2>Policy</h2>
 *
 * <ul>
 *   <li><b>Asynchronous calls</b>: at the deadline the returned stage fails with a {@link
 *       CallTimeoutException} and the cancel is passed inward: a step still waiting for a permit
 *       gives it back, and the call's own stage is cancelled if it can be. What the call holds (a
 *       bulkhead slot, a half-open probe) stays held until the call has really ended.
 *   <li><b>Synchronous calls</b> run on the caller's thread, which a timeout cannot take back. At
 *       the deadline the caller's thread is interrupted (unless {@link
 *       Builder#interruptOnTimeout(boolean) interruptOnTimeout(false)}): a wait for a permit, a
 *       slot or a turn ends at once and gives its reservation back, and so does any interruptible
 *       I/O in the call (the JDK's {@code HttpClient.send}, for one). Whenever the call ends after
 *       the deadline, by returning or throwing, the caller gets the {@link CallTimeoutException}
 *       (a late result is discarded; a late failure is its cause), and the interrupt this timeout
 *       caused is cleared, so it never leaks into the caller's next blocking call.
 * </ul>
 *
 * The deadline is read from the {@link Ticker} (a {@link ManualTicker} drives it in tests).
 * Immutable and thread-safe.
 */
public final class Timeout implements Decorator<Object> {
  private final String name;
  private final Duration timeout;
  private final long timeoutNanos;
  private final boolean interrupt;
  private final Ticker ticker;

  private Timeout(Builder b) {
    this.name = b.nameOr("timeout");
    this.timeout = b.timeout;
    this.timeoutNanos = Args.saturatedNanos(b.timeout);
    this.interrupt = b.interrupt == null || b.interrupt;
    this.ticker = b.tickerOr(Ticker.system());
  }

  /**
   * A timeout of {@code timeout}, with the defaults.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public static Timeout of(Duration timeout) {
    return builder().timeout(timeout).build();
  }

  /** A builder; {@link Builder#timeout} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** This timeout's name, used in its exceptions. */
  public String name() {
    return name;
  }

  /** The time a call is allowed. */
  public Duration timeout() {
    return timeout;
  }

  @Override
  public <R> CheckedSupplier<R> decorate(CheckedSupplier<R> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      Watch watch = new Watch(interrupt ? Thread.currentThread() : null);
      Ticker.Scheduled timer = ticker.schedule(ticker.read() + timeoutNanos, watch::expire);
      R result;
      try {
        result = call.get();
      } catch (Throwable t) {
        timer.cancel();
        if (!watch.finish()) {
          throw new CallTimeoutException(name, timeout, t);
        }
        throw t;
      }
      timer.cancel();
      if (!watch.finish()) {
        throw new CallTimeoutException(name, timeout, null);
      }
      return result;
    };
  }

  @Override
  public <R> Supplier<CompletionStage<R>> decorateAsync(Supplier<? extends CompletionStage<R>> call) {
    Args.requireNonNull(call, "call");
    return () -> {
      Stages.Tracked<R> out = new Stages.Tracked<>();
      long start = ticker.read();
      CompletionStage<R> stage;
      try {
        stage = Args.requireNonNull(call.get(), "the call's stage");
      } catch (RuntimeException | Error e) {
        out.completeExceptionally(e);
        out.settle();
        return out;
      }
      Ticker.Scheduled timer;
      try {
        timer = ticker.schedule(start + timeoutNanos, () -> {
          if (out.completeExceptionally(new CallTimeoutException(name, timeout, null))) {
            Stages.cancel(stage); // the steps inside give back what they wait for
          }
        });
      } catch (RuntimeException | Error e) {
        out.completeExceptionally(e); // the call has started: settled only when it ends
        stage.whenComplete((result, failure) -> Stages.whenSettled(stage, out::settle));
        return out;
      }
      stage.whenComplete(
          (result, failure) -> {
            timer.cancel();
            if (failure == null) {
              out.complete(result);
            } else {
              out.completeExceptionally(Stages.unwrap(failure));
            }
            Stages.whenSettled(stage, out::settle); // after completing, as every step settles
          });
      out.whenComplete((result, failure) -> timer.cancel());
      Stages.cancelInward(out, stage);
      return out;
    };
  }

  @Override
  public String toString() {
    return "Timeout[" + name + ", " + timeout + "]";
  }

  /**
   * Decides, once, whether a synchronous call finished or timed out first. The timer's side moves
   * RUNNING to EXPIRING, interrupts, then EXPIRED; the caller's side moves RUNNING to DONE, or else
   * waits out the short EXPIRING window so that the interrupt has landed before it clears it.
   */
  private static final class Watch extends AtomicInteger {
    private static final long serialVersionUID = 1L;
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int EXPIRING = 2;
    private static final int EXPIRED = 3;

    private final transient Thread caller; // null: do not interrupt
    private boolean interrupted; // by us; written before EXPIRED, read after it

    Watch(Thread caller) {
      this.caller = caller;
    }

    void expire() {
      if (compareAndSet(RUNNING, EXPIRING)) {
        if (caller != null && !caller.isInterrupted()) { // an interrupt already there is not ours
          interrupted = true;
          caller.interrupt();
        }
        set(EXPIRED);
      }
    }

    /** True if the call finished in time; false if it timed out (its interrupt then cleared). */
    boolean finish() {
      if (compareAndSet(RUNNING, DONE)) {
        return true;
      }
      while (get() != EXPIRED) {
        Thread.onSpinWait();
      }
      if (interrupted) {
        Thread.interrupted(); // ours: must not reach the caller's next wait
      }
      return false;
    }
  }

  /**
   * Builds a {@link Timeout}. Each option may be set once. The shared options ({@link
   * ComponentBuilder}) default to a unique name such as {@code "timeout-1"} and {@link
   * Ticker#system()}; a timeout publishes no events of its own. Not thread-safe.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private Duration timeout;
    private Boolean interrupt;

    private Builder() {}

    /**
     * The time a call is allowed, waits included. Required.
     *
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder timeout(Duration timeout) {
      Args.requireUnset(this.timeout != null, "timeout");
      Args.requirePositiveNanos(timeout, "timeout");
      this.timeout = timeout;
      return this;
    }

    /**
     * Whether a synchronous call's thread is interrupted at the deadline; default {@code true}.
     * With {@code false}, a synchronous call runs to its end and only then fails with the
     * timeout.
     *
     * @throws IllegalStateException if already set
     */
    public Builder interruptOnTimeout(boolean interrupt) {
      Args.requireUnset(this.interrupt != null, "interruptOnTimeout");
      this.interrupt = interrupt;
      return this;
    }

    /**
     * Builds the timeout.
     *
     * @throws IllegalStateException if no timeout was set
     */
    public Timeout build() {
      if (timeout == null) {
        throw new IllegalStateException("timeout must be set");
      }
      return new Timeout(this);
    }
  }
}
