package io.throttlenet.core.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@link Registry#bind} run: splits the kind's properties into configurations and components,
 * resolves {@code base-config} chains (depth first, with cycle detection) and reads each through
 * the kind's {@link ConfigReader}. Builds values only; the registry adds them once all bound.
 */
final class Binding<C> {
  static final String CONFIGS = "configs";
  static final String BASE_CONFIG = "base-config";
  static final String CONFIG = "config";

  private final Registry<?, C> registry;
  private final ConfigReader<C> reader;
  private final String prefix;
  private final Map<String, Map<String, String>> configNodes = new TreeMap<>();
  private final Map<String, Map<String, String>> instanceNodes = new TreeMap<>();
  private final Map<String, C> resolved = new LinkedHashMap<>();
  private final List<String> resolving = new ArrayList<>();

  Binding(Registry<?, C> registry, ConfigReader<C> reader, Map<String, String> properties) {
    this.registry = registry;
    this.reader = reader;
    this.prefix = "throttlenet." + registry.kind() + ".";
    properties.forEach(this::sort);
  }

  /** {@code throttlenet.<kind>.} */
  String prefix() {
    return prefix;
  }

  private void sort(String key, String value) {
    if (key == null || value == null) {
      throw new NullPointerException("properties must not hold null keys or values, had " + key + "=" + value);
    }
    if (!key.startsWith(prefix)) {
      return;
    }
    String rest = key.substring(prefix.length());
    Map<String, Map<String, String>> nodes = instanceNodes;
    String form = "<name>.<option>";
    if (rest.startsWith(CONFIGS + ".") || rest.equals(CONFIGS)) {
      rest = rest.substring(Math.min(rest.length(), CONFIGS.length() + 1));
      nodes = configNodes;
      form = CONFIGS + ".<name>.<option>";
    }
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot == rest.length() - 1) {
      throw new ConfigurationException(
          key, "keys of " + registry.kind() + " must read " + prefix + form, null);
    }
    nodes.computeIfAbsent(rest.substring(0, dot), n -> new TreeMap<>()).put(rest.substring(dot + 1), value);
  }

  /** Every configuration of the properties, each derived from its base. */
  Map<String, C> configurations() {
    for (String name : configNodes.keySet()) {
      resolve(name);
    }
    return resolved;
  }

  /** A configuration for every component of the properties, in order of name. */
  Map<String, C> instances(Map<String, C> configs) {
    Map<String, C> instances = new LinkedHashMap<>();
    instanceNodes.forEach((name, node) -> {
      Map<String, String> options = new TreeMap<>(node);
      String configName = options.remove(CONFIG);
      String keyPrefix = prefix + name;
      C base = configName == null ? defaultBase() : named(configName, keyPrefix + "." + CONFIG);
      instances.put(name, read(base, keyPrefix, options));
    });
    return instances;
  }

  private C resolve(String name) {
    C done = resolved.get(name);
    if (done != null) {
      return done;
    }
    String keyPrefix = prefix + CONFIGS + "." + name;
    if (resolving.contains(name)) {
      throw new ConfigurationException(
          keyPrefix + "." + BASE_CONFIG,
          "configurations derive from each other in a cycle: " + String.join(" -> ", resolving) + " -> " + name,
          null);
    }
    resolving.add(name);
    Map<String, String> options = new TreeMap<>(configNodes.get(name));
    String baseName = options.remove(BASE_CONFIG);
    C base;
    if (baseName != null) {
      base = named(baseName, keyPrefix + "." + BASE_CONFIG);
    } else if (name.equals(Registry.DEFAULT_CONFIG)) {
      base = registry.defaultConfiguration();
    } else {
      base = defaultBase();
    }
    C config = read(base, keyPrefix, options);
    resolving.remove(name);
    resolved.put(name, config);
    return config;
  }

  /** The default configuration, as these properties leave it. */
  private C defaultBase() {
    return configNodes.containsKey(Registry.DEFAULT_CONFIG)
        ? resolve(Registry.DEFAULT_CONFIG)
        : registry.defaultConfiguration();
  }

  private C named(String configName, String key) {
    if (configNodes.containsKey(configName)) {
      return resolve(configName);
    }
    return registry.configuration(configName).orElseThrow(() -> new ConfigurationException(
        key,
        "must name a " + registry.kind() + " configuration (in the registry: "
            + registry.configurationNames() + ", in the properties: " + configNodes.keySet()
            + "), was '" + configName + "'",
        null));
  }

  private C read(C base, String keyPrefix, Map<String, String> values) {
    Options options = new Options(keyPrefix, values);
    C config;
    try {
      config = reader.read(base, options);
    } catch (ConfigurationException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new ConfigurationException(keyPrefix, e.getMessage(), e);
    }
    java.util.Set<String> unread = options.unread();
    if (!unread.isEmpty()) {
      throw new ConfigurationException(
          keyPrefix + "." + unread.iterator().next(),
          "unknown key; a " + registry.kind() + " reads " + String.join(", ", options.known()),
          null);
    }
    return config;
  }
}
