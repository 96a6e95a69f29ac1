package io.throttlenet.adaptive;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Test helpers: header maps written as name/value pairs, and dimension shorthands. */
final class Headers {
  /** 2024-05-01T12:00:00Z, epoch second 1714564800. */
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

  static final long NOW_EPOCH = NOW.getEpochSecond();

  private Headers() {}

  /** A header map from name, value, name, value...; a repeated name gets several values. */
  static Map<String, List<String>> h(String... nameValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
    }
    return m;
  }

  static RateLimitStatus.Dimension dim(String name, long limit, long remaining, Duration reset) {
    return new RateLimitStatus.Dimension(
        name,
        limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit),
        remaining < 0 ? OptionalLong.empty() : OptionalLong.of(remaining),
        Optional.ofNullable(reset));
  }

  static RateLimitStatus.Dimension dim(
      String name, long limit, long remaining, Duration reset, Duration window) {
    return dim(name, limit, remaining, reset)
        .orElse(new RateLimitStatus.Dimension(
            name, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
            Optional.of(window)));
  }

  /** What a user format does with the headers. */
  interface Read {
    void read(Map<String, List<String>> headers, RateLimitStatus.Builder status);
  }

  /** A user-defined format called {@code name}. */
  static HeaderFormat format(String name, Read read) {
    return new HeaderFormat() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void read(
          Map<String, List<String>> headers, String body, RateLimitStatus.Builder status) {
        read.read(headers, status);
      }
    };
  }

  static RateLimitStatus parse(Map<String, List<String>> headers) {
    return RateLimitHeaders.parse(headers, NOW);
  }

  static RateLimitStatus parse(Map<String, List<String>> headers, String body) {
    return RateLimitHeaders.parse(headers, body, NOW);
  }
}
