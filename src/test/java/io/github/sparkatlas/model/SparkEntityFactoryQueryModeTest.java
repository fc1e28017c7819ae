package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Query granularity: a spark_process per batch write and per streaming query, each in a self-contained message
 * with its spark_application, linked through spark_application_processes, with only its own inputs and outputs.
 */
class SparkEntityFactoryQueryModeTest {
  private static final String NS = "cl1";
  private static final String APP_ID = "application_1700000000000_0042";
  private static final SparkEntityFactory ENTITIES = new SparkEntityFactory(new Naming(NS));

  private static TableDataset table(String name) {
    return TableDataset.builder("sales", name).provider("parquet")
        .columns(List.of(new Column("id", "bigint", false, null))).build();
  }

  private static PathDataset path(String uri) {
    return PathDataset.of(URI.create(uri));
  }

  private static QueryLineage record(long executionId, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    return new QueryLineage(APP_ID, "nightly etl", executionId, "InsertIntoHadoopFsRelationCommand", "etl-user",
        executionId, inputs, outputs, "plan of " + executionId);
  }

  /** The message of the process a record makes at query granularity. */
  private static JsonNode message(QueryLineage... records) {
    ProcessKey key = ENTITIES.processKey(records[0], true);
    ProcessLineage lineage = new ProcessLineage(key, false);
    for (QueryLineage record : records) {
      assertEquals(key, ENTITIES.processKey(record, true), "one process");
      lineage.add(record);
    }
    return NotificationJson.toJson(ENTITIES.processNotification(lineage));
  }

  private static List<JsonNode> ofType(JsonNode message, String type) {
    List<JsonNode> found = new ArrayList<>();
    message.path("entities").path("entities").forEach(e -> {
      if (type.equals(e.path("typeName").asText())) {
        found.add(e);
      }
    });
    message.path("entities").path("referredEntities").forEach(e -> {
      if (type.equals(e.path("typeName").asText())) {
        found.add(e);
      }
    });
    return found;
  }

  private static JsonNode only(JsonNode message, String type) {
    List<JsonNode> found = ofType(message, type);
    assertEquals(1, found.size(), "one " + type);
    return found.get(0);
  }

  private static List<String> resolved(JsonNode message, JsonNode ids) {
    Map<String, JsonNode> byGuid = new LinkedHashMap<>();
    message.path("entities").path("entities").forEach(e -> byGuid.put(e.path("guid").asText(), e));
    message.path("entities").path("referredEntities").forEach(e -> byGuid.put(e.path("guid").asText(), e));
    List<String> names = new ArrayList<>();
    for (JsonNode id : ids) {
      JsonNode target = byGuid.get(id.path("guid").asText());
      assertNotNull(target, "reference resolves: " + id);
      names.add(target.path("attributes").path("qualifiedName").asText());
    }
    return names;
  }

  private static void assertValid(JsonNode message) {
    List<String> violations = new ArrayList<>(AtlasTypeSystem.atlas240().validate(message));
    violations.addAll(AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
        AtlasTypeSystem.sparkModel210rc3()));
    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
  }

  @Test
  void aWriteIsAProcessOfItsApplicationInOneSelfContainedMessage() {
    JsonNode message = message(record(7, List.of(table("orders")), List.of(path("hdfs://nn/out/daily"))));

    JsonNode application = only(message, "spark_application");
    JsonNode process = only(message, "spark_process");
    assertEquals(APP_ID + "@" + NS, application.path("attributes").path("qualifiedName").asText());
    assertEquals("nightly etl", application.path("attributes").path("name").asText());
    assertEquals("etl-user", application.path("attributes").path("currentUser").asText());
    assertFalse(application.path("attributes").has("inputs"), "an application message never replaces its arrays");
    JsonNode link = process.path("relationshipAttributes").path("application");
    assertEquals(application.path("guid").asText(), link.path("guid").asText());
    assertEquals("spark_application", link.path("typeName").asText());
    assertTrue(Pattern.matches(Pattern.quote(APP_ID) + "/write/[0-9a-f]{16}@" + NS,
        process.path("attributes").path("qualifiedName").asText()), process.toString());
    assertEquals("nightly etl: write to /out/daily",
        process.path("attributes").path("name").asText());
    assertEquals(7, process.path("attributes").path("executionId").asLong());
    assertEquals(List.of("sales.orders@" + NS), resolved(message, process.path("attributes").path("inputs")));
    assertEquals(List.of("hdfs://nn/out/daily@" + NS), resolved(message, process.path("attributes").path("outputs")));
    assertValid(message);
  }

  @Test
  void theSameWriteAgainIsTheSameProcessAndAnotherWriteAnotherOne() {
    ProcessKey first = ENTITIES.processKey(record(1, List.of(table("a"), table("b")), List.of(table("c"))), true);
    ProcessKey again = ENTITIES.processKey(record(9, List.of(table("b"), table("a")), List.of(table("c"))), true);
    ProcessKey other = ENTITIES.processKey(record(2, List.of(table("a")), List.of(table("c"))), true);
    ProcessKey swapped = ENTITIES.processKey(record(3, List.of(table("c")), List.of(table("a"), table("b"))), true);
    Naming naming = new Naming(NS);

    assertEquals(naming.process(first), naming.process(again));
    assertNotEquals(naming.process(first), naming.process(other));
    assertNotEquals(naming.process(first), naming.process(swapped));
  }

  @Test
  void aTableReadAndOverwrittenByOneQueryIsBothItsInputAndItsOutput() {
    JsonNode message = message(record(1, List.of(table("summary"), table("orders")), List.of(table("summary"))));

    JsonNode process = only(message, "spark_process");
    assertEquals(List.of("sales.summary@" + NS, "sales.orders@" + NS),
        resolved(message, process.path("attributes").path("inputs")));
    assertEquals(List.of("sales.summary@" + NS), resolved(message, process.path("attributes").path("outputs")));
    assertEquals(1, ofType(message, "spark_table").stream()
        .filter(t -> t.path("attributes").path("qualifiedName").asText().equals("sales.summary@" + NS)).count(),
        "one entity, referenced from both sides");
    assertValid(message);
  }

  @Test
  void aStreamingQueryIsOneProcessNamedByItsIdWithEveryRecordOfTheQuery() {
    String queryId = "6f1c2f4e-0d52-4c8e-9b1a-4b8d2a1f3c77";
    JsonNode message = message(
        record(1, List.of(path("hdfs://nn/landing")), List.of(path("hdfs://nn/bronze"))).withStreamingQuery(queryId),
        record(2, List.of(path("hdfs://nn/landing")), List.of(table("events"))).withStreamingQuery(queryId));

    JsonNode process = only(message, "spark_process");
    assertEquals("spark-streaming-query/" + queryId + "@" + NS,
        process.path("attributes").path("qualifiedName").asText());
    assertEquals("nightly etl: streaming query " + queryId, process.path("attributes").path("name").asText());
    assertEquals(List.of("hdfs://nn/landing@" + NS), resolved(message, process.path("attributes").path("inputs")));
    assertEquals(List.of("hdfs://nn/bronze@" + NS, "sales.events@" + NS),
        resolved(message, process.path("attributes").path("outputs")));
    assertEquals(APP_ID + "@" + NS, only(message, "spark_application").path("attributes").path("qualifiedName")
        .asText());
    assertValid(message);
  }

  @Test
  void aStreamingQueryKeepsItsNameWhenARestartRunsItInAnotherApplication() {
    QueryLineage before = record(1, List.of(), List.of(path("file:/out"))).withStreamingQuery("q-1");
    QueryLineage after = new QueryLineage("application_2", "etl", 1, "op", "u", 0, List.of(),
        List.of(path("file:/out")), null).withStreamingQuery("q-1");

    assertEquals(ENTITIES.processKey(before, true), ENTITIES.processKey(after, true));
    assertEquals(new Naming(NS).process(ENTITIES.processKey(before, true)),
        new Naming(NS).process(ENTITIES.processKey(after, true)));
  }

  @Test
  void atApplicationGranularityEveryRecordIsTheApplicationsProcess() {
    QueryLineage streaming = record(1, List.of(), List.of(path("file:/out"))).withStreamingQuery("q-1");

    assertEquals(ProcessKey.application(APP_ID), ENTITIES.processKey(streaming, false));
    assertEquals(APP_ID + "@" + NS, new Naming(NS).process(ENTITIES.processKey(streaming, false)));
  }

  @Test
  void aWritesNameIsDigestedFromRedactedNamesSoNoSecretIsInIt() {
    Redactor redactor = Redactor.of(null, null, "tenant-[a-z]+");
    SparkEntityFactory redacting = new SparkEntityFactory(new Naming(NS), redactor);
    ProcessKey a = redacting.processKey(record(1, List.of(), List.of(path("file:/data/tenant-alpha/x"))), true);
    ProcessKey b = redacting.processKey(record(1, List.of(), List.of(path("file:/data/tenant-bravo/x"))), true);

    // Both are sent as the same masked path: one entity, hence one process, named without the secret.
    assertEquals(a, b);
  }

  /** The validation above is not vacuous: a process linked to something other than a spark_application fails. */
  @Test
  void aProcessWhoseApplicationIsAnotherTypeIsRejected() {
    JsonNode message = message(record(1, List.of(table("orders")), List.of(table("summary"))));
    JsonNode process = only(message, "spark_process");
    String tableGuid = ofType(message, "spark_table").get(0).path("guid").asText();
    ObjectNode link = (ObjectNode) process.path("relationshipAttributes").path("application");
    link.put("guid", tableGuid);
    link.remove("typeName");

    List<String> violations = AtlasTypeSystem.atlas240().validate(message);

    assertTrue(violations.stream().anyMatch(v -> v.contains("relationshipAttributes.application")),
        () -> "violations:\n" + String.join("\n", violations));
  }
}
