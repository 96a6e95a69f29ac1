package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.throttlenet.core.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties every concurrency controller keeps, over random sample streams: the limit stays in
 * [min, max]; drops never raise it; concurrent samples are never lost.
 */
class ControllerPropertiesTest {
  record Sample(int outcome, long rtt, int inFlight, long advance) {}

  private static final List<Function<int[], ConcurrencyController<?>>> KINDS =
      List.of(
          b -> AimdController.builder().minLimit(b[0]).maxLimit(b[1]).initialLimit(b[2]).build(),
          b -> VegasController.builder().minLimit(b[0]).maxLimit(b[1]).initialLimit(b[2]).build(),
          b -> Gradient2Controller.builder().minLimit(b[0]).maxLimit(b[1]).initialLimit(b[2]).build());

  private static Gen<List<Sample>> samples() {
    Gen<Sample> one =
        integers()
            .between(0, 3)
            .zip(
                longs().between(0, 5_000_000_000L),
                integers().between(0, 2_000),
                longs().between(0, 1_000_000_000L),
                Sample::new);
    return lists().of(one).ofSizeBetween(1, 300);
  }

  private static Gen<int[]> bounds() {
    return integers()
        .between(1, 50)
        .zip(integers().between(0, 200), integers().between(1, 300), (min, extra, initial) -> new int[] {min, min + extra, initial});
  }

  @Test
  void theLimitNeverLeavesMinAndMax_andDropsNeverRaiseIt() {
    qt().withExamples(300)
        .forAll(bounds(), samples(), integers().between(0, KINDS.size() - 1))
        .checkAssert(
            (b, stream, kind) -> {
              ConcurrencyController<?> c = KINDS.get(kind).apply(b);
              long now = Long.MAX_VALUE - 1_000_000_000_000L;
              for (Sample s : stream) {
                now += s.advance();
                int before = c.limit();
                Outcome o = Outcome.values()[s.outcome()];
                int after = c.onSample(o, s.rtt(), s.inFlight(), now);
                assertThat(after).isBetween(b[0], b[1]).isEqualTo(c.limit());
                if (o != Outcome.SUCCESS) {
                  assertThat(after).as(o + " never raises the limit").isLessThanOrEqualTo(before);
                }
              }
            });
  }

  @Test
  void aStreamOfOnlyDrops_neverRaisesTheLimit_andBringsItToTheMinimum() {
    for (Function<int[], ConcurrencyController<?>> kind : KINDS) {
      ConcurrencyController<?> c = kind.apply(new int[] {2, 100, 50});
      long now = 0;
      int last = c.limit();
      for (int i = 0; i < 500; i++) {
        now += 10_000_000L;
        int next = c.onSample(Outcome.DROPPED, 1_000, 50, now); // fast 503s
        assertThat(next).isLessThanOrEqualTo(last);
        last = next;
      }
      assertThat(last).as(c.toString()).isEqualTo(2);
    }
  }

  /** Adds one per sample: any lost update shows in the total. */
  static final class Counting extends ConcurrencyController<Long> {
    Counting() {
      super(1, Integer.MAX_VALUE, 0L);
    }

    @Override
    protected Long next(Long state, boolean dropped, long rtt, int inFlight, long now) {
      return state + 1;
    }

    @Override
    protected double limitOf(Long state) {
      return state;
    }
  }

  @Test
  void concurrentSamples_areNeverLost() throws Exception {
    Counting c = new Counting();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 50_000; i++) {
                  c.onSample(Outcome.SUCCESS, 1, 1, i);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(c.limit()).isEqualTo(200_000);
  }
}
