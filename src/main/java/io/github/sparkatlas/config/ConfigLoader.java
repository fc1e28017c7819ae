package io.github.sparkatlas.config;

import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Finds atlas-application.properties the way Atlas users expect (-Datlas.conf dir, then ATLAS_CONF, then the
 * driver's working directory where --files puts it, then the classpath) and lays Spark conf
 * {@code spark.atlas.*} over it, so cluster-wide Spark config needs no file at all.
 */
public final class ConfigLoader {
  public static final String FILE_NAME = "atlas-application.properties";
  public static final String CONF_DIR_PROPERTY = "atlas.conf";
  public static final String CONF_DIR_ENV = "ATLAS_CONF";
  private static final String SPARK_PREFIX = "spark.";

  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;
  private final Path workingDir;
  private final ClassLoader classLoader;

  public ConfigLoader(Function<String, String> systemProperties, Function<String, String> environment,
      Path workingDir, ClassLoader classLoader) {
    this.systemProperties = systemProperties;
    this.environment = environment;
    this.workingDir = workingDir;
    this.classLoader = classLoader;
  }

  /** The loader of a real driver: this JVM's properties, environment and working directory. */
  public static ConfigLoader forThisJvm() {
    return new ConfigLoader(System::getProperty, System::getenv, Paths.get("").toAbsolutePath(),
        ConfigLoader.class.getClassLoader());
  }

  /**
   * @param sparkConf all Spark conf entries of the application; only spark.atlas.* are read
   * @throws ConfigException when a file cannot be read or a value is invalid
   */
  public AgentConfig load(Map<String, String> sparkConf) {
    Map<String, String> merged = new LinkedHashMap<>();
    List<String> origins = new ArrayList<>();
    String file = loadFile(merged);
    if (file != null) {
      origins.add(file);
    }
    int fromSpark = 0;
    for (Map.Entry<String, String> entry : sparkConf.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(SPARK_PREFIX + "atlas.")) {
        merged.put(key.substring(SPARK_PREFIX.length()), entry.getValue());
        fromSpark++;
      }
    }
    if (fromSpark > 0) {
      origins.add(fromSpark + " spark.atlas.* Spark conf entries");
    }
    String origin = origins.isEmpty() ? "built-in defaults (no " + FILE_NAME + ", no spark.atlas.* conf)"
        : String.join(" + ", origins);
    try {
      return AgentConfig.of(merged, origin);
    } catch (ConfigException e) {
      // A bad value is quoted in the message: what the user's and Spark's redaction settings call secret is
      // masked in it too, as everywhere else.
      throw new ConfigException(Redactor.forConfigErrors(sparkConf, merged.get(AgentConfigDef.REDACTION_REGEX.name()))
          .redact(e.getMessage()));
    }
  }

  /** Reads the first properties file found into {@code into}; returns where it was, or null. */
  private String loadFile(Map<String, String> into) {
    for (Path dir : new Path[] {dirFrom(systemProperties.apply(CONF_DIR_PROPERTY)),
        dirFrom(environment.apply(CONF_DIR_ENV)), workingDir}) {
      if (dir == null) {
        continue;
      }
      Path candidate = dir.resolve(FILE_NAME);
      if (Files.isRegularFile(candidate)) {
        try (InputStream in = Files.newInputStream(candidate)) {
          read(in, into);
        } catch (IOException e) {
          throw new ConfigException("cannot read " + candidate + ": " + e);
        }
        return candidate.toString();
      }
    }
    URL resource = classLoader == null ? null : classLoader.getResource(FILE_NAME);
    if (resource != null) {
      try (InputStream in = resource.openStream()) {
        read(in, into);
      } catch (IOException e) {
        throw new ConfigException("cannot read " + resource + ": " + e);
      }
      return resource.toString();
    }
    return null;
  }

  private static Path dirFrom(String value) {
    return value == null || value.trim().isEmpty() ? null : Paths.get(value.trim());
  }

  private static void read(InputStream in, Map<String, String> into) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    for (String name : properties.stringPropertyNames()) {
      into.put(name, properties.getProperty(name));
    }
  }
}
