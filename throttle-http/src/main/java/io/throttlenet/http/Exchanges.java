package io.throttlenet.http;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.Costs;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One attempt at the server, innermost in a {@link ThrottledHttpClient}'s chain: take the
 * request's cost, mark the header sync's start, exchange, then apply the response's rate-limit
 * headers, settle the cost, publish the attempt's {@link CallEvent.Finished} and, for a response
 * that counts against the server's health, fail with an {@link HttpStatusException} so that the
 * retry, breaker and bulkhead outside see it for what it is.
 *
 * <p>Order matters in three places. The sync's start is marked after the grant, so the calls
 * granted meanwhile are the ones the server may not have counted. The headers are applied before
 * the cost is settled and before anyone outside hears of the response, so a 429's pause is in
 * force before the retry's next attempt asks the limiter. And a charge is given back only when
 * the request certainly never went out (cancelled while waiting for its grant), or when it was
 * refused with a 429 by a server said not to count refusals; once it may have gone out, the
 * estimate stands unless a successful response says what it really used.
 *
 * <p>Thread-safe: all state is per attempt.
 */
final class Exchanges {
  private final HttpClient delegate;
  private final Budget budget;
  private final HeaderSync sync;
  private final CircuitBreaker breaker;
  private final HttpCallClassifier classifier;
  private final EventPublisher<CallEvent.Finished> events;
  private final Ticker ticker;
  private final String name;
  private final boolean refusalsUncounted;

  Exchanges(
      HttpClient delegate,
      Budget budget,
      HeaderSync sync,
      CircuitBreaker breaker,
      HttpCallClassifier classifier,
      EventPublisher<CallEvent.Finished> events,
      Ticker ticker,
      String name,
      boolean refusalsUncounted) {
    this.delegate = delegate;
    this.budget = budget;
    this.sync = sync;
    this.breaker = breaker;
    this.classifier = classifier;
    this.events = events;
    this.ticker = ticker;
    this.name = name;
    this.refusalsUncounted = refusalsUncounted;
  }

  /** One blocking attempt. */
  <T> HttpResponse<T> once(HttpRequest request, HttpResponse.BodyHandler<T> handler, Costs costs)
      throws IOException, InterruptedException {
    Attempt a = new Attempt(budget == null ? Budget.Charge.NONE : budget.take(request, costs));
    HttpResponse<T> response;
    try {
      response = delegate.send(request, handler);
    } catch (Throwable t) {
      a.failed(t);
      throw t;
    }
    return a.answered(request, response);
  }

  /** One asynchronous attempt; a cancel reaches the wait for the grant or the exchange. */
  <T> CompletionStage<HttpResponse<T>> onceAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> push,
      Costs costs) {
    if (budget == null) {
      return exchange(request, handler, push, Budget.Charge.NONE);
    }
    CompletableFuture<Budget.Charge> grant;
    try {
      grant = budget.takeAsync(request, costs);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // a cost function's failure, say
    }
    return Stages.afterGrant(
        grant, charge -> exchange(request, handler, push, charge), Budget.Charge::giveBack);
  }

  private <T> CompletionStage<HttpResponse<T>> exchange(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> push,
      Budget.Charge charge) {
    Attempt a = new Attempt(charge);
    CompletableFuture<HttpResponse<T>> sent;
    try {
      sent =
          push == null
              ? delegate.sendAsync(request, handler)
              : delegate.sendAsync(request, handler, push);
    } catch (RuntimeException | Error e) {
      a.failed(e);
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<T>> out = new CompletableFuture<>();
    sent.whenComplete(
        (response, failure) -> {
          if (failure != null) {
            Throwable cause = Stages.unwrap(failure);
            a.failed(cause);
            out.completeExceptionally(cause);
            return;
          }
          try {
            out.complete(a.answered(request, response));
          } catch (Throwable t) {
            out.completeExceptionally(t);
          }
        });
    out.whenComplete(
        (ignored, failure) -> {
          if (failure instanceof CancellationException) {
            sent.cancel(true); // the JDK's client aborts the exchange only when it may interrupt
          }
        });
    return out;
  }

  /** What one attempt holds between its grant and its end. */
  private final class Attempt {
    private final Budget.Charge charge;
    private final HeaderSync.Call call;
    private final boolean timed;
    private final long start;

    Attempt(Budget.Charge charge) {
      this.charge = charge;
      this.call = sync == null ? null : sync.begin();
      this.timed = events.hasListeners();
      this.start = timed ? ticker.read() : 0;
    }

    void failed(Throwable failure) {
      try {
        charge.keep(); // it may have reached the server
      } finally {
        report(null, failure, null);
      }
    }

    <T> HttpResponse<T> answered(HttpRequest request, HttpResponse<T> response)
        throws HttpStatusException {
      int status = response.statusCode();
      if (call != null) {
        try {
          call.complete(response.headers().map(), response.body() instanceof String s ? s : null);
        } catch (RuntimeException unreadable) {
          // a response's signals never change the call's outcome
        }
      }
      Duration hint = status >= 400 ? classifier.retryAfter(response).orElse(null) : null;
      try {
        if (status >= 200 && status < 300) {
          charge.settle(request, response);
        } else if (status == 429 && refusalsUncounted) {
          charge.giveBack(); // the server counted none of it
        } else {
          charge.keep();
        }
      } finally {
        report(response, null, hint);
      }
      if (!classifier.isServerFailure(status)) {
        return response;
      }
      if (breaker != null && hint != null) {
        breaker.onRetryAfter(hint); // an open breaker waits at least as long as the server asked
      }
      throw new HttpStatusException(response, hint);
    }

    private void report(HttpResponse<?> response, Throwable failure, Duration hint) {
      if (!timed || !events.hasListeners()) {
        return;
      }
      Outcome outcome;
      try {
        outcome = classifier.classify(response, failure);
      } catch (RuntimeException e) {
        outcome = Outcome.IGNORED;
      }
      long latency = Math.max(0, ticker.read() - start);
      events.publish(
          new CallEvent.Finished(
              name,
              outcome,
              Duration.ofNanos(latency),
              Optional.ofNullable(hint),
              Optional.ofNullable(failure)));
    }
  }
}
