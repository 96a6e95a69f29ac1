package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.adaptive.ServerWindow;
import io.throttlenet.breaker.CircuitBreaker;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.http.ThrottledHttpClient;
import io.throttlenet.multidim.MultiLimiter;
import io.throttlenet.queue.ConcurrencyLimit;
import io.throttlenet.retry.Retry;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles small modular consumers of {@code io.throttlenet.all} with javac on a module path, as a
 * user's build would: one that uses neither Vavr nor SLF4J must compile without them (they are
 * optional, required {@code static} without {@code transitive}), and one that uses Vavr compiles
 * once it adds its own {@code requires io.vavr}.
 */
class ModularConsumerTest {
  private static final String CHAIN_ONLY =
      """
      package consumer;

      import io.throttlenet.bucket.Throttle;
      import io.throttlenet.decorators.Decorators;
      import java.util.function.Supplier;

      public final class Main {
        public static void main(String[] args) {
          Supplier<String> call =
              Decorators.ofSupplier(() -> "ok").withThrottle(Throttle.perSecond(5)).decorate();
          System.out.println(call.get());
        }
      }
      """;

  private static final String WITH_VAVR =
      """
      package consumer;

      import io.throttlenet.bucket.Throttle;
      import io.throttlenet.decorators.Decorators;
      import io.vavr.control.Try;

      public final class Main {
        public static void main(String[] args) {
          Try<String> result =
              Decorators.ofCheckedSupplier(() -> "ok").withThrottle(Throttle.perSecond(5)).tryGet();
          System.out.println(result.get());
        }
      }
      """;

  @TempDir Path dir;

  @Test
  void aConsumerUsingNeitherVavrNorSlf4jCompilesWithoutThem() throws IOException {
    List<String> errors =
        compile("module consumer { requires io.throttlenet.all; }", CHAIN_ONLY, libraries(false));
    assertThat(errors).isEmpty();
  }

  @Test
  void aConsumerUsingVavrAddsItsOwnRequires() throws IOException {
    List<String> without =
        compile("module consumer { requires io.throttlenet.all; }", WITH_VAVR, libraries(true));
    assertThat(without).as("Vavr is not passed on transitively").isNotEmpty();
    assertThat(String.join("\n", without)).contains("io.vavr");

    List<String> with =
        compile(
            "module consumer { requires io.throttlenet.all; requires io.vavr; }",
            WITH_VAVR,
            libraries(true));
    assertThat(with).isEmpty();
  }

  /** Where throttle-all and what it needs at compile time live (jars or class directories). */
  private static List<Path> libraries(boolean withVavr) {
    List<Class<?>> anchors =
        new ArrayList<>(
            List.of(
                Decorators.class,
                RateLimiter.class,
                Throttle.class,
                MultiLimiter.class,
                Retry.class,
                CircuitBreaker.class,
                ConcurrencyLimit.class,
                ServerWindow.class,
                ThrottledHttpClient.class,
                com.github.benmanes.caffeine.cache.Caffeine.class));
    if (withVavr) {
      anchors.add(io.vavr.control.Try.class);
    }
    List<Path> paths = new ArrayList<>();
    for (Class<?> anchor : anchors) {
      try {
        Path path = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!paths.contains(path)) {
          paths.add(path);
        }
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return paths;
  }

  /** Compiles the consumer module; answers javac's error messages (empty when it compiled). */
  private List<String> compile(String moduleInfo, String main, List<Path> modulePath)
      throws IOException {
    Path src = Files.createTempDirectory(dir, "src");
    Path out = Files.createTempDirectory(dir, "out");
    Files.writeString(src.resolve("module-info.java"), moduleInfo);
    Path pkg = Files.createDirectories(src.resolve("consumer"));
    Files.writeString(pkg.resolve("Main.java"), main);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      Iterable<? extends JavaFileObject> units =
          files.getJavaFileObjects(src.resolve("module-info.java"), pkg.resolve("Main.java"));
      List<String> options =
          List.of(
              "--release",
              "17",
              "-d",
              out.toString(),
              "--module-path",
              modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
      javac.getTask(null, files, diagnostics, options, null, units).call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .map(d -> d.getMessage(Locale.ROOT))
        .collect(Collectors.toList());
  }
}
