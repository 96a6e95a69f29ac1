package io.throttlenet.reactor;

import io.throttlenet.core.internal.Stages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One subscription through a chain of steps: the downstream's {@link Subscription}, and the
 * source of the attempts the steps make. The composed call is the chain's asynchronous call shape
 * (the {@code decorateAsync} of every capability); each attempt subscribes to the source anew and
 * its stage completes when that subscription ends.
 *
 * <p>For a {@code Flux}, elements go downstream as the source emits them, and the downstream's
 * demand is carried over from one attempt to the next (an arbiter, like Reactor's own retry). For
 * a {@code Mono}, the value is held until the whole chain has decided about it (a retry may
 * reject a result) and then delivered when requested.
 *
 * <p>The downstream of a {@code Flux} is reached through Reactor's serialising subscriber: the
 * end of the call (on whatever thread a step ends it) and the source's elements are thus never
 * signalled at once, and nothing follows the end. Uncontended, this costs two monitor entries per
 * element and no allocation; elements are queued only while another signal is being delivered.
 *
 * <p>A cancel by the downstream cancels the chain's stage, which every step passes inward (a
 * wait for a permit, a slot or a turn gives its place back; a retry makes no further attempt),
 * and the attempt in flight, whose subscription is cancelled: each step then gives back what it
 * holds exactly once, as it does for any cancelled asynchronous call.
 */
final class Bridge<T> implements Subscription {
  private static final int REQUESTED = 1;
  private static final int HAS_VALUE = 2;
  private static final int DELIVERED = 4;

  private final CoreSubscriber<? super T> actual;
  private final Publisher<? extends T> source;
  private final boolean mono;

  // the Flux arbiter: demand not yet met, and the current attempt's subscription
  private final Object arbiter = new Object(); // not this: the downstream holds this object
  private long requested; // guarded by arbiter
  private Subscription upstream; // guarded by arbiter

  // the Mono's delivery: requested, value present, delivered (or cancelled)
  private final AtomicInteger delivery = new AtomicInteger();
  private volatile T value;

  private volatile boolean cancelled;
  private volatile boolean terminated; // the downstream has been (or is being) told the end
  private volatile CompletableFuture<?> outer;
  private volatile Attempt current;

  private Bridge(CoreSubscriber<? super T> actual, Publisher<? extends T> source, boolean mono) {
    this.actual = actual;
    this.source = source;
    this.mono = mono;
  }

  /** A {@code Mono} whose every subscription runs through the call {@code compose} makes. */
  static <T> Mono<T> mono(
      Mono<? extends T> source, Function<Supplier<CompletionStage<Object>>, Supplier<CompletionStage<Object>>> compose) {
    return new Mono<T>() {
      @Override
      public void subscribe(CoreSubscriber<? super T> actual) {
        new Bridge<T>(actual, source, true).start(compose);
      }
    };
  }

  /** A {@code Flux} whose every subscription runs through the call {@code compose} makes. */
  static <T> Flux<T> flux(
      Publisher<? extends T> source, Function<Supplier<CompletionStage<Object>>, Supplier<CompletionStage<Object>>> compose) {
    return new Flux<T>() {
      @Override
      public void subscribe(CoreSubscriber<? super T> actual) {
        // A step may end the call on another thread (a timeout's timer) while the source's thread
        // is inside onNext: serialising the downstream makes that terminal signal wait for the
        // onNext in progress, and drops any onNext that comes after it (Reactive Streams 1.3,
        // 1.7). A Mono needs none of this: its value goes downstream only from finished().
        new Bridge<T>(Operators.serialize(actual), source, false).start(compose);
      }
    };
  }

  private void start(Function<Supplier<CompletionStage<Object>>, Supplier<CompletionStage<Object>>> compose) {
    actual.onSubscribe(this);
    if (cancelled) {
      return;
    }
    CompletionStage<Object> stage;
    try {
      stage = compose.apply(this::attempt).get();
      if (stage == null) {
        throw new NullPointerException("the chain returned a null stage");
      }
    } catch (Throwable t) {
      actual.onError(Operators.onOperatorError(t, actual.currentContext()));
      return;
    }
    try {
      outer = stage.toCompletableFuture();
    } catch (UnsupportedOperationException minimalStage) {
      // a step returned a stage that cannot be cancelled: the attempt is still cancelled directly
    }
    if (cancelled) {
      cancelStages();
    }
    stage.whenComplete(this::finished);
  }

  /** The innermost call: one attempt, a fresh subscription to the source. */
  private CompletionStage<Object> attempt() {
    Attempt a = new Attempt();
    current = a; // before the check: a cancel racing this either sees it or is seen
    if (cancelled) {
      a.future.cancel(false);
      return a.future;
    }
    try {
      source.subscribe(a);
    } catch (Throwable t) {
      a.future.completeExceptionally(t);
    }
    return a.future;
  }

  private void finished(Object result, Throwable failure) {
    terminated = true;
    Attempt a = current;
    if (a != null && !a.future.isDone()) {
      a.future.cancel(false); // a step ended the call before its attempt (a timeout): stop the source
    }
    if (cancelled) {
      return;
    }
    if (failure != null) {
      actual.onError(Stages.unwrap(failure));
      return;
    }
    if (!mono || result == null) {
      actual.onComplete();
      return;
    }
    @SuppressWarnings("unchecked")
    T v = (T) result;
    value = v;
    set(HAS_VALUE);
  }

  // ---- Subscription, for the downstream ----

  @Override
  public void request(long n) {
    if (!Operators.validate(n)) {
      return;
    }
    if (mono) {
      set(REQUESTED);
      return;
    }
    Subscription s;
    synchronized (arbiter) {
      requested = Operators.addCap(requested, n);
      s = upstream;
    }
    if (s != null) {
      s.request(n);
    }
  }

  @Override
  public void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    cancelStages();
    if (mono) {
      delivery.getAndUpdate(s -> s | DELIVERED);
      value = null;
    }
  }

  private void cancelStages() {
    CompletableFuture<?> o = outer;
    if (o != null) {
      o.cancel(false); // reaches inward through every step
    }
    Attempt a = current;
    if (a != null) {
      a.future.cancel(false); // and the attempt itself, whatever a step does with the cancel
    }
  }

  /** Adds {@code bit} to the Mono's delivery state; delivers once both value and demand are there. */
  private void set(int bit) {
    for (;;) {
      int s = delivery.get();
      if ((s & DELIVERED) != 0) {
        return;
      }
      int next = s | bit;
      boolean ready = (next & (REQUESTED | HAS_VALUE)) == (REQUESTED | HAS_VALUE);
      if (delivery.compareAndSet(s, ready ? next | DELIVERED : next)) {
        if (ready) {
          T v = value;
          value = null;
          actual.onNext(v);
          actual.onComplete();
        }
        return;
      }
    }
  }

  // ---- the Flux arbiter ----

  private void attach(Subscription s) {
    long r;
    synchronized (arbiter) {
      upstream = s;
      r = requested;
    }
    if (r > 0) {
      s.request(r);
    }
  }

  private void produced() {
    synchronized (arbiter) {
      if (requested != Long.MAX_VALUE) {
        requested--;
      }
    }
  }

  /**
   * One subscription to the source. Its stage completes when the subscription ends: with the
   * Mono's value, or the Flux's last element (null if none), or with the source's error; a cancel
   * of the stage cancels the subscription.
   */
  private final class Attempt implements CoreSubscriber<T> {
    final CompletableFuture<Object> future = new AttemptFuture();
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private boolean done; // signals are serial: no synchronisation needed
    private T last;

    /**
     * The attempt's stage. A cancel stops the subscription <em>before</em> the stage completes, so
     * a step that gives a slot back when it completes never does so while the source still runs.
     */
    private final class AttemptFuture extends CompletableFuture<Object> {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        if (!isDone()) {
          cancelUpstream();
        }
        return super.cancel(mayInterruptIfRunning);
      }

      @Override
      public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
      }
    }

    private void cancelUpstream() {
      Subscription s = subscription.getAndSet(Operators.cancelledSubscription());
      if (s != null && s != Operators.cancelledSubscription()) {
        s.cancel();
      }
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (!subscription.compareAndSet(null, s)) {
        s.cancel(); // cancelled before the source called back, or a second subscription
        return;
      }
      if (mono) {
        s.request(Long.MAX_VALUE);
      } else {
        attach(s);
      }
    }

    @Override
    public void onNext(T t) {
      if (done || terminated || future.isCancelled()) {
        // after the end, or from an attempt a step (a timeout) already cancelled: never passed on
        Operators.onDiscard(t, actual.currentContext());
        return;
      }
      if (mono) {
        done = true; // a Mono's value ends it: a cancel from now on is too late to matter
        future.complete(t);
        return;
      }
      last = t;
      produced();
      actual.onNext(t);
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        Operators.onErrorDropped(t, actual.currentContext());
        return;
      }
      done = true;
      last = null;
      future.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      if (done) {
        return;
      }
      done = true;
      T l = last;
      last = null;
      future.complete(l);
    }
  }
}
