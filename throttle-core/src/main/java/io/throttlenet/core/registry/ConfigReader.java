package io.throttlenet.core.registry;

/**
 * Reads one kind's configuration from its {@link Options}: starts the kind's builder from {@code
 * base}, applies every option that is set, and lets the builder validate. A reader asks for every
 * option it knows, set or not, so that anything else can be reported as unknown; it never checks
 * a value itself (the builder's message is the one users see).
 *
 * @param <C> the kind's immutable configuration
 */
@FunctionalInterface
public interface ConfigReader<C> {

  /**
   * The configuration {@code base} with {@code options} applied.
   *
   * @throws IllegalArgumentException or {@link IllegalStateException} from the builder, if the
   *     options are invalid (the binder adds the key prefix)
   */
  C read(C base, Options options);
}
