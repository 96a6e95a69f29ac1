package io.throttlenet.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TrampolineTest {

  @Test
  void reentryOnTheSameThread_becomesAnotherRound_notANestedCall() {
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger maxDepth = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger();
    AtomicReference<Trampoline> self = new AtomicReference<>();
    Trampoline t = new Trampoline(() -> {
      maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
      if (rounds.incrementAndGet() < 10_000) {
        self.get().run(); // what a completion freeing a slot again would do
      }
      depth.decrementAndGet();
    });
    self.set(t);
    t.run();
    assertThat(rounds).hasValue(10_000);
    assertThat(maxDepth).hasValue(1);
  }

  @Test
  void aRoundThatThrows_doesNotDropARoundAskedForMeanwhile_andTheFailureSurfaces() {
    AtomicInteger rounds = new AtomicInteger();
    AtomicReference<Trampoline> self = new AtomicReference<>();
    Trampoline t = new Trampoline(() -> {
      if (rounds.incrementAndGet() == 1) {
        self.get().run(); // asks for one more round...
        throw new IllegalStateException("...then fails");
      }
    });
    self.set(t);
    assertThatThrownBy(t::run).isInstanceOf(IllegalStateException.class).hasMessage("...then fails");
    assertThat(rounds).hasValue(2);
    t.run(); // the thread's state was reset
    assertThat(rounds).hasValue(3);
  }
}
