package io.throttlenet.core.registry;

import java.time.Duration;

/** A made-up kind for testing the registry and the binder without a real component. */
final class Widgets extends Registry<Widgets.Widget, Widgets.Config> {
  static final Config DEFAULT = new Config(Duration.ofSeconds(1), 10, false);

  /** The immutable configuration. */
  record Config(Duration timeout, int size, boolean fair) {}

  /** A component: its name and the configuration it was built from. */
  record Widget(String name, Config config) {}

  /** A builder in the style of the real ones: checks name the argument and its value. */
  static final class Builder {
    private Duration timeout;
    private int size;
    private boolean fair;

    Builder(Config base) {
      timeout = base.timeout();
      size = base.size();
      fair = base.fair();
    }

    Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    Builder size(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("size must be >= 1, was " + size);
      }
      this.size = size;
      return this;
    }

    Config config() {
      return new Config(timeout, size, fair);
    }
  }

  Widgets() {
    super("widget", DEFAULT, Widget::new, (base, options) -> {
      Builder b = new Builder(base);
      options.duration("timeout").ifPresent(b::timeout);
      options.integer("size").ifPresent(b::size);
      options.bool("fair").ifPresent(f -> b.fair = f);
      return b.config();
    });
  }
}
