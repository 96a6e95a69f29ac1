package io.throttlenet.redis;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Ticker;
import java.time.Duration;

/** The Redis options every builder of this module shares, each settable once. Not thread-safe. */
final class Options {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
  static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

  private OutagePolicy policy;
  private long timeoutNanos;
  private long probeNanos;

  void outage(OutagePolicy policy) {
    Checks.unset(this.policy != null, "outage");
    this.policy = Checks.nonNull(policy, "policy");
  }

  void timeout(Duration timeout) {
    Checks.unset(timeoutNanos != 0, "timeout");
    timeoutNanos = Checks.positiveNanos(timeout, "timeout");
  }

  void probeInterval(Duration interval) {
    Checks.unset(probeNanos != 0, "probeInterval");
    probeNanos = Checks.positiveNanos(interval, "probeInterval");
  }

  Remote remote(RedisStore store, String name, Ticker ticker, EventRegistry events) {
    return new Remote(
        store,
        name,
        policy != null ? policy : OutagePolicy.failClosed(),
        ticker,
        timeoutNanos != 0 ? timeoutNanos : DEFAULT_TIMEOUT.toNanos(),
        probeNanos != 0 ? probeNanos : DEFAULT_PROBE_INTERVAL.toNanos(),
        events);
  }
}
