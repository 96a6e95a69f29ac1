package io.throttlenet.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/**
 * Starts the sample application on a real server (a random port) and reads the {@code
 * throttlenet} actuator endpoint over HTTP, as an operator would: the JSON lists every kind, each
 * component by name with its state.
 */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "sample.base-url=http://127.0.0.1:9") // Downstream is not called here
class EndpointOverHttpTest {
  @LocalServerPort int port;
  @Autowired RestClient.Builder rest;

  @Test
  void throttlenetEndpoint_overHttp_listsEveryComponentWithItsState() {
    Map<String, Map<String, Map<String, Object>>> all = rest.build().get()
        .uri("http://127.0.0.1:" + port + "/actuator/throttlenet")
        .retrieve()
        .body(new ParameterizedTypeReference<>() {});
    assertThat(all).containsOnlyKeys("throttle", "multi", "retry", "breaker", "bulkhead", "queue", "window");
    assertThat(all.get("throttle").get("github")).containsEntry("capacity", 2).containsEntry("rate", "2/1h");
    assertThat(all.get("breaker").get("payments")).containsEntry("state", "CLOSED");
    assertThat(all.get("bulkhead").get("reports")).containsEntry("limit", 1).containsEntry("inFlight", 0);
    assertThat(all.get("queue").get("tenants")).containsEntry("size", 0)
        .containsEntry("limiter", "throttle:partners");
    assertThat(all.get("window").get("openai").get("tokens"))
        .isEqualTo(Map.of("availablePermits", 30_000, "inFlight", 0, "limit", 30_000, "window", "PT1M"));
    assertThat(all.get("multi").get("llm")).containsKeys("requests", "tokens");
  }
}
