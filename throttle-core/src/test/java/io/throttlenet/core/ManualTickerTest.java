package io.throttlenet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ManualTickerTest {

  @Test
  void read_startsWhereToldAndWrapsOnAdvance() {
    ManualTicker t = ManualTicker.startingAt(Long.MAX_VALUE - 1);
    assertThat(t.read()).isEqualTo(Long.MAX_VALUE - 1);
    t.advance(3);
    assertThat(t.read()).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(ManualTicker.create().read()).isZero();
  }

  @Test
  void advance_negative_isRefused() {
    ManualTicker t = ManualTicker.create();
    assertThatThrownBy(() -> t.advance(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos must be >= 0, was -1");
    assertThatThrownBy(() -> t.advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must be >= 0, was PT-0.001S");
  }

  @Test
  void schedule_runsDueTasksInDeadlineOrderEachAtItsOwnTime() {
    ManualTicker t = ManualTicker.startingAt(Long.MAX_VALUE - 10);
    List<String> log = new ArrayList<>();
    long origin = t.read();
    t.schedule(origin + 30, () -> log.add("c@" + (t.read() - origin)));
    t.schedule(origin + 10, () -> log.add("a@" + (t.read() - origin)));
    t.schedule(origin + 10, () -> log.add("b@" + (t.read() - origin)));
    t.schedule(
        origin + 20,
        () -> {
          log.add("follow-up scheduler@" + (t.read() - origin));
          t.schedule(t.read() + 5, () -> log.add("follow-up@" + (t.read() - origin)));
        });
    t.schedule(origin + 100, () -> log.add("late"));
    t.advance(29);
    assertThat(log).containsExactly("a@10", "b@10", "follow-up scheduler@20", "follow-up@25");
    assertThat(t.read() - origin).isEqualTo(29);
    t.advance(1);
    assertThat(log).endsWith("c@30");
    assertThat(t.pendingTasks()).isEqualTo(1);
  }

  @Test
  void advance_fromInsideATask_isAllowedAndTimeNeverMovesBack() {
    ManualTicker t = ManualTicker.create();
    List<Long> seen = new ArrayList<>();
    t.schedule(3, () -> t.advance(20)); // a task that advances further (to 23)
    t.schedule(15, () -> seen.add(t.read()));
    t.advance(10);
    assertThat(seen).containsExactly(15L);
    assertThat(t.read()).isEqualTo(23);
  }

  @Test
  void schedule_dueAlready_runsAtOnce() {
    ManualTicker t = ManualTicker.create();
    List<String> log = new ArrayList<>();
    Ticker.Scheduled s = t.schedule(0, () -> log.add("now"));
    assertThat(log).containsExactly("now");
    assertThat(s.cancel()).isFalse();
  }

  @Test
  void schedule_cancelled_neverRuns() {
    ManualTicker t = ManualTicker.create();
    List<String> log = new ArrayList<>();
    Ticker.Scheduled s = t.schedule(10, () -> log.add("x"));
    assertThat(s.cancel()).isTrue();
    assertThat(s.cancel()).isFalse();
    t.advance(100);
    assertThat(log).isEmpty();
    assertThat(t.pendingTasks()).isZero();
  }

  @Test
  void sleepUntil_releasesExactlyAtTheDeadline() throws Exception {
    ManualTicker t = ManualTicker.startingAt(-5);
    AtomicReference<Long> wokeAt = new AtomicReference<>();
    Thread sleeper =
        new Thread(
            () -> {
              try {
                t.sleepUntil(95);
                wokeAt.set(t.read());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    sleeper.start();
    t.awaitSleepers(1);
    t.advance(99);
    assertThat(t.sleepers()).isEqualTo(1);
    t.advance(1);
    sleeper.join(30_000);
    assertThat(wokeAt.get()).isEqualTo(95);
    assertThat(t.sleepers()).isZero();
  }

  @Test
  void tryAdvanceToNextSleeper_jumpsToTheEarliestFutureDeadline() throws Exception {
    ManualTicker t = ManualTicker.startingAt(Long.MAX_VALUE - 5);
    assertThat(t.tryAdvanceToNextSleeper()).isFalse();
    Thread sleeper =
        new Thread(
            () -> {
              try {
                t.sleepUntil(Long.MIN_VALUE + 20); // 26 ns ahead, across the wrap
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    sleeper.start();
    t.awaitSleepers(1);
    assertThat(t.tryAdvanceToNextSleeper()).isTrue();
    sleeper.join(30_000);
    assertThat(t.read()).isEqualTo(Long.MIN_VALUE + 20);
  }

  @Test
  void sleepUntil_pastDeadline_returnsAtOnceEvenIfInterrupted() throws InterruptedException {
    ManualTicker t = ManualTicker.startingAt(100);
    Thread.currentThread().interrupt();
    try {
      t.sleepUntil(100);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void sleepUntil_interrupted_throwsAndLeaves() throws Exception {
    ManualTicker t = ManualTicker.create();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread sleeper =
        new Thread(
            () -> {
              try {
                t.sleepUntil(1_000);
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    sleeper.start();
    t.awaitSleepers(1);
    sleeper.interrupt();
    sleeper.join(30_000);
    assertThat(failure.get()).isInstanceOf(InterruptedException.class);
    assertThat(t.sleepers()).isZero();
  }
}
