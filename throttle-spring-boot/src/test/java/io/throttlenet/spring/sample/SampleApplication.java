package io.throttlenet.spring.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot application using the starter: {@code application.yml} declares the
 * components, {@link Downstream} calls an HTTP API through annotated methods. The tests start it;
 * it also runs on its own ({@code main}) against {@code sample.base-url}.
 */
@SpringBootApplication
public class SampleApplication {
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
