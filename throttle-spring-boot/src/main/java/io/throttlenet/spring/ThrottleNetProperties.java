package io.throttlenet.spring;

import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The {@code throttlenet.*} entries of Spring's {@link Environment} as the flat map {@code
 * Registries.bind} reads: every key under {@code throttlenet.} from every enumerable property
 * source ({@code application.yml}, {@code application.properties}, system properties, the
 * command line ...), each with the value the environment resolves for it (highest-precedence
 * source, placeholders resolved). Keys are taken as written, so an unknown or misspelt key still
 * reaches the binder and fails there, naming it, instead of being dropped as
 * {@code @ConfigurationProperties} would drop it. Stateless.
 */
final class ThrottleNetProperties {
  static final String PREFIX = "throttlenet.";

  private ThrottleNetProperties() {}

  static Map<String, String> of(Environment environment) {
    Map<String, String> properties = new TreeMap<>();
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return properties;
    }
    for (PropertySource<?> source : configurable.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> enumerable) {
        for (String name : enumerable.getPropertyNames()) {
          if (name.startsWith(PREFIX) && !properties.containsKey(name)) {
            String value = environment.getProperty(name);
            if (value != null) {
              properties.put(name, value);
            }
          }
        }
      }
    }
    return properties;
  }
}
