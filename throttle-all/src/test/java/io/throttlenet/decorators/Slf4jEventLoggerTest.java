package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.Trip;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.Subscription;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class Slf4jEventLoggerTest {
  private final ManualTicker ticker = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();

  /** Records formatted lines with their levels; enables levels from {@code min} up. */
  static final class Recording extends AbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> lines = new ArrayList<>();
    private final Level min;

    Recording(Level min) {
      this.min = min;
      this.name = "recording";
    }

    private boolean on(Level level) {
      return level.toInt() >= min.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(msg, args));
    }

    @Override public boolean isTraceEnabled() { return on(Level.TRACE); }
    @Override public boolean isTraceEnabled(Marker m) { return on(Level.TRACE); }
    @Override public boolean isDebugEnabled() { return on(Level.DEBUG); }
    @Override public boolean isDebugEnabled(Marker m) { return on(Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return on(Level.INFO); }
    @Override public boolean isInfoEnabled(Marker m) { return on(Level.INFO); }
    @Override public boolean isWarnEnabled() { return on(Level.WARN); }
    @Override public boolean isWarnEnabled(Marker m) { return on(Level.WARN); }
    @Override public boolean isErrorEnabled() { return on(Level.ERROR); }
    @Override public boolean isErrorEnabled(Marker m) { return on(Level.ERROR); }
  }

  private void tripAndExhaust() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder().name("payments").trip(Trip.consecutive(2)).ticker(ticker).events(events).build();
    Retry retry = Retry.builder().name("payments-retry").maxAttempts(2).backoff(Backoff.constant(Duration.ofMillis(1)))
        .ticker(ticker).events(events).build();
    Throttle throttle = Throttle.builder().name("api").rate(100, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    Runnable call = Decorators.ofRunnable(() -> {
      throw new IllegalStateException("down");
    }).withThrottle(throttle).withBreaker(breaker).withRetry(retry).withFallback(e -> null).decorate();
    Ticking.whileTicking(ticker, () -> {
      call.run();
      return null;
    });
  }

  @Test
  void warnings_forTripsAndExhaustedRetries_oneLineNamingTheComponent() throws Exception {
    Recording log = new Recording(Level.INFO);
    Subscription s = Slf4jEventLogger.attach(events, log);
    tripAndExhaust();
    s.close();
    assertThat(log.lines).anySatisfy(l -> assertThat(l).startsWith("WARN payments: StateTransition[").contains("to=OPEN"));
    assertThat(log.lines).anySatisfy(l -> assertThat(l).startsWith("WARN payments-retry: Exhausted["));
    assertThat(log.lines).noneMatch(l -> l.startsWith("DEBUG"));
    assertThat(log.lines).allMatch(l -> !l.contains("\n"));
  }

  @Test
  void debug_addsAcquisitions_andIsNotEvenSubscribedWhenOff() throws Exception {
    Recording debug = new Recording(Level.DEBUG);
    Subscription s = Slf4jEventLogger.attach(events, debug);
    tripAndExhaust();
    s.close();
    assertThat(debug.lines).anySatisfy(l -> assertThat(l).startsWith("DEBUG api: Acquired["));

    Slf4jEventLogger.attach(events, new Recording(Level.INFO));
    assertThat(events.publisher(LimiterEvent.Acquired.class, "api").hasListeners()).isFalse();
  }
}
