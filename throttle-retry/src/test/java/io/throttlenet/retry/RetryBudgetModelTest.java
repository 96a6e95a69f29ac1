package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RetryBudget} against a plain list-of-events model of its bucketed window. */
class RetryBudgetModelTest {
  private static final long SECOND = 1_000_000_000L;

  /** The model: every call and retry with its bucket; a bucket counts while fewer than 10 old. */
  private static final class Model {
    final double ratio;
    final double minPerSecond;
    final long windowNanos;
    final long bucketNanos;
    final List<long[]> events = new ArrayList<>(); // {bucket, 0 = call | 1 = retry}
    long elapsed;

    Model(double ratio, double minPerSecond, long windowNanos) {
      this.ratio = ratio;
      this.minPerSecond = minPerSecond;
      this.windowNanos = windowNanos;
      this.bucketNanos = Math.max(1, windowNanos / 10);
    }

    long bucket() {
      return elapsed / bucketNanos;
    }

    void recordCall() {
      events.add(new long[] {bucket(), 0});
    }

    boolean tryRetry() {
      long calls = 0;
      long retries = 0;
      for (long[] e : events) {
        if (bucket() - e[0] < 10) {
          if (e[1] == 0) {
            calls++;
          } else {
            retries++;
          }
        }
      }
      double allowed = Math.max(ratio * calls, minPerSecond * windowNanos / 1e9);
      if (retries + 1 > allowed) {
        return false;
      }
      events.add(new long[] {bucket(), 1});
      return true;
    }
  }

  @Test
  void anySequence_ofCallsRetriesAndWaits_agreesWithTheModel() {
    // an op: 0..3 = call, 4..7 = retry, 8..9 = wait up to 0.4 windows
    qt().withExamples(300)
        .forAll(
            integers().between(0, 10),
            integers().between(0, 3),
            integers().between(1, 20),
            lists().of(integers().between(0, 9_999)).ofSizeBetween(0, 120))
        .checkAssert(
            (ratioTenths, minPerSecond, windowSeconds, ops) -> {
              long window = windowSeconds * SECOND;
              ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5 * SECOND);
              RetryBudget budget =
                  RetryBudget.builder()
                      .ratio(ratioTenths / 10.0)
                      .minPerSecond(minPerSecond)
                      .window(Duration.ofNanos(window))
                      .ticker(ticker)
                      .build();
              Model model = new Model(ratioTenths / 10.0, minPerSecond, window);
              for (int op : ops) {
                int kind = op % 10;
                if (kind < 4) {
                  budget.recordCall();
                  model.recordCall();
                } else if (kind < 8) {
                  assertThat(budget.tryRetry()).as("retry at %d ns", model.elapsed).isEqualTo(model.tryRetry());
                } else {
                  long wait = window * 4 / 10 * (op / 10) / 999;
                  ticker.advance(wait);
                  model.elapsed += wait;
                }
              }
            });
  }

  @Test
  void callsInEarlierBuckets_stillEarnRetries() {
    ManualTicker ticker = ManualTicker.startingAt(-7);
    RetryBudget b = RetryBudget.builder().ratio(1).minPerSecond(0).ticker(ticker).build();
    b.recordCall();
    b.recordCall();
    ticker.advance(Duration.ofSeconds(1)); // the next bucket
    assertThat(b.tryRetry()).isTrue();
    ticker.advance(Duration.ofSeconds(5));
    assertThat(b.tryRetry()).isTrue();
    assertThat(b.tryRetry()).isFalse();
  }

  @Test
  void callsOlderThanTheWindow_earnNothing() {
    ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + 3);
    RetryBudget b = RetryBudget.builder().ratio(1).minPerSecond(0).ticker(ticker).build();
    for (int i = 0; i < 5; i++) {
      b.recordCall();
    }
    ticker.advance(Duration.ofSeconds(11));
    assertThat(b.tryRetry()).isFalse();
  }

  @Test
  void ratioZero_withoutMinimum_allowsNoRetry() {
    RetryBudget b = RetryBudget.builder().ratio(0).minPerSecond(0).ticker(ManualTicker.create()).build();
    for (int i = 0; i < 100; i++) {
      b.recordCall();
    }
    assertThat(b.tryRetry()).isFalse();
    assertThat(b.ratio()).isZero();
  }

  @Test
  void defaults_areRatioTwentyPercentAndTenPerSecondOverTenSeconds() {
    ManualTicker ticker = ManualTicker.create();
    RetryBudget b = RetryBudget.builder().ticker(ticker).build();
    assertThat(b.ratio()).isEqualTo(0.2);
    int allowed = 0;
    while (b.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(100); // 10 per second over 10 s, no calls needed
    for (int i = 0; i < 1_000; i++) {
      b.recordCall();
    }
    while (b.tryRetry()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(200); // 20 % of 1000 calls
  }

  @Test
  void theLock_isReleasedAfterEachOperation() throws Exception {
    RetryBudget b = RetryBudget.builder().ratio(1).minPerSecond(1).ticker(ManualTicker.create()).build();
    b.recordCall();
    assertThat(b.tryRetry()).isTrue();
    // Another thread gets through at once; a lock left held would time this out.
    Boolean other =
        CompletableFuture.supplyAsync(
                () -> {
                  b.recordCall();
                  return b.tryRetry();
                })
            .get(30, TimeUnit.SECONDS);
    assertThat(other).isTrue();
  }

  @Test
  void eachOption_setTwice_isRefused() {
    assertThatThrownBy(() -> RetryBudget.builder().ratio(0).ratio(0.5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ratio was already set");
    assertThatThrownBy(() -> RetryBudget.builder().minPerSecond(0).minPerSecond(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("minPerSecond was already set");
    assertThatThrownBy(() -> RetryBudget.builder().window(Duration.ofSeconds(1)).window(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window was already set");
    ManualTicker t = ManualTicker.create();
    assertThatThrownBy(() -> RetryBudget.builder().ticker(t).ticker(t))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker was already set");
  }

  @Test
  void badValues_areRefusedAndZeroIsAccepted() {
    assertThatThrownBy(() -> RetryBudget.builder().ratio(-0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryBudget.builder().ratio(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryBudget.builder().minPerSecond(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryBudget.builder().minPerSecond(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RetryBudget.builder().ratio(0).minPerSecond(0).build()).isNotNull();
  }
}
