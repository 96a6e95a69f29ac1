package io.throttlenet.core.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Default component names that never collide: {@code throttle-1}, {@code throttle-2}, ... per
 * kind, for the life of the class loader. Two unnamed components must never share a name, or
 * their events and meters would merge into one series. Thread-safe. Not part of the public API.
 */
public final class Names {
  private static final ConcurrentHashMap<String, AtomicLong> SEQUENCES = new ConcurrentHashMap<>();

  private Names() {}

  /** A name of {@code kind} that no earlier call returned. */
  public static String unique(String kind) {
    return kind + "-" + SEQUENCES.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }
}
