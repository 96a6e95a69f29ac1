package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every Java snippet of the README against the library, so the README cannot drift from
 * the API. Each snippet becomes the body of a method in a class that provides the few things a
 * snippet takes for granted (a {@code client}, a {@code prompt}, the components earlier snippets
 * built); a snippet that lists its own imports is compiled with those imports only, so its list
 * must be complete, and the others with the packages the README names.
 */
class ReadmeSnippetsTest {
  private static final String PACKAGES =
      """
      import io.throttlenet.core.*;
      import io.throttlenet.bucket.*;
      import io.throttlenet.multidim.*;
      import io.throttlenet.retry.*;
      import io.throttlenet.breaker.*;
      import io.throttlenet.queue.*;
      import io.throttlenet.decorators.*;
      import io.throttlenet.micrometer.*;
      import io.throttlenet.adaptive.*;
      import io.throttlenet.http.*;
      import io.throttlenet.reactor.*;
      import reactor.core.publisher.*;
      import java.net.URI;
      import java.net.http.*;
      import java.time.*;
      import java.util.*;
      import java.util.concurrent.Callable;
      import java.util.function.*;
      """;

  /** What the snippets assume exists: stand-ins for the user's own client and types. */
  private static final String FIXTURES =
      """
      package readme;

      import io.micrometer.core.instrument.MeterRegistry;
      import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
      import io.throttlenet.breaker.CircuitBreaker;
      import io.throttlenet.bucket.Throttle;
      import io.throttlenet.multidim.MultiLimiter;
      import io.throttlenet.queue.AdmissionQueue;
      import io.throttlenet.queue.ConcurrencyLimit;
      import io.throttlenet.retry.Backoff;
      import io.throttlenet.retry.Retry;

      public abstract class Fixtures {
        public record Response(long outputTokens) {}
        public record Usage(long inputTokens, long outputTokens) {
          public long totalTokens() { return inputTokens + outputTokens; }
        }
        public record Completion(Usage usage) {}
        public record Prompt(long promptTokens, long maxTokens) {}
        public record Request(String tenant, String body) {}
        public static final class TooManyRequests extends Exception {
          public String retryAfterHeader() { return "1"; }
        }
        public interface Client {
          String call();
          Response call(Prompt prompt);
          String get(String url) throws Exception;
          Completion complete(Prompt prompt);
          String send(Request request);
        }
        public interface Log {
          void warn(String format, Object... args);
        }

        protected Client client;
        protected Prompt prompt;
        protected String url;
        protected Log log;
        protected MeterRegistry meterRegistry = new SimpleMeterRegistry();
        protected Throttle throttle = Throttle.perSecond(10);
        protected CircuitBreaker breaker = CircuitBreaker.builder().build();
        protected Retry retry = Retry.of(Backoff.ofDefaults());
        protected MultiLimiter llm;
        protected AdmissionQueue<String> queue;
        protected ConcurrencyLimit bulkhead = ConcurrencyLimit.of(1);

        protected void call() {}
        protected Usage usage(java.net.http.HttpResponse<?> response) { return new Usage(0, 0); }
      }
      """;

  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  static List<String> snippets(String markdown) {
    List<String> out = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(markdown);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** A compilation unit for snippet {@code n}: its imports (or the README's packages) and its body. */
  static String unit(int n, String snippet) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : snippet.split("\n", -1)) {
      if (line.startsWith("import ")) {
        imports.append(line).append('\n');
      } else if (line.strip().equals("...")) {
        body.append("// ...\n"); // the user's code goes here
      } else {
        body.append(line).append('\n');
      }
    }
    return "package readme;\n"
        + (imports.length() > 0 ? imports : PACKAGES)
        + "import readme.Fixtures.*;\n"
        + "class Snippet" + n + " extends Fixtures {\n"
        + "  @SuppressWarnings(\"unused\")\n"
        + "  void snippet() throws Exception {\n"
        + body
        + "  }\n}\n";
  }

  private static JavaFileObject source(String className, String code) {
    return new SimpleJavaFileObject(
        URI.create("string:///readme/" + className + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }

  private static Path readme() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("throttle-core"))) {
        return p.resolve("README.md");
      }
    }
    throw new IllegalStateException("README.md not found above " + here);
  }

  @Test
  void everyJavaSnippetOfTheReadme_compilesAgainstTheLibrary(@TempDir Path out) throws IOException {
    List<String> snippets = snippets(Files.readString(readme()));
    assertThat(snippets).hasSizeGreaterThan(10);
    List<JavaFileObject> units = new ArrayList<>();
    units.add(source("Fixtures", FIXTURES));
    for (int i = 0; i < snippets.size(); i++) {
      units.add(source("Snippet" + (i + 1), unit(i + 1, snippets.get(i))));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      List<String> options = List.of(
          "-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none", "--release", "17");
      boolean ok = javac.getTask(null, files, diagnostics, options, null, units).call();
      StringBuilder errors = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          errors.append(d.getSource() == null ? "" : d.getSource().getName())
              .append(':').append(d.getLineNumber()).append(": ")
              .append(d.getMessage(Locale.ROOT)).append('\n');
        }
      }
      assertThat(errors.toString()).as("README snippets that do not compile").isEmpty();
      assertThat(ok).isTrue();
    }
  }

  @Test
  void aSnippetThatMisusesTheApi_isCaught(@TempDir Path out) throws IOException {
    // the test itself must be able to fail: an unknown method in a snippet is an error
    String broken = "```java\nThrottle t = Throttle.perSecond(1);\nt.noSuchMethod();\n```\n";
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      List<JavaFileObject> units = List.of(
          source("Fixtures", FIXTURES), source("Snippet1", unit(1, snippets(broken).get(0))));
      List<String> options = List.of(
          "-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none", "--release", "17");
      assertThat(javac.getTask(null, files, diagnostics, options, null, units).call()).isFalse();
    }
  }
}
