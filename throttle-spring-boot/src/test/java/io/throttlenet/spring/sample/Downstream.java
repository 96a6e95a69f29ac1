package io.throttlenet.spring.sample;

import io.throttlenet.spring.Breaker;
import io.throttlenet.spring.Queued;
import io.throttlenet.spring.Bulkhead;
import io.throttlenet.spring.Retried;
import io.throttlenet.spring.Throttled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/** Calls to a downstream HTTP API, each guarded by annotations. */
@Service
public class Downstream {
  private final RestClient rest;

  public Downstream(RestClient.Builder builder, @Value("${sample.base-url}") String baseUrl) {
    this.rest = builder.baseUrl(baseUrl).build();
  }

  /** Retries a 5xx; each attempt takes a permit of the GitHub budget, waiting for none. */
  @Retried("default")
  @Throttled(value = "github", maxWait = "0s")
  public String github(String path) {
    return rest.get().uri(path).retrieve().body(String.class);
  }

  /** Fails fast once the payments API has failed twice in a row. */
  @Breaker("payments")
  public String payments(String path) {
    return rest.get().uri(path).retrieve().body(String.class);
  }

  /** One report at a time; a second caller is refused at once. */
  @Bulkhead("reports")
  public String report(CountDownLatch entered, CountDownLatch release) throws InterruptedException {
    entered.countDown();
    if (!release.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("never released");
    }
    return "report";
  }

  /** Waits its turn for its tenant in the fair queue in front of the partners' budget. */
  @Queued(value = "tenants", key = "#p0", cost = 5, deadline = "1s")
  public String forTenant(String tenant, String path) {
    return rest.get().uri(path).retrieve().body(String.class);
  }

  /** An asynchronous call that succeeds: a permit of the search budget, then the call. */
  @Throttled(value = "search", maxWait = "0s")
  public CompletionStage<String> searchAsync(String path) {
    return CompletableFuture.supplyAsync(() -> rest.get().uri(path).retrieve().body(String.class));
  }

  /** An asynchronous call: the permit is taken without holding a thread. */
  @Throttled(value = "github", maxWait = "0s")
  public CompletionStage<String> githubAsync(String path) {
    return CompletableFuture.completedFuture(rest.get().uri(path).retrieve().body(String.class));
  }
}
