package io.throttlenet.adaptive;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads the rate-limit signals in an HTTP response into a {@link RateLimitStatus}. Never throws
 * for anything a server may send: unreadable values are left out.
 *
 * <p>Thread-safe and stateless.
 */
public final class RateLimitHeaders {

  private static final Parser DEFAULTS = new Parser(List.of());

  private RateLimitHeaders() {}

  /** Parses with every built-in format; see the class comment for precedence. */
  public static RateLimitStatus parse(Map<String, List<String>> headers, Instant receivedAt) {
    return DEFAULTS.parse(headers, null, receivedAt);
  }

  /** Parses headers and (for formats that put signals there) the body, which may be null. */
  public static RateLimitStatus parse(
      Map<String, List<String>> headers, String body, Instant receivedAt) {
    return DEFAULTS.parse(headers, body, receivedAt);
  }

  /** A parser that tries only {@code formats}, in the order given (earlier ones take precedence). */
  public static Parser of(HeaderFormat... formats) {
    Objects.requireNonNull(formats, "formats");
    for (int i = 0; i < formats.length; i++) {
      if (formats[i] == null) {
        throw new NullPointerException("formats[" + i + "] is null");
      }
    }
    return new Parser(List.of(formats));
  }

  /** The parser {@link #parse} uses: every built-in format. */
  public static Parser defaults() {
    return DEFAULTS;
  }

  /** Parses with a fixed list of formats. Immutable and thread-safe. */
  public static final class Parser {
    private final List<HeaderFormat> formats;

    private Parser(List<HeaderFormat> formats) {
      this.formats = formats;
    }

    /** The formats tried, in order of precedence. */
    public List<HeaderFormat> formats() {
      return formats;
    }

    /** Parses {@code headers} (names case-insensitive). */
    public RateLimitStatus parse(Map<String, List<String>> headers, Instant receivedAt) {
      return parse(headers, null, receivedAt);
    }

    /** Parses {@code headers} (names case-insensitive) and {@code body} (may be null). */
    public RateLimitStatus parse(
        Map<String, List<String>> headers, String body, Instant receivedAt) {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(receivedAt, "receivedAt");
      Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getValue() != null) {
          byName.merge(e.getKey(), e.getValue(), (a, b) -> {
            List<String> both = new java.util.ArrayList<>(a);
            both.addAll(b);
            return both;
          });
        }
      }
      RateLimitStatus.Builder status = RateLimitStatus.builder(receivedAt);
      for (HeaderFormat f : formats) {
        try {
          f.read(byName, body, status);
        } catch (RuntimeException e) {
          // A user format broke its contract; what the others found still stands.
        }
      }
      return status.build();
    }
  }
}
