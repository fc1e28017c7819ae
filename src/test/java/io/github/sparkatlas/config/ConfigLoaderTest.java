package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
  private static final String TOPIC = "atlas.notification.hook.topic.name";
  private static final String EVENT_HUBS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"$ConnectionString\" password=\"Endpoint=sb://x.servicebus.windows.net/;"
      + "SharedAccessKeyName=k;SharedAccessKey=SECRET123=\";";

  @TempDir
  Path tmp;

  // ------------------------------------------------------------------------------------------ helpers

  /** A fresh directory holding atlas-application.properties with the given lines. */
  private Path confDir(String name, String... lines) {
    try {
      Path dir = Files.createDirectories(tmp.resolve(name));
      Files.write(dir.resolve(ConfigLoader.FILE_NAME), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path emptyDir(String name) {
    try {
      return Files.createDirectories(tmp.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A class loader that sees only {@code dir} (no parent beyond the bootstrap loader). */
  private static ClassLoader classpathOf(Path dir) {
    try {
      return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ConfigLoader loader(Path sysPropDir, Path envDir, Path workingDir, ClassLoader classLoader) {
    Map<String, String> sys = new HashMap<>();
    if (sysPropDir != null) {
      sys.put(ConfigLoader.CONF_DIR_PROPERTY, sysPropDir.toString());
    }
    Map<String, String> env = new HashMap<>();
    if (envDir != null) {
      env.put(ConfigLoader.CONF_DIR_ENV, envDir.toString());
    }
    return new ConfigLoader(sys::get, env::get, workingDir, classLoader);
  }

  /** Loads only from the given raw atlas.* properties (as if from a file), no Spark conf. */
  private AgentConfig fromFile(String... lines) {
    return loader(null, null, confDir("wd-" + System.nanoTime(), lines), classpathOf(emptyDir("cp-empty")))
        .load(Map.of());
  }

  private static AgentConfig of(String... keyValues) {
    Map<String, String> raw = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], keyValues[i + 1]);
    }
    return AgentConfig.of(raw, "test");
  }

  // ------------------------------------------------------------------------------------------ precedence

  @Test
  void atlasConfSystemPropertyDirectoryBeatsEnvironmentWorkingDirAndClasspath() {
    Path sys = confDir("sys", TOPIC + "=FROM_SYSPROP");
    Path env = confDir("env", TOPIC + "=FROM_ENV");
    Path wd = confDir("wd", TOPIC + "=FROM_WORKDIR");
    Path cp = confDir("cp", TOPIC + "=FROM_CLASSPATH");

    AgentConfig config = loader(sys, env, wd, classpathOf(cp)).load(Map.of());

    assertEquals("FROM_SYSPROP", config.topic());
    assertTrue(config.origin().contains(sys.resolve(ConfigLoader.FILE_NAME).toString()), config.origin());
  }

  @Test
  void atlasConfEnvironmentDirectoryBeatsWorkingDirAndClasspath() {
    Path env = confDir("env", TOPIC + "=FROM_ENV");
    Path wd = confDir("wd", TOPIC + "=FROM_WORKDIR");
    Path cp = confDir("cp", TOPIC + "=FROM_CLASSPATH");

    AgentConfig config = loader(null, env, wd, classpathOf(cp)).load(Map.of());

    assertEquals("FROM_ENV", config.topic());
    assertTrue(config.origin().contains(env.resolve(ConfigLoader.FILE_NAME).toString()), config.origin());
  }

  @Test
  void workingDirectoryFileBeatsClasspathResource() {
    Path wd = confDir("wd", TOPIC + "=FROM_WORKDIR");
    Path cp = confDir("cp", TOPIC + "=FROM_CLASSPATH");

    AgentConfig config = loader(null, null, wd, classpathOf(cp)).load(Map.of());

    assertEquals("FROM_WORKDIR", config.topic());
  }

  @Test
  void classpathResourceIsUsedWhenNoDirectoryHasTheFile() {
    Path cp = confDir("cp", TOPIC + "=FROM_CLASSPATH");

    AgentConfig config = loader(emptyDir("sys"), emptyDir("env"), emptyDir("wd"), classpathOf(cp)).load(Map.of());

    assertEquals("FROM_CLASSPATH", config.topic());
    assertTrue(config.origin().contains(ConfigLoader.FILE_NAME), config.origin());
  }

  @Test
  void configuredDirectoriesWithoutTheFileFallThroughToTheNextPlace() {
    Path wd = confDir("wd", TOPIC + "=FROM_WORKDIR");

    AgentConfig config = loader(emptyDir("sys"), tmp.resolve("does-not-exist"), wd, classpathOf(emptyDir("cp")))
        .load(Map.of());

    assertEquals("FROM_WORKDIR", config.topic());
  }

  @Test
  void onlyTheFirstFileFoundIsRead() {
    Path sys = confDir("sys", TOPIC + "=FROM_SYSPROP");
    Path env = confDir("env", "atlas.metadata.namespace=from-env");

    AgentConfig config = loader(sys, env, emptyDir("wd"), classpathOf(emptyDir("cp"))).load(Map.of());

    assertEquals("FROM_SYSPROP", config.topic());
    assertEquals("primary", config.namespace());
  }

  @Test
  void withoutAnyFileOrSparkConfTheBuiltInDefaultsAreUsedAndSaidSo() {
    AgentConfig config = loader(null, null, emptyDir("wd"), classpathOf(emptyDir("cp"))).load(Map.of());

    assertEquals("ATLAS_HOOK", config.topic());
    assertTrue(config.origin().contains("built-in defaults"), config.origin());
  }

  @Test
  void sparkConfBootstrapServersWinsOverTheFile() {
    Path wd = confDir("wd", "atlas.kafka.bootstrap.servers=file-broker:9092", TOPIC + "=FROM_FILE");
    Map<String, String> sparkConf = Map.of(
        "spark.atlas.kafka.bootstrap.servers", "spark-broker:9093",
        "spark.app.name", "not an atlas key");

    AgentConfig config = loader(null, null, wd, classpathOf(emptyDir("cp"))).load(sparkConf);

    assertEquals("spark-broker:9093", config.kafkaProperties().get("bootstrap.servers"));
    assertEquals("FROM_FILE", config.topic(), "keys not given as Spark conf still come from the file");
    assertFalse(config.kafkaProperties().containsKey("app.name"));
    assertTrue(config.origin().contains("1 spark.atlas.* Spark conf entries"), config.origin());
  }

  @Test
  void sparkConfAloneIsEnoughWithoutAnyFile() {
    AgentConfig config = loader(null, null, emptyDir("wd"), classpathOf(emptyDir("cp")))
        .load(Map.of("spark.atlas.notification.hook.topic.name", "purview-hub",
            "spark.atlas.metadata.namespace", "adb"));

    assertEquals("purview-hub", config.topic());
    assertEquals("adb", config.namespace());
  }

  // ------------------------------------------------------------------------------------------ kafka properties

  @Test
  void atlasKafkaKeysArriveInKafkaPropertiesWithThePrefixStripped() {
    AgentConfig config = fromFile(
        "atlas.kafka.bootstrap.servers=x.servicebus.windows.net:9093",
        "atlas.kafka.security.protocol = SASL_SSL ",
        "atlas.kafka.sasl.mechanism=PLAIN",
        "atlas.kafka.request.timeout.ms=60000",
        TOPIC + "=hub",
        "atlas.cluster.name=c1");

    Map<String, String> kafka = config.kafkaProperties();

    assertEquals(Map.of(
        "bootstrap.servers", "x.servicebus.windows.net:9093",
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "PLAIN",
        "request.timeout.ms", "60000"), kafka);
  }

  // ------------------------------------------------------------------------------------------ defaults

  @Test
  void defaultsAreAtlasHookTopicPrimaryNamespace900000BytesAndCompression() {
    AgentConfig config = of();

    assertTrue(config.enabled());
    assertEquals("ATLAS_HOOK", config.topic());
    assertEquals("primary", config.namespace());
    assertEquals(900_000, config.get(AgentConfigDef.MESSAGE_MAX_LENGTH));
    assertEquals(Boolean.TRUE, config.get(AgentConfigDef.COMPRESSION_ENABLED));
    assertTrue(config.kafkaProperties().isEmpty());
  }

  @Test
  void namespaceFallsBackToClusterNameThenPrimary() {
    assertEquals("c1", of("atlas.cluster.name", "c1").namespace());
    assertEquals("ns1", of("atlas.cluster.name", "c1", "atlas.metadata.namespace", "ns1").namespace());
    assertEquals("c1", of("atlas.cluster.name", "c1", "atlas.metadata.namespace", "  ").namespace());
    assertEquals("primary", of().namespace());
  }

  @Test
  void blankValuesMeanTheDefault() {
    AgentConfig config = of(TOPIC, "", "atlas.notification.message.max.length.bytes", "  ");

    assertEquals("ATLAS_HOOK", config.topic());
    assertEquals(900_000, config.get(AgentConfigDef.MESSAGE_MAX_LENGTH));
  }

  @Test
  void validValuesAreParsedToTheirTypes() {
    AgentConfig config = of("atlas.notification.message.max.length.bytes", " 500000 ",
        "atlas.notification.message.compression.enabled", "FALSE",
        "atlas.spark.enabled", "False",
        "atlas.spark.shutdown.flush.timeout.ms", "2500");

    assertEquals(500_000, config.get(AgentConfigDef.MESSAGE_MAX_LENGTH));
    assertEquals(Boolean.FALSE, config.get(AgentConfigDef.COMPRESSION_ENABLED));
    assertFalse(config.enabled());
    assertEquals(2_500L, config.get(AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS));
  }

  // ------------------------------------------------------------------------------------------ client type

  @Test
  void clientTypeIsKafkaWhenBootstrapServersAreSet() {
    AgentConfig config = of("atlas.kafka.bootstrap.servers", "broker:9092");

    assertEquals("kafka", config.clientType());
    assertFalse(config.usesEmbeddedDefault());
  }

  @Test
  void clientTypeIsFileWhenNothingIsConfiguredAndThatIsTheEmbeddedDefault() {
    AgentConfig config = of();

    assertEquals("file", config.clientType());
    assertTrue(config.usesEmbeddedDefault());
  }

  @Test
  void explicitlyChosenFileSinkIsNotTheEmbeddedDefault() {
    AgentConfig config = of("atlas.client.type", "file", "atlas.kafka.bootstrap.servers", "broker:9092");

    assertEquals("file", config.clientType());
    assertFalse(config.usesEmbeddedDefault());
  }

  @Test
  void explicitClientTypeIsMatchedCaseInsensitively() {
    AgentConfig config = of("atlas.client.type", " KAFKA ");

    assertEquals("kafka", config.clientType());
    assertFalse(config.usesEmbeddedDefault());
  }

  // ------------------------------------------------------------------------------------------ granularity

  @Test
  void granularityIsApplicationUnlessQueryIsAskedForInAnyCase() {
    assertEquals("application", of().get(AgentConfigDef.PROCESS_GRANULARITY));
    assertEquals("query", of("atlas.spark.process.granularity", " Query ").get(AgentConfigDef.PROCESS_GRANULARITY));
    assertEquals(30_000L, of().get(AgentConfigDef.PROCESS_UPDATE_INTERVAL_MS));
  }

  // ------------------------------------------------------------------------------------------ invalid values

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("atlas.client.type", "rest", new String[] {"kafka", "file"}),
        Arguments.of("atlas.notification.message.max.length.bytes", "lots", new String[] {"4096", "100000000"}),
        Arguments.of("atlas.notification.message.max.length.bytes", "100", new String[] {"4096", "100000000"}),
        Arguments.of("atlas.notification.message.max.length.bytes", "100000001",
            new String[] {"4096", "100000000"}),
        Arguments.of("atlas.notification.message.max.length.bytes", "99999999999999999999",
            new String[] {"4096", "100000000"}),
        Arguments.of("atlas.spark.enabled", "maybe", new String[] {"true", "false"}),
        Arguments.of("atlas.notification.message.compression.enabled", "yes", new String[] {"true", "false"}),
        Arguments.of("atlas.spark.queue.capacity", "0", new String[] {"1", "1000000"}),
        Arguments.of("atlas.spark.shutdown.flush.timeout.ms", "-1", new String[] {"0", "600000"}),
        Arguments.of("atlas.spark.process.granularity", "per-query", new String[] {"application", "query"}),
        Arguments.of("atlas.spark.process.update.interval.ms", "999", new String[] {"1000", "86400000"}),
        Arguments.of("atlas.spark.process.update.interval.ms", "30s", new String[] {"1000", "86400000"}));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("invalidValues")
  void invalidValueFailsWithTheKeyAndTheAcceptedValuesNamed(String key, String value, String[] accepted) {
    ConfigException error = assertThrows(ConfigException.class, () -> of(key, value));

    assertMessageNames(error, key, value, accepted);
  }

  @ParameterizedTest(name = "spark.{0}={1}")
  @MethodSource("invalidValues")
  void invalidValueFromSparkConfFailsAtLoadWithTheKeyNamed(String key, String value, String[] accepted) {
    ConfigLoader loader = loader(null, null, emptyDir("wd"), classpathOf(emptyDir("cp")));

    ConfigException error = assertThrows(ConfigException.class, () -> loader.load(Map.of("spark." + key, value)));

    assertMessageNames(error, key, value, accepted);
  }

  @Test
  void invalidValueInTheFileFailsAtLoadWithTheKeyNamed() {
    ConfigException error = assertThrows(ConfigException.class, () -> fromFile("atlas.client.type=rest"));

    assertMessageNames(error, "atlas.client.type", "rest", new String[] {"kafka", "file"});
  }

  @Test
  void invalidValueMessageOfASecretKeyShowsTheRedactorsMaskInsteadOfTheSecret() {
    ConfigException error = ConfigType.invalid("atlas.some.password", "hunter2", "anything");

    assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
    assertTrue(error.getMessage().contains("'" + Redactor.MASK + "'"), error.getMessage());
    assertTrue(error.getMessage().contains("atlas.some.password"), error.getMessage());
  }

  @Test
  void invalidValueMessageOfAnOrdinaryKeyMasksASecretInsideTheValue() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> of("atlas.client.type", "jdbc:postgresql://bob:hunter2@db:5432/x"));

    assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
    assertTrue(error.getMessage().contains("jdbc:postgresql://bob:" + Redactor.MASK + "@db:5432/x"),
        error.getMessage());
  }

  @Test
  void invalidValueMessageMasksWhatTheUsersAndSparksRedactionRegexesMatch() {
    ConfigLoader loader = loader(null, null, emptyDir("wd-regex"), classpathOf(emptyDir("cp-regex")));
    Map<String, String> sparkConf = Map.of(
        "spark.atlas.spark.redaction.regex", "corp-[0-9]+",
        "spark.sql.redaction.string.regex", "tenant_[a-z]+",
        "spark.atlas.client.type", "corp-4711 tenant_acme");

    ConfigException error = assertThrows(ConfigException.class, () -> loader.load(sparkConf));

    assertFalse(error.getMessage().contains("corp-4711"), error.getMessage());
    assertFalse(error.getMessage().contains("tenant_acme"), error.getMessage());
    assertTrue(error.getMessage().contains("'" + Redactor.MASK + " " + Redactor.MASK + "'"), error.getMessage());
    assertTrue(error.getMessage().contains("atlas.client.type"), error.getMessage());
  }

  @Test
  void invalidValueMessageIsMaskedByTheFilesRedactionRegexEvenWhenAnotherRegexIsInvalid() {
    ConfigLoader loader = loader(null, null, confDir("wd-file-regex", "atlas.spark.redaction.regex=corp-[0-9]+",
        "atlas.client.type=corp-4711"), classpathOf(emptyDir("cp-file-regex")));

    ConfigException error = assertThrows(ConfigException.class,
        () -> loader.load(Map.of("spark.redaction.regex", "(unclosed")));

    assertFalse(error.getMessage().contains("corp-4711"), error.getMessage());
    assertTrue(error.getMessage().contains(Redactor.MASK), error.getMessage());
  }

  private static void assertMessageNames(ConfigException error, String key, String value, String[] accepted) {
    String message = error.getMessage();
    assertTrue(message.contains(key), "names the key: " + message);
    assertTrue(message.contains("'" + value + "'"), "shows the bad value: " + message);
    for (String word : accepted) {
      assertTrue(message.contains(word), "names accepted value " + word + ": " + message);
    }
  }

  // ------------------------------------------------------------------------------------------ describe

  @Test
  void describeMasksTheEventHubsConnectionStringButShowsUserAndLoginModule() {
    AgentConfig config = of(
        "atlas.kafka.bootstrap.servers", "x.servicebus.windows.net:9093",
        "atlas.kafka.security.protocol", "SASL_SSL",
        "atlas.kafka.sasl.mechanism", "PLAIN",
        "atlas.kafka.sasl.jaas.config", EVENT_HUBS_JAAS,
        TOPIC, "purview-hub",
        "atlas.metadata.namespace", "adb-prod");

    String line = config.describe("9.9.9");

    assertFalse(line.contains("SECRET123"), line);
    assertFalse(line.contains("SharedAccessKey"), line);
    assertFalse(line.contains("Endpoint=sb://"), line);
    assertTrue(line.contains("username=\"$ConnectionString\""), line);
    assertTrue(line.contains("PlainLoginModule"), line);
    assertTrue(line.contains(Redactor.MASK), line);
    assertTrue(line.contains("9.9.9"), line);
    assertTrue(line.contains("sink=kafka"), line);
    assertTrue(line.contains("topic=purview-hub"), line);
    assertTrue(line.contains("bootstrap.servers=x.servicebus.windows.net:9093"), line);
    assertTrue(line.contains("security.protocol=SASL_SSL"), line);
    assertTrue(line.contains("namespace=adb-prod"), line);
  }

  @Test
  void describeOfTheFileSinkNamesTheDirectory() {
    AgentConfig config = of("atlas.spark.file.sink.dir", tmp.resolve("lineage").toString());

    String line = config.describe("1.0");

    assertTrue(line.contains("sink=file"), line);
    assertTrue(line.contains(tmp.resolve("lineage").toAbsolutePath().toString()), line);
    assertTrue(line.contains("namespace=primary"), line);
  }

  @Test
  void describeWithoutJaasConfigShowsPlaintextProtocol() {
    String line = of("atlas.kafka.bootstrap.servers", "localhost:9092").describe("1.0");

    assertTrue(line.contains("security.protocol=PLAINTEXT"), line);
    assertFalse(line.contains("sasl.jaas.config"), line);
  }

  @Test
  void relativeFileSinkDirIsResolvedToAnAbsolutePath() {
    AgentConfig config = of("atlas.spark.file.sink.dir", "rel/dir");

    assertTrue(config.fileSinkDir().isAbsolute());
    assertTrue(config.fileSinkDir().endsWith("rel/dir"));
    assertNull(of().get(AgentConfigDef.CLIENT_TYPE));
  }
}
