package io.throttlenet.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.breaker.CircuitOpenException;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.Permit;
import io.throttlenet.decorators.Registries;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.BulkheadFullException;
import io.throttlenet.queue.Overflow;
import io.throttlenet.spring.BreakersHealthIndicator;
import io.throttlenet.spring.ThrottleNetEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpServerErrorException;

/**
 * Starts the sample application with its {@code application.yml} and calls its annotated bean,
 * which calls a real HTTP server on the loopback interface. Each test uses its own components, so
 * the order the tests run in does not matter.
 */
@SpringBootTest
class SampleApplicationTest {
  private static final AtomicInteger FLAKY_HITS = new AtomicInteger();
  private static final AtomicInteger DOWN_HITS = new AtomicInteger();
  private static final AtomicInteger OK_HITS = new AtomicInteger();
  private static final HttpServer SERVER = start();

  private static HttpServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      // Fails the first call with a 503, then answers.
      server.createContext("/flaky", exchange -> {
        int hit = FLAKY_HITS.incrementAndGet();
        respond(exchange, hit == 1 ? 503 : 200, hit == 1 ? "busy" : "hello");
      });
      server.createContext("/ok", exchange -> {
        OK_HITS.incrementAndGet();
        respond(exchange, 200, "ok");
      });
      server.createContext("/down", exchange -> {
        DOWN_HITS.incrementAndGet();
        respond(exchange, 500, "broken");
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @DynamicPropertySource
  static void baseUrl(DynamicPropertyRegistry properties) {
    properties.add("sample.base-url", () -> "http://127.0.0.1:" + SERVER.getAddress().getPort());
  }

  @AfterAll
  static void stop() {
    SERVER.stop(0);
  }

  @Autowired Downstream downstream;
  @Autowired Registries registries;
  @Autowired ThrottleNetEndpoint endpoint;
  @Autowired BreakersHealthIndicator health;
  @Autowired MeterRegistry meters;

  @Autowired
  @Qualifier("throttlenet.throttle.github")
  Throttle github;

  @Autowired
  @Qualifier("throttlenet.breaker.payments")
  CircuitBreaker payments;

  @Autowired
  @Qualifier("throttlenet.multi.llm")
  MultiLimiter llm;

  @Autowired
  @Qualifier("throttlenet.queue.tenants")
  AdmissionQueue<String> tenants;

  @Autowired
  @Qualifier("throttlenet.window.openai")
  ServerWindow openai;

  @Test
  void queuedCall_takesItsTurnForTheKeyFromItsArguments_andPaysTheFrontedThrottle() {
    Throttle partners = registries.throttles().component("partners");
    long before = partners.availablePermits();
    int hits = OK_HITS.get();
    assertThat(downstream.forTenant("acme", "/ok")).isEqualTo("ok");
    assertThat(OK_HITS.get()).isEqualTo(hits + 1);
    assertThat(partners.availablePermits()).isEqualTo(before - 5);
    assertThat(tenants.size()).isZero();
    assertThatThrownBy(() -> downstream.forTenant(null, "/ok"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key of @Queued(\"tenants\") on Downstream.forTenant must not be null, was null for '#p0'");
    assertThat(OK_HITS.get()).isEqualTo(hits + 1);
  }

  @Test
  void asyncCall_thatSucceeds_completesWithTheResult_andPaysItsPermit() {
    Throttle search = registries.throttles().component("search");
    CompletionStage<String> call = downstream.searchAsync("/ok");
    assertThat(call.toCompletableFuture().join()).isEqualTo("ok");
    assertThat(search.availablePermits()).isEqualTo(2);
  }

  @Test
  void queueAndWindow_areBeans_builtFromTheProperties() throws InterruptedException {
    assertThat(tenants).isSameAs(registries.queues().component("tenants"));
    assertThat(tenants.config().overflow()).contains(Overflow.DROP_OLDEST);
    Throttle partners = registries.throttles().component("partners");
    long before = partners.availablePermits(); // the tests run in any order
    assertThat(tenants.acquire("acme", 0, 4, null)).isSameAs(Permit.SPENT);
    assertThat(partners.availablePermits()).isEqualTo(before - 4); // it fronts the named throttle
    assertThat(openai).isSameAs(registries.windows().component("openai"));
    assertThat(openai.capacity("tokens")).isEqualTo(30_000);
  }

  @Test
  void retryOutsideThrottle_eachAttemptPaysAPermit_thenTheBudgetRefusesWithoutACall() {
    assertThat(downstream.github("/flaky")).isEqualTo("hello");
    assertThat(FLAKY_HITS.get()).isEqualTo(2); // a 503, retried once
    assertThat(github.availablePermits()).isZero(); // both attempts paid
    assertThatThrownBy(() -> downstream.github("/flaky")).isInstanceOf(MaxWaitExceededException.class);
    assertThat(FLAKY_HITS.get()).isEqualTo(2); // refused before the call, and not retried
    assertThatThrownBy(() -> downstream.githubAsync("/flaky").toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(MaxWaitExceededException.class);
    assertThat(FLAKY_HITS.get()).isEqualTo(2);
  }

  @Test
  void breaker_opensAfterTwoFailures_failsFast_andHealthShowsIt() {
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> downstream.payments("/down")).isInstanceOf(HttpServerErrorException.class);
    }
    assertThatThrownBy(() -> downstream.payments("/down")).isInstanceOf(CircuitOpenException.class);
    assertThat(DOWN_HITS.get()).isEqualTo(2);
    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.health().getDetails()).containsEntry("payments", "OPEN");
    payments.reset();
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void bulkhead_refusesASecondConcurrentCall() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> first = pool.submit(() -> downstream.report(entered, release));
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> downstream.report(new CountDownLatch(1), new CountDownLatch(0)))
          .isInstanceOf(BulkheadFullException.class);
      release.countDown();
      assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("report");
      assertThat(registries.bulkheads().component("reports").inFlight()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void componentsAreBeans_sharedWithTheRegistries() {
    assertThat(github).isSameAs(registries.throttles().component("github"));
    assertThat(payments).isSameAs(registries.breakers().component("payments"));
    assertThat(llm.capacity("tokens")).isEqualTo(100_000);
    assertThat(registries.retries().component("default").maxAttempts()).isEqualTo(3);
  }

  @Test
  void endpointAndMeters_showEveryComponent() {
    Map<String, Map<String, Map<String, Object>>> all = endpoint.components();
    assertThat(all.get("throttle").get("github")).containsEntry("capacity", 2L).containsEntry("rate", "2/1h");
    assertThat(all.get("bulkhead").get("reports")).containsEntry("limit", 1).containsEntry("inFlight", 0);
    assertThat(all.get("multi").get("llm")).containsKey("tokens");
    assertThat(all.get("breaker")).containsKey("payments");
    assertThat(all.get("queue").get("tenants")).containsEntry("size", 0).containsEntry("capacity", 50)
        .containsEntry("limiter", "throttle:partners");
    @SuppressWarnings("unchecked")
    Map<String, Object> tokens = (Map<String, Object>) all.get("window").get("openai").get("tokens");
    assertThat(tokens).containsEntry("availablePermits", 30_000L).containsEntry("inFlight", 0L)
        .containsEntry("limit", 30_000L).containsEntry("window", "PT1M");
    assertThat(all.get("window").get("openai")).containsEntry("waiting", 0);
    assertThat(meters.get("throttlenet.queue.depth").tags("component", "tenants").gauge().value()).isZero();
    assertThat(meters.get("throttlenet.limiter.available").tags("component", "github").gauge()).isNotNull();
    assertThat(meters.get("throttlenet.bulkhead.limit").tags("component", "reports").gauge().value()).isEqualTo(1);
    assertThat(meters.get("throttlenet.multi.available").tags("component", "llm", "dimension", "requests").gauge().value())
        .isEqualTo(60);
  }
}
