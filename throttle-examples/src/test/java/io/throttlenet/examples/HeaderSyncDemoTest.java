package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.examples.HeaderSyncDemo.Figures;
import io.throttlenet.examples.HeaderSyncDemo.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Header sync end to end, against a real HTTP server on loopback that enforces an exact sliding
 * window and sends OpenAI-style headers. Bounds are loose on purpose (a loaded 2-core machine);
 * {@link HeaderSyncDemo} prints the real figures.
 */
class HeaderSyncDemoTest {
  private static final Duration RUN = Duration.ofSeconds(4);

  @Test
  void aloneWithSync_usesMostOfTheBudget_drawsFew429s_andLosesNoCall() throws Exception {
    Figures f = HeaderSyncDemo.run(Scenario.ALONE_SERVER_WINDOW_WITH_SYNC, RUN);
    assertThat(f.lost()).isZero();
    assertThat(f.calls()).isPositive();
    assertThat(f.tooManyRequestsPerCall()).isLessThan(0.05);
    assertThat(f.budgetUsed()).isGreaterThan(0.75);
  }

  @Test
  void fleetToldItsShare_staysWithinTheBudget() throws Exception {
    Figures f = HeaderSyncDemo.run(Scenario.FLEET_OF_4_AT_SHARE_WITH_SYNC, RUN);
    assertThat(f.lost()).isZero();
    assertThat(f.tooManyRequestsPerCall()).isLessThan(0.05);
    assertThat(f.budgetUsed()).isGreaterThan(0.70);
  }

  @Test
  void fleetAtFullQuota_syncSeesTheOthers_andDrawsFarFewer429s() throws Exception {
    Figures without =
        HeaderSyncDemo.run(Scenario.FLEET_OF_4_AT_FULL_QUOTA_TOKEN_BUCKETS_WITHOUT_SYNC, RUN);
    Figures with = HeaderSyncDemo.run(Scenario.FLEET_OF_4_AT_FULL_QUOTA_TOKEN_BUCKETS_WITH_SYNC, RUN);
    assertThat(with.lost()).isZero();
    assertThat(without.tooManyRequests()).isPositive();
    assertThat(with.tooManyRequests()).isLessThan(without.tooManyRequests() / 2);
    assertThat(with.otherConsumerEvents()).isPositive();
  }

  @Test
  void fleetOfWindowsAtFullQuota_syncSeesTheOthers() throws Exception {
    Figures with = HeaderSyncDemo.run(Scenario.FLEET_OF_4_AT_FULL_QUOTA_WITH_SYNC, RUN);
    assertThat(with.lost()).isZero();
    assertThat(with.otherConsumerEvents()).isPositive();
  }
}
