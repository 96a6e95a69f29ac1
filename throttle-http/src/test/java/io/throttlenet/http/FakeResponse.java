package io.throttlenet.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** A response made up in a test: a status, headers (name, value, ...) and a body. */
record FakeResponse(int statusCode, HttpHeaders headers, String body)
    implements HttpResponse<String> {

  static FakeResponse of(int status, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new FakeResponse(status, HttpHeaders.of(map, (n, v) -> true), "{}");
  }

  @Override
  public HttpRequest request() {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1/fake")).build();
  }

  @Override
  public Optional<HttpResponse<String>> previousResponse() {
    return Optional.empty();
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return Optional.empty();
  }

  @Override
  public URI uri() {
    return request().uri();
  }

  @Override
  public HttpClient.Version version() {
    return HttpClient.Version.HTTP_1_1;
  }
}
