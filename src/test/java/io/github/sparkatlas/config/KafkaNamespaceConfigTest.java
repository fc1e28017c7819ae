package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** atlas.spark.kafka.namespace.<namespace>: one key per Kafka cluster, from a properties file or Spark conf. */
class KafkaNamespaceConfigTest {
  @TempDir
  Path dir;

  private ConfigLoader loaderOf(String properties) throws IOException {
    Files.write(dir.resolve(ConfigLoader.FILE_NAME), properties.getBytes(StandardCharsets.ISO_8859_1));
    return new ConfigLoader(name -> null, name -> null, dir, null);
  }

  @Test
  void eachClusterIsOneKeyWhoseValueListsItsServersInAPropertiesFileOrSparkConf() throws IOException {
    AgentConfig config = loaderOf("atlas.spark.kafka.namespace.east=kafka-e1:9092,kafka-e2:9092\n")
        .load(Map.of("spark.atlas.spark.kafka.namespace.west", "kafka-w:9093"));

    Map<String, String> expected = new TreeMap<>();
    expected.put("east", "kafka-e1:9092,kafka-e2:9092");
    expected.put("west", "kafka-w:9093");
    assertEquals(expected, config.kafkaNamespaces());
  }

  @Test
  void noMappingByDefault() {
    assertTrue(AgentConfig.of(Map.of(), "test").kafkaNamespaces().isEmpty());
  }

  @Test
  void aMappingWithoutServersIsAClearError() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> AgentConfig.of(Map.of("atlas.spark.kafka.namespace.east", " , "), "test"));
    assertTrue(error.getMessage().contains("atlas.spark.kafka.namespace.east"), error.getMessage());
    assertTrue(error.getMessage().contains("bootstrap servers"), error.getMessage());
  }

  @Test
  void aMappingWithoutANamespaceIsAClearError() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> AgentConfig.of(Map.of("atlas.spark.kafka.namespace.", "kafka:9092"), "test"));
    assertTrue(error.getMessage().contains("must end in the namespace"), error.getMessage());
  }

  @Test
  void aServerListedForTwoNamespacesIsAClearError() {
    Map<String, String> raw = new TreeMap<>();
    raw.put("atlas.spark.kafka.namespace.east", "kafka:9092");
    raw.put("atlas.spark.kafka.namespace.west", "other:9092, KAFKA:9092");
    ConfigException error = assertThrows(ConfigException.class, () -> AgentConfig.of(raw, "test"));
    assertTrue(error.getMessage().contains("kafka:9092"), error.getMessage());
    assertTrue(error.getMessage().contains("one namespace"), error.getMessage());
  }

  @Test
  void theMappingIsNotPassedToTheAgentsOwnProducer() {
    AgentConfig config = AgentConfig.of(Map.of("atlas.spark.kafka.namespace.east", "kafka:9092"), "test");
    assertTrue(config.kafkaProperties().isEmpty(), config.kafkaProperties().toString());
  }
}
