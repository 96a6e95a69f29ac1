package io.throttlenet.redis;

import java.time.Duration;

/** One instance of a fleet in its own JVM: takes permits until refused 20 times in a row. */
public final class FleetMember {
  private FleetMember() {}

  public static void main(String[] args) {
    try (RedisStore store = RedisStore.connect(args[0])) {
      RedisThrottle t = RedisThrottle.builder(store).key(args[1]).rate(1, Duration.ofHours(1))
          .burst(Long.parseLong(args[2])).build();
      long admitted = 0;
      int refusals = 0;
      while (refusals < 20) {
        if (t.tryAcquire()) {
          admitted++;
          refusals = 0;
        } else {
          refusals++;
        }
      }
      System.out.println("admitted " + admitted);
    }
  }
}
