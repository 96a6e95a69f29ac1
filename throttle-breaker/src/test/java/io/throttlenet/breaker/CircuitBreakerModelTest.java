package io.throttlenet.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The breaker against a reference model of "k consecutive failures, cooldown c, one probe":
 * random sequences of successes, failures, dropped permits and time steps must give the same
 * admissions and states in both.
 */
class CircuitBreakerModelTest {

  /** The reference: a few lines of obviously right code. */
  static final class Model {
    final int k;
    final long cooldown;
    boolean open;
    long until;
    int failures;

    Model(int k, long cooldown) {
      this.k = k;
      this.cooldown = cooldown;
    }

    /** Returns whether the call is admitted, and applies its outcome. */
    boolean call(long now, boolean failed) {
      if (open) {
        if (now - until < 0) {
          return false;
        }
        // half-open probe
        if (failed) {
          until = now + cooldown;
        } else {
          open = false;
          failures = 0;
        }
        return true;
      }
      if (!failed) {
        failures = 0;
      } else if (++failures >= k) {
        open = true;
        until = now + cooldown;
      }
      return true;
    }

    BreakerState state(long now) {
      return !open ? BreakerState.CLOSED : now - until < 0 ? BreakerState.OPEN : BreakerState.HALF_OPEN;
    }
  }

  @Test
  void consecutiveTrip_behavesLikeTheModel() {
    qt().withExamples(400)
        .forAll(integers().between(1, 5), longs().between(1, 1_000), lists().of(integers().between(0, 5)).ofSizeBetween(1, 200), longs().all())
        .checkAssert(
            (k, cooldownMs, ops, origin) -> {
              ManualTicker ticker = ManualTicker.startingAt(origin);
              CircuitBreaker b =
                  CircuitBreaker.builder()
                      .trip(Trip.consecutive(k))
                      .cooldown(Duration.ofMillis(cooldownMs))
                      .ticker(ticker)
                      .events(EventRegistry.create())
                      .build();
              Model m = new Model(k, cooldownMs * 1_000_000L);
              for (int op : ops) {
                long now = ticker.read();
                switch (op) {
                  case 0: // success
                  case 1: // failure
                  case 2: // permit dropped without a report: a failure
                    boolean failed = op != 0;
                    boolean expected = m.call(now, failed);
                    var permit = b.tryAcquire();
                    assertThat(permit.isPresent()).as("admitted at op %s", op).isEqualTo(expected);
                    permit.ifPresent(
                        p -> {
                          if (op == 0) {
                            p.success();
                          } else if (op == 1) {
                            p.failure(new IOException());
                          } else {
                            p.close();
                          }
                        });
                    break;
                  default: // time passes
                    ticker.advance(Duration.ofMillis(cooldownMs * (op - 2) / 3));
                }
                assertThat(b.state()).isEqualTo(m.state(ticker.read()));
              }
            });
  }
}
