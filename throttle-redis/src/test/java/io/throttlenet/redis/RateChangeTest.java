package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.multidim.Costs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Changing the rate of a shared bucket ({@code setRate}): applied in Redis, so every instance on
 * the key is paced by it, keeping the burst, the permits available and booked waiters' release
 * times. Rates are one permit an hour or slower, so no refill happens during a test; waits are
 * compared within a minute's margin for the time the test itself takes (and a reservation's wait
 * counts the round trip).
 */
class RateChangeTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final long MARGIN = Duration.ofMinutes(1).toNanos();

  private final RedisStore one = Redis.store();
  private final RedisStore two = Redis.store();
  private final String key = Redis.uniqueKey();

  @AfterEach
  void close() {
    one.close();
    two.close();
  }

  private RedisThrottle hourly(RedisStore store, long burst) {
    return RedisThrottle.builder(store).key(key).rate(1, HOUR).burst(burst).build();
  }

  private static void assertAbout(long nanos, Duration expected) {
    assertThat(nanos).isBetween(expected.toNanos() - MARGIN, expected.toNanos() + MARGIN);
  }

  @Test
  void setRate_paceAnotherInstance_seesTheNewRate() {
    RedisThrottle a = hourly(one, 3);
    RedisThrottle b = hourly(two, 3);
    assertThat(a.tryAcquire(3)).isTrue();
    assertAbout(b.waitNanos(1, 0), HOUR);
    a.setRate(1, Duration.ofHours(2));
    assertAbout(b.waitNanos(1, 0), Duration.ofHours(2)); // the empty bucket's debt doubled
    assertThat(a.permitsPerSecond()).isEqualTo(1e9 / Duration.ofHours(2).toNanos());
  }

  @Test
  void setRate_keepsThePermitsAvailable_andTheBurst() {
    RedisThrottle a = hourly(one, 10);
    assertThat(a.tryAcquire(4)).isTrue();
    a.setRate(1.0 / 60); // one a minute
    assertThat(a.availablePermits()).isEqualTo(6);
    assertThat(a.capacity()).isEqualTo(10);
    a.setRate(1.0 / 86_400); // one a day
    assertThat(a.availablePermits()).isEqualTo(6);
    assertThat(a.tryAcquire(6)).isTrue();
    assertThat(a.tryAcquire(1)).isFalse();
  }

  @Test
  void setRate_bookedWaiterKeepsItsReleaseTime_laterOnesQueueAtTheNewRate() {
    RedisThrottle a = hourly(one, 1);
    assertThat(a.tryAcquire()).isTrue();
    long waiter = a.reserve(1, a.ticker().read(), Long.MAX_VALUE);
    assertAbout(waiter, HOUR);
    a.setRate(1, Duration.ofHours(3));
    assertAbout(hourly(two, 1).waitNanos(1, 0), HOUR.plusHours(3)); // behind the waiter, 3 h later
  }

  @Test
  void grant_afterAnotherInstanceChangedTheRate_reportsTheRateInForce() {
    RedisThrottle a = hourly(one, 100);
    RedisThrottle b = hourly(two, 100);
    a.setRate(1, Duration.ofMinutes(1));
    assertThat(b.permitsPerSecond()).isEqualTo(1e9 / HOUR.toNanos()); // not told yet
    assertThat(b.tryAcquire()).isTrue();
    assertThat(b.permitsPerSecond()).isEqualTo(a.permitsPerSecond());
  }

  @Test
  void setRate_keyHoldingTheRateOutlivesAFullBucket() {
    RedisThrottle a = RedisThrottle.builder(one).key(key).rate(1, Duration.ofSeconds(1)).build();
    a.setRate(2);
    long ttl = Redis.inspect(c -> c.pttl("throttlenet:{" + key + "}"));
    assertThat(ttl).isGreaterThan(Duration.ofHours(23).toMillis());
    RedisThrottle later = RedisThrottle.builder(two).key(key).rate(1, Duration.ofSeconds(1)).build();
    assertThat(later.tryAcquire()).isTrue();
    assertThat(later.permitsPerSecond()).isEqualTo(2.0); // the full bucket kept the rate set
  }

  @Test
  void setRate_outOfRange_failsNamingTheValue_andChangesNothing() {
    RedisThrottle a = hourly(one, 10);
    assertThatThrownBy(() -> a.setRate(0))
        .hasMessage("permitsPerSecond must be a finite positive number, was 0.0");
    assertThatThrownBy(() -> a.setRate(Double.NaN))
        .hasMessage("permitsPerSecond must be a finite positive number, was NaN");
    assertThatThrownBy(() -> a.setRate(2e9)).hasMessageContaining("at most 1 permit per nanosecond");
    assertThatThrownBy(() -> a.setRate(1e-9)).hasMessageContaining("26 days");
    assertThatThrownBy(() -> a.setRate(0, HOUR)).hasMessage("permits must be > 0, was 0");
    assertThat(a.roundTrips()).isZero();
    assertThat(a.permitsPerSecond()).isEqualTo(1e9 / HOUR.toNanos());
  }

  @Test
  void multiLimiter_setRate_changesOneDimensionForEveryInstance() {
    RedisMultiLimiter a = llm(one);
    RedisMultiLimiter b = llm(two);
    assertThat(a.tryAcquire(Costs.of("requests", 1, "tokens", 200))).isTrue();
    a.setRate("tokens", 100, Duration.ofHours(2));
    assertThat(b.waitTime(Costs.of("tokens", 100))).hasValueSatisfying(
        w -> assertAbout(w.toNanos(), Duration.ofHours(2))); // 200 owed at 100 per 2 h
    assertThat(b.waitTime(Costs.of("requests", 1))).hasValue(Duration.ZERO);
    assertThat(b.tryAcquire(Costs.of("requests", 1))).isTrue();
    assertThat(b.permitsPerSecond("tokens")).isEqualTo(a.permitsPerSecond("tokens"));
    assertThat(b.permitsPerSecond("requests")).isEqualTo(1e9 / (HOUR.toNanos() / 2));
    assertThatThrownBy(() -> a.setRate("images", 1.0))
        .hasMessage("dimension images is unknown to llm (it has [requests, tokens])");
  }

  private RedisMultiLimiter llm(RedisStore store) {
    return RedisMultiLimiter.builder(store).key(key).name("llm")
        .dimension("requests", 2, HOUR)
        .dimension("tokens", 200, HOUR)
        .build();
  }
}
