package io.throttlenet.http;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.ComponentBuilder;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.RejectedException;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.internal.Args;
import io.throttlenet.core.internal.Stages;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An {@link HttpClient} that calls a rate-limited API right: every attempt is charged to a
 * limiter (or a multi-dimensional budget, reserved and settled at the real usage), a 429 or 503
 * is retried after the wait the server asked for, server failures count in a breaker and a
 * bulkhead, and the server's rate-limit headers keep the local budget in step with its own.
 *
 * <pre>{@code
 * ThrottledHttpClient client = ThrottledHttpClient.builder(HttpClient.newHttpClient())
 *     .limiter(llm)          // a MultiLimiter with "requests" and "tokens"
 *     .syncHeaders()         // follow x-ratelimit-remaining-*, pause everyone on a 429
 *     .build();
 * HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <h2>What one call does</h2>
 *
 * <pre>
 *   send ─▶ retry ─▶ breaker ─▶ bulkhead ─▶ limiter ─▶ header sync ─▶ HttpClient
 *          (outer)                                                     (one attempt)
 * </pre>
 *
 * Each attempt waits for its own permit (a retry is charged again, so retries never exceed the
 * budget), then goes out; its response's rate-limit headers are applied to the limiter before
 * anything else hears of it, so a 429's {@code Retry-After} pauses every caller, not only this
 * one. The {@link HttpCallClassifier} decides what each attempt means: a 429 or 503 is overload
 * and retried after the server's hint, any other 5xx and the I/O errors are retried after the
 * backoff, a 4xx (except 408 and 429) is the request's fault and returned at once. The breaker
 * counts what speaks against the server's health (a 5xx, a 408, an I/O error); a 404 is no
 * evidence against it, and neither is a 429, which the limiter and the retry deal with. Refusals
 * of the client's own steps (an open breaker, a wait for permits longer than {@link
 * Builder#maxWait}, a full bulkhead) are thrown at once, never retried.
 *
 * <h2>Responses are results</h2>
 *
 * Whatever the status, the caller gets the response: a 404 at once, a 503 once the retries are
 * spent (the last one). With {@link Builder#errorsAsExceptions()}, a final status of 400 or more
 * is thrown instead, as an {@link HttpStatusException} carrying the response. I/O errors, the
 * body handler's own exceptions and the steps' rejections ({@link RejectedException}) are thrown
 * as they are; {@code sendAsync} fails its future with them, unwrapped.
 *
 * <h2>Asynchronous calls hold no thread</h2>
 *
 * {@code sendAsync} waits for permits, bulkhead slots and retry delays on the ticker's scheduler.
 * Cancelling the returned future stops whatever it is waiting for: a wait for a permit gives the
 * permit back, a retry makes no further attempt, and an exchange in flight is aborted (the JDK
 * client's future is cancelled with {@code mayInterruptIfRunning}). A bulkhead slot stays taken
 * until the exchange's own future has completed, which the JDK client does as it aborts. An
 * interrupt of a thread blocked in {@code send} stops it the same way.
 *
 * <h2>Defaults, for a typical JSON API</h2>
 *
 * Every part is optional. Without a limiter nothing is charged; with one, a request costs 1, or
 * for a {@link MultiLimiter} or a {@link ServerWindow} (the limiter for a server that enforces
 * an exact sliding window): 1 {@code "requests"} and, in a dimension named {@code "tokens"} or
 * {@code "input_tokens"}, a quarter of the request body's length (about four bytes a token);
 * permits are waited for at most 30 s. A retry of 3 attempts with {@link
 * io.throttlenet.retry.Backoff#ofDefaults()} unless {@link Builder#retry} or {@link
 * Builder#noRetry}; server hints are capped at the retry's {@code maxRetryAfter}. Each attempt
 * times out after 60 s unless its request sets a timeout. No breaker, bulkhead or header sync
 * unless given. Every attempt is published as a {@link CallEvent.Finished} under the client's
 * name.
 *
 * <p>WebSockets ({@link #newWebSocketBuilder()}) go to the wrapped client unthrottled; the other
 * accessors answer for it too. Thread-safe; build one per API and share it.
 */
public final class ThrottledHttpClient extends HttpClient {
  /** The longest an attempt waits for its permits unless told otherwise: 30 seconds. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

  /** How long an attempt may take when its request sets no timeout: 60 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient delegate;
  private final String name;
  private final Retry retry;
  private final CircuitBreaker breaker;
  private final ConcurrencyLimit bulkhead;
  private final HeaderSync sync;
  private final HttpCallClassifier classifier;
  private final Duration timeout;
  private final boolean errorsAsExceptions;
  private final Exchanges exchanges;
  private final boolean takesCosts;
  private final boolean hasLimiter;

  private ThrottledHttpClient(Builder b) {
    this.delegate = b.delegate;
    this.name = b.name();
    EventRegistry events = b.events();
    Budget budget = b.budget();
    Ticker ticker = b.ticker(budget);
    this.classifier = b.classifier != null ? b.classifier : HttpCallClassifier.defaults();
    this.retry =
        b.noRetry
            ? null
            : b.retry != null
                ? b.retry
                : Retry.builder().name(name + "-retry").ticker(ticker).events(events).build();
    this.breaker = b.breaker;
    this.bulkhead = b.bulkhead;
    this.sync =
        b.sync != null
            ? b.sync
            : b.syncHeaders
                ? budget.syncBuilder().name(name + "-sync").events(events).build()
                : null;
    this.timeout = b.timeout != null ? b.timeout : DEFAULT_TIMEOUT;
    this.hasLimiter = budget != null;
    this.takesCosts = budget != null && budget.takesCosts();
    this.errorsAsExceptions = b.errorsAsExceptions;
    this.exchanges =
        new Exchanges(
            delegate,
            budget,
            sync,
            breaker,
            classifier,
            events.publisher(CallEvent.Finished.class, name),
            ticker,
            name,
            b.refusalsUncounted);
  }

  /** A builder over a new {@link HttpClient} that follows redirects and connects within 10 s. */
  public static Builder builder() {
    return builder(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10))
            .build());
  }

  /** A builder over {@code delegate}, the client that makes the exchanges. */
  public static Builder builder(HttpClient delegate) {
    return new Builder(Args.requireNonNull(delegate, "delegate"));
  }

  /** This client's name, in its events and its steps' default names. */
  public String name() {
    return name;
  }

  /** The header sync this client applies each response to, if any. */
  public Optional<HeaderSync> headerSync() {
    return Optional.ofNullable(sync);
  }

  /** The classifier that decides what each attempt means. */
  public HttpCallClassifier classifier() {
    return classifier;
  }

  /**
   * Sends {@code request}, throttled and retried, and returns the last response, whatever its
   * status (unless {@linkplain Builder#errorsAsExceptions() asked for exceptions}).
   *
   * @throws IOException the last attempt's I/O error, or an {@link HttpStatusException} if
   *     asked for
   * @throws InterruptedException if interrupted while waiting or exchanging; a permit waited for
   *     is given back, the exchange is aborted
   * @throws RejectedException if a step refused the call: an open breaker, a full bulkhead, a
   *     wait for permits longer than the bound, a cost above the limiter's capacity
   * @throws IllegalArgumentException if the request has a cost the limiter does not know
   */
  @Override
  public <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler)
      throws IOException, InterruptedException {
    return send(request, responseBodyHandler, (Costs) null);
  }

  /**
   * Like {@link #send(HttpRequest, HttpResponse.BodyHandler)}, charging each attempt {@code
   * costs} instead of what the {@linkplain Builder#costs cost function} says: for a caller who
   * knows them, such as an LLM call's prompt tokens and {@code max_tokens}. With {@linkplain
   * Builder#usage usage}, they are the estimate that is reserved.
   *
   * @throws IllegalStateException if this client's limiter is neither a {@link MultiLimiter} nor
   *     a {@link ServerWindow}
   * @throws IllegalArgumentException if {@code costs} names a dimension the limiter lacks
   */
  public <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler, Costs costs)
      throws IOException, InterruptedException {
    Args.requireNonNull(request, "request");
    Args.requireNonNull(responseBodyHandler, "responseBodyHandler");
    requireCostsTaken(costs);
    HttpRequest r = timed(request);
    CheckedSupplier<HttpResponse<T>> attempt = () -> exchanges.once(r, responseBodyHandler, costs);
    if (bulkhead != null) {
      attempt = bulkhead.decorate(attempt);
    }
    if (breaker != null) {
      attempt = BreakerStep.decorate(breaker, attempt);
    }
    HttpResponse<T> response;
    try {
      response = retry == null ? attempt.get() : retry.run(attempt::get, classifier::retryAction);
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      return lastResponse(e);
    } catch (Exception e) {
      throw new IOException(e); // nothing in the chain throws another checked exception
    }
    return delivered(response);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler) {
    return sendAsync(request, responseBodyHandler, null, null);
  }

  /**
   * Like {@link #sendAsync(HttpRequest, HttpResponse.BodyHandler)}, charging each attempt {@code
   * costs}; see {@link #send(HttpRequest, HttpResponse.BodyHandler, Costs)}.
   *
   * @throws IllegalStateException if this client's limiter is neither a {@link MultiLimiter} nor
   *     a {@link ServerWindow}
   */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler, Costs costs) {
    return sendAsync(request, responseBodyHandler, null, costs);
  }

  /**
   * Sends {@code request} asynchronously, throttled and retried; see the class description. The
   * future fails with what {@link #send} would throw, unwrapped; cancelling it stops the wait or
   * aborts the exchange.
   */
  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> responseBodyHandler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return sendAsync(request, responseBodyHandler, pushPromiseHandler, null);
  }

  private <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> responseBodyHandler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler,
      Costs costs) {
    Args.requireNonNull(request, "request");
    Args.requireNonNull(responseBodyHandler, "responseBodyHandler");
    requireCostsTaken(costs);
    HttpRequest r = timed(request);
    Supplier<CompletionStage<HttpResponse<T>>> attempt =
        () -> exchanges.onceAsync(r, responseBodyHandler, pushPromiseHandler, costs);
    if (bulkhead != null) {
      attempt = bulkhead.decorateAsync(attempt);
    }
    if (breaker != null) {
      attempt = BreakerStep.decorateAsync(breaker, attempt);
    }
    CompletionStage<HttpResponse<T>> stage;
    try {
      stage = retry == null ? attempt.get() : retry.runAsync(attempt, classifier::retryAction);
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse<T>> out = new CompletableFuture<>();
    stage.whenComplete(
        (response, failure) -> {
          try {
            out.complete(
                failure == null ? delivered(response) : lastResponse(Stages.unwrap(failure)));
          } catch (Throwable t) {
            out.completeExceptionally(t);
          }
        });
    Stages.cancelInward(out, stage);
    return out;
  }

  private void requireCostsTaken(Costs costs) {
    if (costs != null && !takesCosts) {
      throw new IllegalStateException(
          "a call's costs need limiter(MultiLimiter) or limiter(ServerWindow); this client has "
              + (hasLimiter ? "a single limiter" : "no limiter"));
    }
  }

  /** The request, with the default timeout if it sets none. */
  private HttpRequest timed(HttpRequest request) {
    if (request.timeout().isPresent()) {
      return request;
    }
    return HttpRequest.newBuilder(request, (header, value) -> true).timeout(timeout).build();
  }

  /** A final response, or its status as an exception if the user asked for that. */
  private <T> HttpResponse<T> delivered(HttpResponse<T> response) throws HttpStatusException {
    if (errorsAsExceptions && response.statusCode() >= 400) {
      throw new HttpStatusException(response, classifier.retryAfter(response).orElse(null));
    }
    return response;
  }

  /**
   * The response behind a final failure, when the failure is only a response that counted
   * against the server (retries spent, or stopped by the retry's deadline or budget); otherwise
   * the failure, rethrown.
   */
  @SuppressWarnings("unchecked")
  private <T> HttpResponse<T> lastResponse(Throwable failure)
      throws IOException, InterruptedException {
    if (!errorsAsExceptions) {
      Throwable t = failure;
      if (t instanceof RejectedException && t.getCause() instanceof HttpStatusException) {
        t = t.getCause(); // the retry's deadline or budget ended it: the caller gets the answer
      }
      if (t instanceof HttpStatusException h) {
        return (HttpResponse<T>) h.response();
      }
    }
    if (failure instanceof IOException e) {
      throw e;
    }
    if (failure instanceof InterruptedException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    throw new IOException(failure);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  /** The wrapped client's WebSocket builder: WebSockets are not throttled. */
  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "ThrottledHttpClient[" + name + "]";
  }

  /**
   * Builds a {@link ThrottledHttpClient}. Each option may be set once, and {@link #build()}
   * checks that they fit together. The shared options ({@link ComponentBuilder}) default to a
   * unique name such as {@code "http-1"}, the limiter's ticker (else {@link Ticker#system()}) and
   * the default event registry. Not thread-safe; the client is.
   */
  public static final class Builder extends ComponentBuilder<Builder> {
    private final HttpClient delegate;
    private RateLimiter limiter;
    private MultiLimiter multi;
    private ServerWindow window;
    private ToLongFunction<HttpRequest> cost;
    private Function<HttpRequest, Costs> costs;
    private BiFunction<HttpRequest, HttpResponse<?>, Costs> usage;
    private Duration maxWait;
    private HeaderSync sync;
    private boolean syncHeaders;
    private Retry retry;
    private boolean noRetry;
    private CircuitBreaker breaker;
    private ConcurrencyLimit bulkhead;
    private HttpCallClassifier classifier;
    private Duration timeout;
    private boolean errorsAsExceptions;
    private boolean refusalsUncounted;

    private Builder(HttpClient delegate) {
      this.delegate = delegate;
    }

    private void requireNoLimiter() {
      Args.requireUnset(limiter != null || multi != null || window != null, "limiter");
    }

    private boolean hasLimiter() {
      return limiter != null || multi != null || window != null;
    }

    /** Charges every attempt {@link #cost} (1 by default) of {@code limiter}. */
    public Builder limiter(RateLimiter limiter) {
      requireNoLimiter();
      this.limiter = Args.requireNonNull(limiter, "limiter");
      return this;
    }

    /**
     * Charges every attempt {@link #costs} of {@code limiter}: by default 1 {@code "requests"}
     * and, in a {@code "tokens"} or {@code "input_tokens"} dimension, a quarter of the body's
     * length. A limiter with none of these dimensions needs {@link #costs}.
     */
    public Builder limiter(MultiLimiter limiter) {
      requireNoLimiter();
      this.multi = Args.requireNonNull(limiter, "limiter");
      return this;
    }

    /**
     * Charges every attempt {@link #costs} of {@code window}, from its grant until a window after
     * its response: against a server that enforces an exact sliding window, the whole budget
     * without 429s, however the network delays calls (see {@link ServerWindow}). Default costs as
     * for a {@link #limiter(MultiLimiter) MultiLimiter}; with {@link #usage}, the permit is
     * released at the usage a success reports. {@link #maxWait} bounds how long a call waits.
     */
    public Builder limiter(ServerWindow window) {
      requireNoLimiter();
      this.window = Args.requireNonNull(window, "window");
      return this;
    }

    /** The cost of a request to a single {@link #limiter(RateLimiter) limiter}; must be >= 0. */
    public Builder cost(ToLongFunction<HttpRequest> cost) {
      Args.requireUnset(this.cost != null, "cost");
      this.cost = Args.requireNonNull(cost, "cost");
      return this;
    }

    /**
     * The costs of a request to a {@link #limiter(MultiLimiter) MultiLimiter}, such as its
     * requests and estimated tokens; with {@link #usage}, the estimate that is reserved.
     */
    public Builder costs(Function<HttpRequest, Costs> costs) {
      Args.requireUnset(this.costs != null, "costs");
      this.costs = Args.requireNonNull(costs, "costs");
      return this;
    }

    /**
     * Reserve-then-settle: each attempt reserves its {@link #costs} and, when it is answered
     * with a 2xx, is settled at {@code usage} of the request and the response (the usage the
     * server reports, read from its body or headers); null keeps the estimate. Any other
     * outcome keeps the estimate: the server may have counted it. An exception thrown by
     * {@code usage} reaches the caller, with the estimate kept.
     */
    public Builder usage(BiFunction<HttpRequest, HttpResponse<?>, Costs> usage) {
      Args.requireUnset(this.usage != null, "usage");
      this.usage = Args.requireNonNull(usage, "usage");
      return this;
    }

    /**
     * The longest an attempt waits for its permits; default {@link #DEFAULT_MAX_WAIT}. A longer
     * predicted wait fails at once with a {@code MaxWaitExceededException}, charging nothing.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxWait(Duration maxWait) {
      Args.requireUnset(this.maxWait != null, "maxWait");
      Args.requireNonNegativeNanos(maxWait, "maxWait");
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Applies every response to {@code sync}, which must be built on this client's limiter;
     * see {@link HeaderSync}.
     */
    public Builder headerSync(HeaderSync sync) {
      Args.requireUnset(this.sync != null || syncHeaders, "headerSync");
      this.sync = Args.requireNonNull(sync, "sync");
      return this;
    }

    /**
     * Follows the server's rate-limit headers with a {@link HeaderSync} made for this client's
     * limiter: a {@link MultiLimiter}'s or {@link ServerWindow}'s dimensions follow the server's
     * of the same names, a single limiter follows {@code "requests"}. It subscribes to the limiter's grants in this
     * builder's event registry, which must be the one the limiter publishes to (both default to
     * the default registry). For a fleet, a mapping or other options, build the sync yourself
     * and pass it to {@link #headerSync(HeaderSync)}.
     */
    public Builder syncHeaders() {
      Args.requireUnset(this.sync != null || syncHeaders, "headerSync");
      this.syncHeaders = true;
      return this;
    }

    /**
     * Retries with {@code retry}'s attempts, backoff, deadline, budget and cap on server hints.
     * What is worth retrying is the {@linkplain #classifier classifier}'s call, not the retry's
     * own exception classifier; a result classifier of the retry still sees each response.
     */
    public Builder retry(Retry retry) {
      Args.requireUnset(this.retry != null || noRetry, "retry");
      this.retry = Args.requireNonNull(retry, "retry");
      return this;
    }

    /** Makes one attempt per call, never retrying. */
    public Builder noRetry() {
      Args.requireUnset(this.retry != null || noRetry, "retry");
      this.noRetry = true;
      return this;
    }

    /**
     * Counts every attempt in {@code breaker} (5xx, 408 and I/O errors as failures; a 429 not at
     * all) and fails fast while it is open. Build it without a limiter: the client charges its
     * own.
     */
    public Builder breaker(CircuitBreaker breaker) {
      Args.requireUnset(this.breaker != null, "breaker");
      this.breaker = Args.requireNonNull(breaker, "breaker");
      return this;
    }

    /**
     * Holds one slot of {@code bulkhead} for each attempt, from before its permit is waited for
     * until its exchange ends. To report 429s and 503s as overload to it, build it with {@code
     * .classify(t -> HttpCallClassifier.defaults().classify(null, t))}.
     */
    public Builder bulkhead(ConcurrencyLimit bulkhead) {
      Args.requireUnset(this.bulkhead != null, "bulkhead");
      this.bulkhead = Args.requireNonNull(bulkhead, "bulkhead");
      return this;
    }

    /** Decides what each attempt means; default {@link HttpCallClassifier#defaults()}. */
    public Builder classifier(HttpCallClassifier classifier) {
      Args.requireUnset(this.classifier != null, "classifier");
      this.classifier = Args.requireNonNull(classifier, "classifier");
      return this;
    }

    /**
     * How long an attempt may take when its request sets no timeout of its own; default {@link
     * #DEFAULT_TIMEOUT}. Past it the attempt fails with an {@code HttpTimeoutException}, which
     * is retried.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      Args.requireUnset(this.timeout != null, "timeout");
      Args.requirePositiveNanos(timeout, "timeout");
      this.timeout = timeout;
      return this;
    }

    /**
     * Throws a final response of status 400 or more as an {@link HttpStatusException} (the
     * response inside) instead of returning it.
     */
    public Builder errorsAsExceptions() {
      Args.requireUnset(errorsAsExceptions, "errorsAsExceptions");
      this.errorsAsExceptions = true;
      return this;
    }

    /**
     * Says the server does not count a call it refuses with 429 (as most rate limiters, and the
     * exact sliding windows {@link ServerWindow} mirrors, do not): such an attempt's charge is
     * given back at once instead of kept. Without it a 429's charge stands, the safe choice when
     * refusals may count. It is meant for a {@link #limiter(ServerWindow) ServerWindow}, which
     * cancels the refused call exactly. A token bucket (a single limiter, or a {@code
     * MultiLimiter}'s) gives back only what it safely can, which by the time the response arrives
     * is usually nothing: calls granted after it depend on its cost, so it comes back by refill.
     */
    public Builder refusedCallsUncounted() {
      Args.requireUnset(refusalsUncounted, "refusedCallsUncounted");
      this.refusalsUncounted = true;
      return this;
    }

    private String name() {
      return nameOr("http");
    }

    private EventRegistry events() {
      return eventsOrDefault();
    }

    private Ticker ticker(Budget budget) {
      return tickerOr(budget != null ? budget.ticker() : Ticker.system());
    }

    private Budget budget() {
      Duration wait = maxWait != null ? maxWait : DEFAULT_MAX_WAIT;
      if (limiter != null) {
        return Budget.single(limiter, cost != null ? cost : request -> 1, wait);
      }
      if (multi != null) {
        return Budget.multi(
            multi, costs != null ? costs : defaultCosts(multi.dimensions()), usage, wait);
      }
      if (window != null) {
        return Budget.window(
            window,
            costs != null ? costs : defaultCosts(Set.copyOf(window.dimensions())),
            usage,
            wait);
      }
      return null;
    }

    private static Function<HttpRequest, Costs> defaultCosts(Set<String> dims) {
      boolean requests = dims.contains("requests");
      String tokens =
          dims.contains("tokens")
              ? "tokens"
              : dims.contains("input_tokens") ? "input_tokens" : null;
      if (!requests && tokens == null) {
        throw new IllegalStateException(
            "costs must be set for a limiter without a \"requests\", \"tokens\" or"
                + " \"input_tokens\" dimension, was one with "
                + dims);
      }
      return request -> {
        Costs.Builder c = Costs.builder();
        if (requests) {
          c.add("requests", 1);
        }
        if (tokens != null) {
          long bytes =
              request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L);
          c.add(tokens, bytes <= 0 ? 0 : (bytes + 3) / 4);
        }
        return c.build();
      };
    }

    /**
     * Builds the client (and, with {@link #syncHeaders()}, its header sync).
     *
     * @throws IllegalStateException if options do not fit together: {@code cost} without a
     *     single limiter, {@code costs} or {@code usage} without a {@code MultiLimiter}, a header
     *     sync or {@code maxWait} without a limiter, a {@code MultiLimiter} whose dimensions the
     *     default costs do not know without {@code costs}
     */
    public ThrottledHttpClient build() {
      if (cost != null && limiter == null) {
        throw new IllegalStateException(
            "cost needs limiter(RateLimiter); for a MultiLimiter use costs");
      }
      if ((costs != null || usage != null) && multi == null && window == null) {
        throw new IllegalStateException(
            "costs and usage need limiter(MultiLimiter) or limiter(ServerWindow)");
      }
      if ((syncHeaders || sync != null || maxWait != null) && !hasLimiter()) {
        throw new IllegalStateException("headerSync, syncHeaders and maxWait need a limiter");
      }
      return new ThrottledHttpClient(this);
    }
  }
}
