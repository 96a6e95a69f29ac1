package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.adaptive.AimdController;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Chains with adaptive bulkheads: a drop (here a timeout) lowers the controller's limit. */
class AdaptiveChainTest {

  @Test
  void anAdaptiveBulkhead_admitsCalls_andBacksOffOnDrops() {
    AimdController controller =
        AimdController.builder().initialLimit(10).latencyTolerance(Double.POSITIVE_INFINITY).build();
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> ok =
        Decorators.ofSupplier(() -> "ok:" + calls.incrementAndGet())
            .withAdaptiveBulkhead(controller)
            .decorate();
    assertThat(ok.get()).isEqualTo("ok:1");
    assertThat(controller.limit()).isEqualTo(10); // one in flight of 10: not used enough to grow
    Supplier<String> overloaded =
        Decorators.ofSupplier(
                (Supplier<String>)
                    () -> {
                      throw new java.io.UncheckedIOException(
                          new java.net.SocketTimeoutException("read timed out"));
                    })
            .withAdaptiveBulkhead(controller)
            .decorate();
    assertThatThrownBy(overloaded::get).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(controller.limit()).isEqualTo(9); // a timeout is a drop: x 0.9
  }
}
