package io.throttlenet.examples;

import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.PerKey;
import io.throttlenet.bucket.Throttle;

/**
 * Per-tenant budgets under a global ceiling: a noisy tenant exhausts its own share and the
 * global scope, and a refused request charges no scope at all.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package exec:java -pl throttle-examples -am
 * -Dexec.mainClass=io.throttlenet.examples.PerTenant}
 */
public final class PerTenant {
  private PerTenant() {}

  public static void main(String[] args) {
    Layered<String> layered =
        Layered.<String>builder()
            .name("per-tenant")
            .global(Throttle.perSecond(20))
            .perKey(PerKey.perSecond(8))
            .perEndpoint(PerKey.perSecond(15))
            .build();
    String[] tenants = {"noisy", "noisy", "noisy", "quiet"};
    int[] admitted = new int[tenants.length];
    for (int round = 0; round < 10; round++) {
      for (int t = 0; t < tenants.length; t++) {
        if (layered.tryAcquire(tenants[t], t < 3 ? "/v1/chat" : "/v1/embed")) {
          admitted[t]++;
        }
      }
    }
    System.out.printf("noisy tenant admitted %d of 30 requests (its own share is 8)%n",
        admitted[0] + admitted[1] + admitted[2]);
    System.out.printf("quiet tenant admitted %d of 10 requests%n", admitted[3]);
    System.out.printf("left now: noisy %d, quiet %d%n",
        layered.availablePermits("noisy", "/v1/chat"), layered.availablePermits("quiet", "/v1/embed"));
  }
}
