package io.throttlenet.decorators;

import io.throttlenet.core.CallClassifier;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.CallReports;
import io.throttlenet.core.internal.Names;
import io.throttlenet.core.internal.Stages;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What a chain is, apart from its call: its steps (innermost first) and how it reports outcomes.
 * Immutable; every change returns a new one. It composes the one call shape every step shares.
 */
final class Spec {
  static final String DEFAULT_NAME = "call";
  private static final Layer[] NO_LAYERS = new Layer[0];

  /** A new chain's spec: one per chain, never shared, so each unnamed chain gets its own name. */
  static Spec empty() {
    return new Spec(null, null, null, null, NO_LAYERS);
  }

  private final String name;
  private final EventRegistry events;
  private final Ticker ticker;
  private final CallClassifier classifier;
  private final Layer[] layers;
  private volatile EventPublisher<CallEvent.Finished> publisher; // cache: every thread finds the same
  private final AtomicReference<String> defaultName = new AtomicReference<>(); // "call-N", on first use

  private Spec(String name, EventRegistry events, Ticker ticker, CallClassifier classifier, Layer[] layers) {
    this.name = name;
    this.events = events;
    this.ticker = ticker;
    this.classifier = classifier;
    this.layers = layers;
  }

  Spec with(Layer layer) {
    Layer[] more = Arrays.copyOf(layers, layers.length + 1);
    more[layers.length] = layer;
    return new Spec(name, events, ticker, classifier, more);
  }

  Spec named(String name) {
    Args.requireUnset(this.name != null, "name");
    return new Spec(Args.requireNonNull(name, "name"), events, ticker, classifier, layers);
  }

  Spec events(EventRegistry events) {
    Args.requireUnset(this.events != null, "events");
    return new Spec(name, Args.requireNonNull(events, "events"), ticker, classifier, layers);
  }

  Spec ticker(Ticker ticker) {
    Args.requireUnset(this.ticker != null, "ticker");
    return new Spec(name, events, Args.requireNonNull(ticker, "ticker"), classifier, layers);
  }

  Spec classifier(CallClassifier classifier) {
    Args.requireUnset(this.classifier != null, "classifier");
    return new Spec(name, events, ticker, Args.requireNonNull(classifier, "classifier"), layers);
  }

  String name() {
    if (name != null) {
      return name;
    }
    String n = defaultName.get();
    if (n == null) {
      // once per chain: every thread publishes under the name that won (a loser burns a number)
      String made = Names.unique(DEFAULT_NAME);
      n = defaultName.compareAndExchange(null, made);
      if (n == null) {
        n = made;
      }
    }
    return n;
  }

  private EventPublisher<CallEvent.Finished> publisher() {
    EventPublisher<CallEvent.Finished> p = publisher;
    if (p == null) {
      EventRegistry registry = events != null ? events : EventRegistry.defaultRegistry();
      p = registry.publisher(CallEvent.Finished.class, name());
      publisher = p;
    }
    return p;
  }

  private Ticker clock() {
    return ticker != null ? ticker : Ticker.system();
  }

  /** The call wrapped in every step, for the invocation with argument {@code arg}. */
  <T> CheckedSupplier<T> compose(Object arg, CheckedSupplier<T> call) {
    CheckedSupplier<T> s = reporting(call);
    for (Layer layer : layers) {
      s = layer.sync(arg, s);
    }
    return s;
  }

  /** The asynchronous call wrapped in every step, for the invocation with argument {@code arg}. */
  <T> Supplier<CompletionStage<T>> composeAsync(Object arg, Supplier<? extends CompletionStage<T>> call) {
    Supplier<CompletionStage<T>> s = reportingAsync(call);
    for (Layer layer : layers) {
      s = layer.async(arg, s);
    }
    return s;
  }

  // The innermost step: each attempt at the downstream is classified once and published, but
  // only when somebody listens; otherwise it costs one volatile read and no clock read.

  private <T> CheckedSupplier<T> reporting(CheckedSupplier<T> call) {
    EventPublisher<CallEvent.Finished> events = publisher();
    Ticker clock = clock();
    return () -> {
      if (!events.hasListeners()) {
        return call.get();
      }
      long start = clock.read();
      T result;
      try {
        result = call.get();
      } catch (Throwable t) {
        report(events, clock, start, null, t);
        throw t;
      }
      report(events, clock, start, result, null);
      return result;
    };
  }

  private <T> Supplier<CompletionStage<T>> reportingAsync(Supplier<? extends CompletionStage<T>> call) {
    EventPublisher<CallEvent.Finished> events = publisher();
    Ticker clock = clock();
    return () -> {
      if (!events.hasListeners()) {
        // with or without steps, a call that returns no stage fails the same clear way
        return Args.requireNonNull(call.get(), "the call's stage");
      }
      long start = clock.read();
      CompletionStage<T> stage;
      try {
        stage = Args.requireNonNull(call.get(), "the call's stage");
      } catch (RuntimeException | Error e) {
        report(events, clock, start, null, e);
        throw e;
      }
      return Stages.observe(stage, (result, failure) -> report(events, clock, start, result, Stages.unwrap(failure)));
    };
  }

  private void report(EventPublisher<CallEvent.Finished> events, Ticker clock, long start, Object result, Throwable failure) {
    events.publish(CallReports.finished(name(), classifier, clock.read() - start, result, failure));
  }
}
