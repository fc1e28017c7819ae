package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TopicDataset;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Kafka topics as kafka_topic entities, named as Atlas's Kafka bridge names them, per cluster namespace. */
class KafkaTopicEntityTest {
  private static final String APP_ID = "application_1700000000000_0007";

  private static JsonNode message(Naming naming, Redactor redactor, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(new QueryLineage(APP_ID, "kafka etl", 1, "SaveIntoDataSourceCommand", "etl", 1_700_000_000_000L,
        inputs, outputs, "plan"));
    return NotificationJson.toJson(new SparkEntityFactory(naming, redactor).processNotification(app));
  }

  private static List<JsonNode> topics(JsonNode message) {
    List<JsonNode> topics = new ArrayList<>();
    message.path("entities").path("entities").forEach(entity -> {
      if ("kafka_topic".equals(entity.path("typeName").asText())) {
        topics.add(entity);
      }
    });
    return topics;
  }

  private static JsonNode process(JsonNode message) {
    for (JsonNode entity : message.path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        return entity;
      }
    }
    throw new AssertionError("no spark_process");
  }

  private static String qualifiedNameOf(JsonNode message, String guid) {
    for (JsonNode entity : message.path("entities").path("entities")) {
      if (guid.equals(entity.path("guid").asText())) {
        return entity.path("attributes").path("qualifiedName").asText();
      }
    }
    throw new AssertionError("no entity " + guid);
  }

  private static List<String> side(JsonNode message, String side) {
    List<String> names = new ArrayList<>();
    process(message).path("attributes").path(side)
        .forEach(id -> names.add(qualifiedNameOf(message, id.path("guid").asText())));
    return names;
  }

  @Test
  void aTopicIsNamedAsAtlasKafkaBridgeNamesItWithItsCaseKeptInNameTopicAndUri() {
    JsonNode message = message(new Naming("prod"), Redactor.defaults(),
        List.of(TopicDataset.of("Orders.EU", "b1:9092")), List.of(PathDataset.of(URI.create("hdfs://nn/out"))));

    JsonNode topic = topics(message).get(0).path("attributes");
    assertEquals("orders.eu@prod", topic.path("qualifiedName").asText());
    assertEquals("Orders.EU", topic.path("name").asText());
    assertEquals("Orders.EU", topic.path("topic").asText());
    assertEquals("Orders.EU", topic.path("uri").asText());
    assertEquals(List.of("orders.eu@prod"), side(message, "inputs"));
  }

  @Test
  void topicMessagesValidateAgainstAtlas240AndThe210rc3Models() {
    JsonNode message = message(new Naming("prod"), Redactor.defaults(),
        List.of(TopicDataset.of("orders", "b1:9092"), TopicDataset.of("refunds", null)),
        List.of(TopicDataset.of("Audit", "b1:9092")));

    List<String> violations = new ArrayList<>(AtlasTypeSystem.atlas240().validate(message));
    violations.addAll(AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
        AtlasTypeSystem.sparkModel210rc3()));
    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
    assertEquals(3, topics(message).size());
  }

  @Test
  void atlasRejectsATopicWithoutItsRequiredUri() {
    JsonNode message = message(new Naming("prod"), Redactor.defaults(), List.of(TopicDataset.of("orders", "b1:9092")),
        List.of(TopicDataset.of("audit", "b1:9092")));
    ((com.fasterxml.jackson.databind.node.ObjectNode) topics(message).get(0).path("attributes")).remove("uri");

    List<String> violations = AtlasTypeSystem.atlas240().validate(message);
    assertFalse(violations.isEmpty(), "the validation is not vacuous");
  }

  @Test
  void aClusterMappedToANamespaceNamesItsTopicsThereAndOthersStayInTheMetadataNamespace() {
    Map<String, String> mapping = new TreeMap<>();
    mapping.put("east", "Kafka-East-1:9092, kafka-east-2:9092");
    mapping.put("west", "kafka-west:9093");
    Naming naming = new Naming("prod", KafkaNamespaces.of(mapping));

    // Read from one host of the east cluster (host case ignored), write to the west one, and read an unmapped one.
    JsonNode message = message(naming, Redactor.defaults(),
        List.of(TopicDataset.of("Orders", "kafka-east-2:9092,KAFKA-EAST-1:9092"),
            TopicDataset.of("clicks", "other:9092")),
        List.of(TopicDataset.of("Orders", "kafka-west:9093")));

    assertEquals(List.of("orders@east", "clicks@prod"), side(message, "inputs"));
    assertEquals(List.of("orders@west"), side(message, "outputs"));
  }

  @Test
  void theSameTopicOnTwoClustersOfOneNamespaceIsOneEntity() {
    JsonNode message = message(new Naming("prod"), Redactor.defaults(),
        List.of(TopicDataset.of("orders", "a:9092"), TopicDataset.of("Orders", "b:9092")), List.of());
    assertEquals(1, topics(message).size(), "Atlas knows one orders@prod");
  }

  @Test
  void aPortOnlyMatchesItself() {
    Naming naming = new Naming("prod", KafkaNamespaces.of(Map.of("east", "kafka:9092")));
    assertEquals("t@east", naming.topic("T", "kafka:9092"));
    assertEquals("t@prod", naming.topic("T", "kafka:9093"));
    assertEquals("t@prod", naming.topic("T", ""));
  }

  @Test
  void aServerMappedToTwoNamespacesIsRefused() {
    Map<String, String> mapping = new TreeMap<>();
    mapping.put("east", "kafka:9092");
    mapping.put("west", "KAFKA:9092");
    assertThrows(IllegalArgumentException.class, () -> KafkaNamespaces.of(mapping));
  }

  @Test
  void aTopicNameMatchedByARedactionRuleIsMaskedInEveryAttribute() {
    Redactor redactor = Redactor.of(null, null, "customer-[a-z]+");
    JsonNode message = message(new Naming("prod"), redactor, List.of(TopicDataset.of("Customer-ACME.orders", "b:1")),
        List.of());
    JsonNode topic = topics(message).get(0).path("attributes");
    for (String attribute : new String[] {"qualifiedName", "name", "topic", "uri"}) {
      assertFalse(topic.path(attribute).asText().toLowerCase().contains("acme"), attribute + ": " + topic);
    }
    assertTrue(AtlasTypeSystem.atlas240().validate(message).isEmpty());
  }
}
