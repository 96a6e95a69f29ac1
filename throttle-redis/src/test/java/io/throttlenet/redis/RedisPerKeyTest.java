package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One bucket per tenant in Redis: independent budgets, exact bursts, bounded memory by TTL. */
class RedisPerKeyTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);

  private final RedisStore store = Redis.store();
  private final String family = Redis.uniqueKey();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisPerKey<String> perTenant(RedisStore s) {
    return RedisPerKey.<String>builder(s).key(family).rate(5, TEN_DAYS).build();
  }

  @Test
  void tenants_independent_eachExactlyItsBurst() {
    RedisPerKey<String> a = perTenant(store);
    try (RedisStore other = Redis.store()) {
      RedisPerKey<String> b = perTenant(other);
      for (int i = 0; i < 5; i++) {
        assertThat((i % 2 == 0 ? a : b).tryAcquire("t1")).isTrue();
      }
      assertThat(a.tryAcquire("t1")).isFalse();
      assertThat(b.tryAcquire("t1")).isFalse();
      assertThat(b.tryAcquire("t2", 5)).isTrue(); // another tenant, its own budget
      assertThat(a.availablePermits("t3")).isEqualTo(5);
    }
  }

  @Test
  void tenantKeys_carryATtl_andIdleTenantsCostNothing() {
    RedisPerKey<String> p = perTenant(store);
    assertThat(p.tryAcquire("t1", 2)).isTrue();
    String k = "throttlenet:" + family + ":{t1}";
    long ttl = Redis.inspect(c -> c.pttl(k));
    assertThat(ttl).isPositive().isLessThanOrEqualTo(2 * TEN_DAYS.toMillis() / 5 + 1_000);
    assertThat(p.availablePermits("t-never-seen")).isEqualTo(5);
    long exists = Redis.inspect(c -> c.exists("throttlenet:" + family + ":{t-never-seen}"));
    assertThat(exists).isZero(); // asking creates nothing
  }

  @Test
  void limiter_isTheTenantsBudget() throws Exception {
    RedisPerKey<Integer> p = RedisPerKey.<Integer>builder(store).key(family).rate(3, TEN_DAYS).name("tenants").build();
    RedisThrottle t42 = p.limiter(42);
    assertThat(t42.name()).isEqualTo("tenants");
    assertThat(t42.key()).isEqualTo("42");
    t42.acquire(2);
    assertThat(p.tryAcquire(42, 2)).isFalse();
    assertThat(p.tryAcquire(42, 1)).isTrue();
    assertThatThrownBy(() -> p.limiter(null)).hasMessage("key must not be null");
  }
}
