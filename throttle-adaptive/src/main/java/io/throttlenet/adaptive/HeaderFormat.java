package io.throttlenet.adaptive;

import java.util.List;
import java.util.Map;

/**
 * One way servers report rate limits (a provider's headers, a standard's fields, a signal in an
 * error body). {@link RateLimitHeaders} ships one constant per built-in format; users add their
 * own by implementing this interface and passing it to {@link RateLimitHeaders#of}.
 *
 * <p>Contract: {@link #read} never throws for any input (a value it cannot read is left out),
 * never blocks, and is thread-safe (formats are shared by every parse).
 */
public interface HeaderFormat {

  /** A short name for diagnostics, such as {@code "openai"}. */
  String name();

  /**
   * Adds to {@code status} what this format finds.
   *
   * @param headers the response headers; looking a name up is case-insensitive, and each list
   *     holds the field's values in the order received (never null, possibly empty)
   * @param body the response body as text, or null if not available
   * @param status where to put what was found (each format gets its own; the parser merges them
   *     by precedence, see {@link RateLimitHeaders})
   */
  void read(Map<String, List<String>> headers, String body, RateLimitStatus.Builder status);
}
