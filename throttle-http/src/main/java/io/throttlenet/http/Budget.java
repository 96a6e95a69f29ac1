package io.throttlenet.http;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.multidim.Reservation;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What a {@link ThrottledHttpClient} charges each attempt to: one limiter and a cost per request,
 * a {@link MultiLimiter} and costs per request, optionally reserved and settled at the usage the
 * response reports, or a {@link ServerWindow}, whose permit counts a call until a window after
 * its response (settled the same way). Both take within a bound and throw (or fail the stage with) the rejection
 * that says why not; an asynchronous take cancelled before its grant charges nothing.
 */
abstract class Budget {
  final Duration maxWait;

  Budget(Duration maxWait) {
    this.maxWait = maxWait;
  }

  abstract Ticker ticker();

  abstract HeaderSync.Builder syncBuilder();

  /**
   * Takes the request's cost, waiting at most {@link #maxWait}; {@code given} (null unless the
   * caller gave this call's costs) replaces the cost function's.
   */
  abstract Charge take(HttpRequest request, Costs given) throws InterruptedException;

  /** Takes the request's cost without blocking; cancel the future to stop waiting. */
  abstract CompletableFuture<Charge> takeAsync(HttpRequest request, Costs given);

  /** Whether a caller may give a call's costs ({@link MultiLimiter} budgets only). */
  abstract boolean takesCosts();

  /** What one attempt was charged, and how it ends. */
  interface Charge {
    /** Nothing was charged. */
    Charge NONE =
        new Charge() {
          @Override
          public void giveBack() {}

          @Override
          public void keep() {}

          @Override
          public void settle(HttpRequest request, HttpResponse<?> response) {}
        };

    /** The request never went out: everything back. */
    void giveBack();

    /** The request went out and its real cost is unknown: the charge stands. */
    void keep();

    /** The request was answered with a success: charge what it really used, if that is known. */
    void settle(HttpRequest request, HttpResponse<?> response);
  }

  static Budget single(RateLimiter limiter, ToLongFunction<HttpRequest> cost, Duration maxWait) {
    return new Single(limiter, cost, maxWait);
  }

  static Budget multi(
      MultiLimiter limiter,
      Function<HttpRequest, Costs> costs,
      BiFunction<HttpRequest, HttpResponse<?>, Costs> usage,
      Duration maxWait) {
    return new Multi(limiter, costs, usage, maxWait);
  }

  /**
   * The charge {@code grant} stands for, once granted. A cancel of the returned future reaches
   * the wait for the grant (which then charges nothing); a grant that comes just as the future
   * was cancelled is given back.
   */
  static <G> CompletableFuture<Charge> charge(
      CompletableFuture<G> grant, Function<? super G, ? extends Charge> toCharge) {
    CompletableFuture<Charge> out = new CompletableFuture<>();
    grant.whenComplete(
        (granted, failure) -> {
          if (failure != null) {
            out.completeExceptionally(failure);
            return;
          }
          Charge c = toCharge.apply(granted);
          if (!out.complete(c)) {
            c.giveBack();
          }
        });
    out.whenComplete(
        (ignored, failure) -> {
          if (failure != null && !grant.isDone()) {
            grant.cancel(false);
          }
        });
    return out;
  }

  static Budget window(
      ServerWindow window,
      Function<HttpRequest, Costs> costs,
      BiFunction<HttpRequest, HttpResponse<?>, Costs> usage,
      Duration maxWait) {
    return new Window(window, costs, usage, maxWait);
  }

  private static final class Single extends Budget {
    private final RateLimiter limiter;
    private final ToLongFunction<HttpRequest> cost;

    Single(RateLimiter limiter, ToLongFunction<HttpRequest> cost, Duration maxWait) {
      super(maxWait);
      this.limiter = limiter;
      this.cost = cost;
    }

    @Override
    Ticker ticker() {
      return limiter.ticker();
    }

    @Override
    HeaderSync.Builder syncBuilder() {
      return HeaderSync.builder(limiter).map("requests");
    }

    private long costOf(HttpRequest request) {
      long c = cost.applyAsLong(request);
      if (c < 0) {
        throw new IllegalArgumentException(
            "cost of " + request.method() + " " + request.uri() + " must be >= 0, was " + c);
      }
      return c;
    }

    @Override
    boolean takesCosts() {
      return false;
    }

    @Override
    Charge take(HttpRequest request, Costs given) throws InterruptedException {
      long c = costOf(request);
      if (limiter.tryAcquire(c, maxWait)) {
        return Charge.NONE; // spent: a single limiter has nothing to settle
      }
      long wait = limiter.waitNanos(c, limiter.ticker().read());
      if (wait == RateLimiter.NEVER) {
        throw new CostExceedsCapacityException(limiter.name(), c, limiter.capacity());
      }
      throw new MaxWaitExceededException(limiter.name(), c, Duration.ofNanos(wait), maxWait);
    }

    @Override
    CompletableFuture<Charge> takeAsync(HttpRequest request, Costs given) {
      long c = costOf(request);
      Charge charged =
          new Charge() {
            @Override
            public void giveBack() {
              limiter.cancel(c, limiter.ticker().read(), 0); // as a caller who gave up at the grant
            }

            @Override
            public void keep() {}

            @Override
            public void settle(HttpRequest request, HttpResponse<?> response) {}
          };
      return charge(limiter.acquireAsync(c, maxWait).toCompletableFuture(), ignored -> charged);
    }
  }

  /** A budget charged {@link Costs} per request, settled at the usage a response reports. */
  private abstract static class Priced extends Budget {
    final Function<HttpRequest, Costs> costs;
    final BiFunction<HttpRequest, HttpResponse<?>, Costs> usage;

    Priced(
        Function<HttpRequest, Costs> costs,
        BiFunction<HttpRequest, HttpResponse<?>, Costs> usage,
        Duration maxWait) {
      super(maxWait);
      this.costs = costs;
      this.usage = usage;
    }

    @Override
    boolean takesCosts() {
      return true;
    }

    /** The request's own costs if given, else the configured function's; never null. */
    Costs costsOf(HttpRequest request, Costs given) {
      Costs c = given != null ? given : costs.apply(request);
      if (c == null) {
        throw new NullPointerException(
            "costs of " + request.method() + " " + request.uri() + " must not be null");
      }
      return c;
    }
  }

  private static final class Multi extends Priced {
    private final MultiLimiter limiter;

    Multi(
        MultiLimiter limiter,
        Function<HttpRequest, Costs> costs,
        BiFunction<HttpRequest, HttpResponse<?>, Costs> usage,
        Duration maxWait) {
      super(costs, usage, maxWait);
      this.limiter = limiter;
    }

    @Override
    Ticker ticker() {
      return limiter.ticker();
    }

    @Override
    HeaderSync.Builder syncBuilder() {
      return HeaderSync.builder(limiter);
    }

    @Override
    Charge take(HttpRequest request, Costs given) throws InterruptedException {
      return new Reserved(limiter.reserve(costsOf(request, given), maxWait));
    }

    @Override
    CompletableFuture<Charge> takeAsync(HttpRequest request, Costs given) {
      return charge(
          limiter.reserveAsync(costsOf(request, given), maxWait).toCompletableFuture(),
          Reserved::new);
    }

    private final class Reserved implements Charge {
      private final Reservation reservation;

      Reserved(Reservation reservation) {
        this.reservation = reservation;
      }

      @Override
      public void giveBack() {
        if (reservation.isOpen()) {
          reservation.cancel();
        }
      }

      @Override
      public void keep() {
        reservation.close();
      }

      @Override
      public void settle(HttpRequest request, HttpResponse<?> response) {
        if (usage == null) {
          reservation.close();
          return;
        }
        Costs actual;
        try {
          actual = usage.apply(request, response);
        } catch (RuntimeException | Error e) {
          reservation.close(); // the user's usage function failed: keep the estimate, report it
          throw e;
        }
        if (actual == null) {
          reservation.close();
        } else {
          try {
            reservation.settle(actual);
          } catch (RuntimeException e) {
            reservation.close();
            throw e;
          }
        }
      }
    }
  }

  private static final class Window extends Priced {
    private final ServerWindow window;

    Window(
        ServerWindow window,
        Function<HttpRequest, Costs> costs,
        BiFunction<HttpRequest, HttpResponse<?>, Costs> usage,
        Duration maxWait) {
      super(costs, usage, maxWait);
      this.window = window;
    }

    @Override
    Ticker ticker() {
      return window.ticker();
    }

    @Override
    HeaderSync.Builder syncBuilder() {
      return HeaderSync.builder(window);
    }

    @Override
    Charge take(HttpRequest request, Costs given) throws InterruptedException {
      return new Granted(window.acquire(costsOf(request, given), maxWait));
    }

    @Override
    CompletableFuture<Charge> takeAsync(HttpRequest request, Costs given) {
      return charge(window.acquireAsync(costsOf(request, given), maxWait), Granted::new);
    }

    /** A call the window counts from its grant until a window after its end. */
    private final class Granted implements Charge {
      private final ServerWindow.Permit permit;

      Granted(ServerWindow.Permit permit) {
        this.permit = permit;
      }

      @Override
      public void giveBack() {
        permit.cancel();
      }

      @Override
      public void keep() {
        permit.release();
      }

      @Override
      public void settle(HttpRequest request, HttpResponse<?> response) {
        Costs actual;
        try {
          actual = usage == null ? null : usage.apply(request, response);
        } catch (RuntimeException | Error e) {
          permit.release(); // the user's usage function failed: the grant counts, report it
          throw e;
        }
        if (actual == null) {
          permit.release();
          return;
        }
        try {
          permit.release(actual);
        } catch (RuntimeException e) {
          permit.release();
          throw e;
        }
      }
    }
  }
}
