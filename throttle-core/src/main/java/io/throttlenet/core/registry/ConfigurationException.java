package io.throttlenet.core.registry;

/**
 * A property that cannot be bound: an unknown key, a value not of its form, or a value its
 * component's builder rejects. The message starts with the offending key (or the component's
 * prefix, when the builder rejected the options together) and quotes the builder's own message.
 * Immutable.
 */
public final class ConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;

  /** A failure at {@code key}, saying {@code message}, caused by {@code cause} (may be null). */
  public ConfigurationException(String key, String message, Throwable cause) {
    super(key + ": " + message, cause);
    this.key = key;
  }

  /** The property key, or the prefix of the component whose options were rejected together. */
  public String key() {
    return key;
  }
}
