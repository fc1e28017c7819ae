package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SparkEntityFactoryTest {
  private static final String NS = "cl1";
  private static final String APP_ID = "application_1700000000000_0042";
  private static final long T0 = 1_700_000_000_000L;

  // ------------------------------------------------------------------------------------------ fixtures

  private static TableDataset orders() {
    return TableDataset.builder("Sales", "Orders")
        .tableType("MANAGED")
        .provider("hive")
        .owner("alice")
        .createTime(T0 - 86_400_000L)
        .comment("all orders")
        .location(URI.create("hdfs://nn:8020/warehouse/sales.db/orders"))
        .storage("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
        .partitionColumns(List.of("region"))
        .columns(List.of(
            new Column("Id", "bigint", false, null),
            new Column("amount", "decimal(10,2)", true, "gross amount"),
            new Column("items", "array<struct<sku:string,qty:int>>", true, null),
            new Column("region", "string", true, "partition")))
        .build();
  }

  private static TableDataset customers() {
    return TableDataset.builder("sales", "customers")
        .tableType("EXTERNAL")
        .provider("parquet")
        .location(URI.create("s3a://lake/sales/customers"))
        .storage(null, null, null)
        .columns(List.of(new Column("id", "bigint", true, null), new Column("name", "string", true, null)))
        .build();
  }

  private static TableDataset table(String db, String name) {
    return TableDataset.builder(db, name).build();
  }

  private static PathDataset path(String uri) {
    return PathDataset.of(URI.create(uri));
  }

  private static QueryLineage query(long executionId, List<? extends Dataset> inputs, List<? extends Dataset> outputs) {
    return new QueryLineage(APP_ID, "nightly etl", executionId, "InsertIntoHadoopFsRelationCommand", "etl-user",
        T0 + executionId, inputs, outputs, "== Analyzed Logical Plan ==\nInsertIntoHadoopFsRelationCommand #"
            + executionId);
  }

  /** Several queries of one application, with repeats and read-and-write tables. */
  private static ApplicationLineage application() {
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(customers(), path("hdfs://nn:8020/data/Raw/Events/")), List.of(orders())));
    app.add(query(2, List.of(orders(), path("s3a://lake/Landing/fx_rates")),
        List.of(path("file:/tmp/Exports/orders.csv"))));
    // repeats of what query 1 read and wrote
    app.add(query(3, List.of(customers(), path("hdfs://nn:8020/data/Raw/Events"), customers()),
        List.of(orders(), orders())));
    // reads and overwrites one table in the same query
    app.add(query(4, List.of(table("sales", "summary"), customers()), List.of(table("SALES", "Summary"))));
    // reads a table that a later query of the application writes
    app.add(query(5, List.of(table("sales", "report")), List.of(path("hdfs://nn:8020/out/report_copy"))));
    app.add(query(6, List.of(table("sales", "daily")), List.of(table("sales", "report"))));
    return app;
  }

  private static JsonNode notificationJson(ApplicationLineage app) {
    HookNotification notification = new SparkEntityFactory(new Naming(NS)).processNotification(app);
    return NotificationJson.toJson(notification);
  }

  private static JsonNode notificationJson(ApplicationLineage app, Redactor redactor) {
    return notificationJson(app, redactor, NamingMode.ATLAS);
  }

  private static JsonNode notificationJson(ApplicationLineage app, Redactor redactor, NamingMode mode) {
    return NotificationJson.toJson(new SparkEntityFactory(new Naming(NS, KafkaNamespaces.none(), mode), redactor)
        .processNotification(app));
  }

  // ------------------------------------------------------------------------------------------ JSON helpers

  /** Every entity of the message, top-level and referred. */
  private static List<JsonNode> allEntities(JsonNode message) {
    List<JsonNode> all = new ArrayList<>();
    message.path("entities").path("entities").forEach(all::add);
    message.path("entities").path("referredEntities").forEach(all::add);
    return all;
  }

  private static Map<String, JsonNode> byGuid(JsonNode message) {
    Map<String, JsonNode> byGuid = new LinkedHashMap<>();
    for (JsonNode entity : allEntities(message)) {
      byGuid.put(entity.path("guid").asText(), entity);
    }
    return byGuid;
  }

  private static List<JsonNode> ofType(JsonNode message, String typeName) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode entity : allEntities(message)) {
      if (typeName.equals(entity.path("typeName").asText())) {
        out.add(entity);
      }
    }
    return out;
  }

  private static Set<String> qualifiedNames(JsonNode message, String typeName) {
    Set<String> names = new HashSet<>();
    for (JsonNode entity : ofType(message, typeName)) {
      names.add(entity.path("attributes").path("qualifiedName").asText());
    }
    return names;
  }

  private static JsonNode process(JsonNode message) {
    List<JsonNode> processes = ofType(message, "spark_process");
    assertEquals(1, processes.size(), "one spark_process");
    return processes.get(0);
  }

  /** qualifiedNames of the entities an array of object ids points at, in order. */
  private static List<String> resolvedNames(JsonNode message, JsonNode ids) {
    Map<String, JsonNode> byGuid = byGuid(message);
    List<String> names = new ArrayList<>();
    for (JsonNode id : ids) {
      JsonNode target = byGuid.get(id.path("guid").asText());
      assertNotNull(target, "reference " + id + " resolves");
      names.add(target.path("attributes").path("qualifiedName").asText());
    }
    return names;
  }

  /** Every object id (a JSON object with a guid) inside attributes and relationshipAttributes. */
  private static void collectReferences(JsonNode node, List<JsonNode> into) {
    if (node.isObject()) {
      if (node.has("guid")) {
        into.add(node);
        return;
      }
      node.forEach(child -> collectReferences(child, into));
    } else if (node.isArray()) {
      node.forEach(child -> collectReferences(child, into));
    }
  }

  // ------------------------------------------------------------------------------------------ naming

  @Test
  void qualifiedNamesFollowTheConventionsOfAtlasHooks() {
    JsonNode message = notificationJson(application());

    assertEquals(Set.of("sales.orders@cl1", "sales.customers@cl1", "sales.summary@cl1", "sales.report@cl1",
        "sales.daily@cl1"), qualifiedNames(message, "spark_table"));
    assertEquals(Set.of("sales@cl1"), qualifiedNames(message, "spark_db"));
    assertEquals(Set.of("hdfs://nn:8020/data/Raw/Events@cl1", "hdfs://nn:8020/out/report_copy@cl1"),
        qualifiedNames(message, "hdfs_path"));
    assertEquals(Set.of("file:/tmp/Exports/orders.csv@cl1"), qualifiedNames(message, "fs_path"));
    assertEquals(Set.of("s3a://lake@cl1"), qualifiedNames(message, "aws_s3_v2_bucket"));
    assertEquals(Set.of("s3a://lake/Landing/@cl1", "s3a://lake/Landing/fx_rates/@cl1"),
        qualifiedNames(message, "aws_s3_v2_directory"));
    assertTrue(qualifiedNames(message, "spark_column").containsAll(Set.of("sales.orders.id@cl1",
        "sales.orders.amount@cl1", "sales.orders.items@cl1", "sales.orders.region@cl1",
        "sales.customers.id@cl1", "sales.customers.name@cl1")), qualifiedNames(message, "spark_column").toString());
    assertEquals(APP_ID + "@" + NS, process(message).path("attributes").path("qualifiedName").asText());
  }

  @Test
  void namingMatchesAtlasHookConventionsDirectly() {
    Naming naming = new Naming("Prod");
    TableDataset table = TableDataset.builder("DB1", "MixedCase").build();

    assertEquals("db1.mixedcase@Prod", naming.table(table));
    assertEquals("db1@Prod", naming.database("db1"));
    assertEquals("db1.mixedcase.colx@Prod", naming.column(table, "ColX"));
    assertEquals("hdfs://nn/A/B@Prod", naming.path(path("hdfs://nn/A/B/")));
    assertEquals("app-1@Prod", naming.process("app-1"));
    DatasetNames pathMode = new DatasetNames(new Naming("Prod", KafkaNamespaces.none(), NamingMode.PATH),
        Redactor.defaults());
    assertEquals("hdfs_path", pathMode.path(path("HDFS://nn/x")).typeName());
    assertEquals("fs_path", pathMode.path(path("file:/x")).typeName());
    assertEquals("fs_path", pathMode.path(path("s3a://b/x")).typeName());
    assertEquals("fs_path", pathMode.path(path("abfss://c@a.dfs.core.windows.net/x")).typeName());
  }

  @Test
  void pathEntitiesCarryTheirPathAndHdfsPathsTheClusterName() {
    JsonNode message = notificationJson(application());

    JsonNode hdfs = ofType(message, "hdfs_path").stream()
        .filter(e -> e.path("attributes").path("qualifiedName").asText().startsWith("hdfs://nn:8020/data"))
        .findFirst().orElseThrow();
    assertEquals("hdfs://nn:8020/data/Raw/Events", hdfs.path("attributes").path("path").asText());
    assertEquals("/data/Raw/Events", hdfs.path("attributes").path("name").asText());
    assertEquals(NS, hdfs.path("attributes").path("clusterName").asText());
    for (JsonNode fs : ofType(message, "fs_path")) {
      assertFalse(fs.path("attributes").has("clusterName"), fs.toString());
      assertFalse(fs.path("attributes").path("name").asText().isEmpty(), fs.toString());
    }
  }

  @Test
  void tableCarriesItsDatabaseStorageDescriptorPartitionsAndColumns() {
    JsonNode message = notificationJson(application());
    Map<String, JsonNode> byGuid = byGuid(message);

    JsonNode table = ofType(message, "spark_table").stream()
        .filter(e -> e.path("attributes").path("qualifiedName").asText().equals("sales.orders@cl1"))
        .findFirst().orElseThrow();
    JsonNode attributes = table.path("attributes");
    assertEquals("orders", attributes.path("name").asText());
    assertEquals("MANAGED", attributes.path("tableType").asText());
    assertEquals("alice", attributes.path("owner").asText());
    assertEquals(T0 - 86_400_000L, attributes.path("createTime").asLong());
    assertEquals("[\"region\"]", attributes.path("partitionColumnNames").toString());

    JsonNode db = byGuid.get(table.path("relationshipAttributes").path("db").path("guid").asText());
    assertEquals("sales@cl1", db.path("attributes").path("qualifiedName").asText());
    JsonNode sd = byGuid.get(table.path("relationshipAttributes").path("sd").path("guid").asText());
    assertEquals("spark_storagedesc", sd.path("typeName").asText());
    assertEquals("hdfs://nn:8020/warehouse/sales.db/orders", sd.path("attributes").path("location").asText());
    assertEquals("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        sd.path("attributes").path("inputFormat").asText());
    assertEquals("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        sd.path("attributes").path("serde").asText());
    assertTrue(sd.path("attributes").path("compressed").isBoolean());

    List<JsonNode> columns = new ArrayList<>();
    for (JsonNode column : ofType(message, "spark_column")) {
      if (column.path("relationshipAttributes").path("table").path("guid").asText().equals(table.path("guid").asText())) {
        columns.add(column);
      }
    }
    assertEquals(4, columns.size());
    JsonNode amount = columns.stream().filter(c -> c.path("attributes").path("name").asText().equals("amount"))
        .findFirst().orElseThrow();
    assertEquals("decimal(10,2)", amount.path("attributes").path("type").asText());
    assertEquals("gross amount", amount.path("attributes").path("comment").asText());
    assertTrue(amount.path("attributes").path("nullable").asBoolean());
  }

  @Test
  void oneDatabaseEntityIsSharedByAllTablesOfThatDatabase() {
    JsonNode message = notificationJson(application());

    Set<String> dbGuids = new HashSet<>();
    for (JsonNode table : ofType(message, "spark_table")) {
      dbGuids.add(table.path("relationshipAttributes").path("db").path("guid").asText());
    }
    assertEquals(1, dbGuids.size(), dbGuids.toString());
    assertEquals(1, ofType(message, "spark_db").size());
  }

  // ------------------------------------------------------------------------------------------ process

  @Test
  void processInputsAndOutputsAreTheDeduplicatedUnionOfAllQueriesWithoutSelfLoops() {
    JsonNode message = notificationJson(application());
    JsonNode process = process(message);

    List<String> inputs = resolvedNames(message, process.path("attributes").path("inputs"));
    List<String> outputs = resolvedNames(message, process.path("attributes").path("outputs"));

    assertEquals(Set.of("sales.customers@cl1", "hdfs://nn:8020/data/Raw/Events@cl1",
        "s3a://lake/Landing/fx_rates/@cl1", "sales.daily@cl1"), Set.copyOf(inputs));
    assertEquals(inputs.size(), Set.copyOf(inputs).size(), "no duplicate inputs: " + inputs);
    assertEquals(Set.of("sales.orders@cl1", "file:/tmp/Exports/orders.csv@cl1", "sales.summary@cl1",
        "hdfs://nn:8020/out/report_copy@cl1", "sales.report@cl1"), Set.copyOf(outputs));
    assertEquals(outputs.size(), Set.copyOf(outputs).size(), "no duplicate outputs: " + outputs);
    for (String output : outputs) {
      assertFalse(inputs.contains(output), output + " is written, so it is no input: " + inputs);
    }
  }

  @Test
  void processNamesTheApplicationUserAndLatestExecution() {
    JsonNode message = notificationJson(application());
    JsonNode attributes = process(message).path("attributes");

    assertEquals("ENTITY_CREATE_V2", message.path("type").asText());
    assertEquals("etl-user", message.path("user").asText());
    assertEquals("nightly etl", attributes.path("name").asText());
    assertEquals("etl-user", attributes.path("currUser").asText());
    assertTrue(attributes.path("executionId").isIntegralNumber());
    assertEquals(6, attributes.path("executionId").asLong());
    assertTrue(attributes.path("details").asText().contains(APP_ID), attributes.toString());
    assertTrue(attributes.path("sparkPlanDescription").asText().contains("#6"), attributes.toString());
  }

  @Test
  void processWithoutApplicationNameIsNamedByItsId() {
    ApplicationLineage app = new ApplicationLineage("local-1700000000000");
    app.add(new QueryLineage("local-1700000000000", null, 0, "InsertIntoHadoopFsRelationCommand", "u", T0,
        List.of(), List.of(path("file:/tmp/out")), null));

    JsonNode attributes = process(notificationJson(app)).path("attributes");

    assertEquals("local-1700000000000", attributes.path("name").asText());
    assertFalse(attributes.has("sparkPlanDescription"), "absent plan text is left out, not null");
  }

  @Test
  void aDatasetSeenAgainTakesTheNewerDetails() {
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(table("sales", "orders"))));
    app.add(query(2, List.of(), List.of(orders())));

    JsonNode message = notificationJson(app);

    assertEquals(4, ofType(message, "spark_column").size());
    assertEquals(1, ofType(message, "spark_table").size());
  }

  // ------------------------------------------------------------------------------------------ guids

  @Test
  void everyGuidIsNegativeAndUnique() {
    JsonNode message = notificationJson(application());

    List<String> guids = new ArrayList<>();
    for (JsonNode entity : allEntities(message)) {
      guids.add(entity.path("guid").asText());
    }
    for (String guid : guids) {
      assertTrue(guid.matches("-[1-9][0-9]*"), "temporary negative guid: " + guid);
    }
    assertEquals(guids.size(), new HashSet<>(guids).size(), "unique guids: " + guids);
    message.path("entities").path("referredEntities").fields().forEachRemaining(entry ->
        assertEquals(entry.getKey(), entry.getValue().path("guid").asText(), "referred entity keyed by its guid"));
  }

  @Test
  void everyGuidReferenceResolvesInsideTheMessageToAnEntityOfTheNamedType() {
    JsonNode message = notificationJson(application());
    Map<String, JsonNode> byGuid = byGuid(message);

    List<JsonNode> references = new ArrayList<>();
    for (JsonNode entity : allEntities(message)) {
      collectReferences(entity.path("attributes"), references);
      collectReferences(entity.path("relationshipAttributes"), references);
    }

    assertFalse(references.isEmpty());
    for (JsonNode reference : references) {
      JsonNode target = byGuid.get(reference.path("guid").asText());
      assertNotNull(target, "unresolved reference " + reference);
      if (reference.has("typeName")) {
        assertEquals(target.path("typeName").asText(), reference.path("typeName").asText(), reference.toString());
      }
    }
  }

  @Test
  void everyReferredEntityIsReachableFromTheTopLevelEntities() {
    // Atlas only creates referred entities that a walk from the top-level entities reaches by reference.
    JsonNode message = notificationJson(application());
    Map<String, JsonNode> byGuid = byGuid(message);

    Set<String> reached = new HashSet<>();
    List<JsonNode> queue = new ArrayList<>();
    message.path("entities").path("entities").forEach(queue::add);
    while (!queue.isEmpty()) {
      JsonNode entity = queue.remove(queue.size() - 1);
      if (!reached.add(entity.path("guid").asText())) {
        continue;
      }
      List<JsonNode> references = new ArrayList<>();
      collectReferences(entity.path("attributes"), references);
      collectReferences(entity.path("relationshipAttributes"), references);
      for (JsonNode reference : references) {
        JsonNode target = byGuid.get(reference.path("guid").asText());
        if (target != null) {
          queue.add(target);
        }
      }
    }

    List<String> unreached = new ArrayList<>();
    message.path("entities").path("referredEntities").fields().forEachRemaining(entry -> {
      if (!reached.contains(entry.getKey())) {
        unreached.add(entry.getValue().path("typeName").asText() + " "
            + entry.getValue().path("attributes").path("qualifiedName").asText());
      }
    });
    assertTrue(unreached.isEmpty(), "referred entities Atlas would never create: " + unreached);
  }

  // ------------------------------------------------------------------------------------------ Atlas types

  @Test
  void wholeMessageValidatesAgainstTheAtlas240TypeSystem() {
    JsonNode message = notificationJson(application());

    List<String> violations = AtlasTypeSystem.atlas240().validate(message);

    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
  }

  @Test
  void wholeMessageUsesOnlyWhatTheSparkModelPostedToPurviewDefines() {
    JsonNode message = notificationJson(application());

    List<String> violations = AtlasTypeSystem.atlas240()
        .validateAgainstOlderModel(message, AtlasTypeSystem.sparkModel210rc3());

    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
  }

  /** The checks above are not vacuous: Atlas's own validation rejects our message once one value is wrong. */
  @Test
  void atlasRejectsTheMessageWhenAColumnLosesItsRequiredType() {
    JsonNode message = notificationJson(application());
    JsonNode column = ofType(message, "spark_column").get(0);
    ((ObjectNode) column.path("attributes")).remove("type");

    List<String> violations = AtlasTypeSystem.atlas240().validate(message);

    assertEquals(1, violations.size(), () -> "violations:\n" + String.join("\n", violations));
    assertTrue(violations.get(0).startsWith("spark_column(guid=" + column.path("guid").asText()), violations.get(0));
    assertTrue(violations.get(0).contains(
        "[Atlas] spark_column.type: mandatory attribute value missing in type spark_column"), violations.get(0));
  }

  /** Atlas's validateValue takes any object id for spark_table.db; our own check knows the other end's type. */
  @Test
  void aTableWhoseDbPointsAtAnotherTypeIsRejected() {
    JsonNode message = notificationJson(application());
    JsonNode table = ofType(message, "spark_table").get(0);
    String columnGuid = ofType(message, "spark_column").get(0).path("guid").asText();
    ObjectNode db = (ObjectNode) table.path("relationshipAttributes").path("db");
    assertTrue(db.has("guid"), table::toString);
    db.put("guid", columnGuid);
    db.remove("typeName");

    List<String> violations = AtlasTypeSystem.atlas240().validate(message);

    assertTrue(violations.stream().anyMatch(v -> v.startsWith("spark_table(guid=" + table.path("guid").asText())
            && v.contains("relationshipAttributes.db: references a spark_column but relationship spark_table_db"
            + " needs a spark_db")), () -> "violations:\n" + String.join("\n", violations));
  }

  @Test
  void minimalTablesAndPathsAlsoValidate() {
    ApplicationLineage app = new ApplicationLineage("local-1");
    app.add(new QueryLineage("local-1", "x", 0, "op", null, T0, List.of(table("d", "t")),
        List.of(path("hdfs://nn/out")), null));
    JsonNode message = notificationJson(app);

    List<String> violations = new ArrayList<>(AtlasTypeSystem.atlas240().validate(message));
    violations.addAll(AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
        AtlasTypeSystem.sparkModel210rc3()));

    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
  }

  // ------------------------------------------------------------------------------------------ limits

  @Test
  void columnsBeyondMaxColumnsPerTableAreCut() {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < SparkEntityFactory.MAX_COLUMNS_PER_TABLE + 25; i++) {
      columns.add(new Column("c" + i, "int", true, null));
    }
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(TableDataset.builder("wide", "t").columns(columns).build())));

    JsonNode message = notificationJson(app);

    Set<String> names = qualifiedNames(message, "spark_column");
    assertEquals(SparkEntityFactory.MAX_COLUMNS_PER_TABLE, names.size());
    assertTrue(names.contains("wide.t.c0@cl1"));
    assertTrue(names.contains("wide.t.c" + (SparkEntityFactory.MAX_COLUMNS_PER_TABLE - 1) + "@cl1"));
    assertFalse(names.contains("wide.t.c" + SparkEntityFactory.MAX_COLUMNS_PER_TABLE + "@cl1"));
  }

  @Test
  void datasetsBeyondTheLimitPerSideAreCountedNotAdded() {
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    List<PathDataset> outputs = new ArrayList<>();
    for (int i = 0; i < ApplicationLineage.MAX_DATASETS_PER_SIDE + 7; i++) {
      outputs.add(path("hdfs://nn/out/p" + i));
    }
    app.add(query(1, List.of(), outputs));
    app.add(query(2, List.of(), List.of(path("hdfs://nn/out/p0"))));

    assertEquals(ApplicationLineage.MAX_DATASETS_PER_SIDE, app.outputs().size());
    assertEquals(7, app.datasetsNotAdded());
  }

  @Test
  void tableTypesOfDatasetsAreAsExpected() {
    Map<String, String> expected = new HashMap<>();
    expected.put("sales.orders@cl1", "spark_table");
    expected.put("hdfs://nn:8020/data/Raw/Events@cl1", "hdfs_path");
    expected.put("s3a://lake/Landing/fx_rates@cl1", "fs_path");
    expected.put("file:/tmp/Exports/orders.csv@cl1", "fs_path");
    JsonNode message = notificationJson(application());

    for (JsonNode entity : message.path("entities").path("entities")) {
      String name = entity.path("attributes").path("qualifiedName").asText();
      if (expected.containsKey(name)) {
        assertEquals(expected.get(name), entity.path("typeName").asText(), name);
      }
    }
  }

  @Test
  void secretsInTableAndColumnCommentsAreMasked() {
    TableDataset table = TableDataset.builder("sales", "imported")
        .comment("loaded from jdbc:postgresql://etl:pg-Secret-1@db:5432/x")
        .columns(List.of(new Column("id", "bigint", false, "api_token=tok-Secret-2"),
            new Column("name", "string", true, "plain comment")))
        .build();
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(table)));

    String json = notificationJson(app).toString();

    assertFalse(json.contains("pg-Secret-1"), json);
    assertFalse(json.contains("tok-Secret-2"), json);
    assertTrue(json.contains("jdbc:postgresql://etl:*********(redacted)@db:5432/x"), json);
    assertTrue(json.contains("api_token=*********(redacted)"), json);
    assertTrue(json.contains("\"plain comment\""), json);
  }

  @Test
  void credentialsInATableLocationAreMasked() {
    TableDataset table = TableDataset.builder("lake", "events")
        .location(java.net.URI.create("s3a://AKIAABCDEFGHIJKLMNOP:s3-Secret-3@bucket/events?sv=2022&sig=sas-Secret-4"))
        .build();
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(table)));

    String json = notificationJson(app).toString();

    assertFalse(json.contains("s3-Secret-3"), json);
    assertFalse(json.contains("sas-Secret-4"), json);
    assertFalse(json.contains("AKIAABCDEFGHIJKLMNOP"), json);
    assertTrue(json.contains("@bucket/events"), json);
  }

  // ------------------------------------------------------------------------------------------ redacted names

  private static final String MASK = Redactor.MASK;

  private static JsonNode onlyEntity(JsonNode message, String typeName) {
    List<JsonNode> entities = ofType(message, typeName);
    assertEquals(1, entities.size(), typeName + " entities: " + entities);
    return entities.get(0).path("attributes");
  }

  @Test
  void aPathSecretMatchedOnlyBySparksStringRegexIsMaskedInQualifiedNameNameAndPath() {
    Redactor redactor = Redactor.of(null, "SECRET_J[0-9]+", null);
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(path("s3a://lake/tenants/SECRET_J4205/orders"))));

    JsonNode message = notificationJson(app, redactor, NamingMode.PATH);

    assertFalse(message.toString().contains("SECRET_J4205"), message.toString());
    JsonNode attributes = onlyEntity(message, "fs_path");
    assertEquals("s3a://lake/tenants/" + MASK + "/orders@cl1", attributes.path("qualifiedName").asText());
    assertEquals("s3a://lake/tenants/" + MASK + "/orders", attributes.path("path").asText());
    assertEquals("/tenants/" + MASK + "/orders", attributes.path("name").asText());
  }

  @Test
  void aPathSecretIsMaskedInEveryCloudEntityOfThePath() {
    Redactor redactor = Redactor.of(null, "SECRET_J[0-9]+", null);
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(path("abfss://raw@acct.dfs.core.windows.net/SECRET_J7/in")),
        List.of(path("s3a://lake/tenants/SECRET_J4205/orders"), path("gs://bucket/SECRET_J9"))));

    JsonNode message = notificationJson(app, redactor);

    assertFalse(message.toString().contains("SECRET_J"), message.toString());
    assertEquals(Set.of("s3a://lake/tenants/@cl1", "s3a://lake/tenants/" + MASK + "/@cl1",
        "s3a://lake/tenants/" + MASK + "/orders/@cl1"), qualifiedNames(message, "aws_s3_v2_directory"));
    assertEquals(Set.of("abfss://raw@acct/" + MASK + "@cl1", "abfss://raw@acct/" + MASK + "/in@cl1"),
        qualifiedNames(message, "adls_gen2_directory"));
    assertEquals(Set.of("gs://bucket/" + MASK + "/@cl1"), qualifiedNames(message, "gcp_storage_virtual_directory"));
    assertTrue(AtlasTypeSystem.atlas240().validate(message).isEmpty(), message.toString());
  }

  @Test
  void aTableNameMatchedOnlyByTheAgentsRegexIsMaskedInEveryNameBuiltFromIt() {
    Redactor redactor = Redactor.of(null, null, "acme_[a-z]+");
    TableDataset table = TableDataset.builder("sales", "orders_acme_corp")
        .location(URI.create("hdfs://nn:8020/warehouse/sales.db/orders_acme_corp"))
        .partitionColumns(List.of("region"))
        .columns(List.of(new Column("id", "bigint", false, null), new Column("region", "string", true, null)))
        .build();
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(table)));

    JsonNode message = notificationJson(app, redactor);

    assertFalse(message.toString().contains("acme_corp"), message.toString());
    JsonNode attributes = onlyEntity(message, "spark_table");
    assertEquals("sales.orders_" + MASK + "@cl1", attributes.path("qualifiedName").asText());
    assertEquals("orders_" + MASK, attributes.path("name").asText());
    assertEquals(Set.of("sales.orders_" + MASK + ".id@cl1", "sales.orders_" + MASK + ".region@cl1"),
        qualifiedNames(message, "spark_column"));
    JsonNode storage = onlyEntity(message, "spark_storagedesc");
    assertEquals("sales.orders_" + MASK + "@cl1_storage", storage.path("qualifiedName").asText());
    assertEquals("hdfs://nn:8020/warehouse/sales.db/orders_" + MASK, storage.path("location").asText());
    assertEquals(Set.of("sales@cl1"), qualifiedNames(message, "spark_db"));
  }

  @Test
  void aDatabaseAndColumnNameMatchedByAUserRegexAreMasked() {
    Redactor redactor = Redactor.of(null, "tenant_[a-z]+", "ssn_[a-z]+");
    TableDataset table = TableDataset.builder("crm_tenant_acme", "people")
        .partitionColumns(List.of("ssn_bucket"))
        .columns(List.of(new Column("id", "bigint", false, null), new Column("SSN_Plain", "string", true, null)))
        .build();
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(table)));

    JsonNode message = notificationJson(app, redactor);

    String json = message.toString();
    assertFalse(json.contains("tenant_acme"), json);
    assertFalse(json.toLowerCase(java.util.Locale.ROOT).contains("ssn_plain"), json);
    assertFalse(json.contains("ssn_bucket"), json);
    JsonNode db = onlyEntity(message, "spark_db");
    assertEquals("crm_" + MASK + "@cl1", db.path("qualifiedName").asText());
    assertEquals("crm_" + MASK, db.path("name").asText());
    assertEquals("crm_" + MASK + ".people@cl1", onlyEntity(message, "spark_table").path("qualifiedName").asText());
    assertEquals(Set.of("crm_" + MASK + ".people.id@cl1", "crm_" + MASK + ".people." + MASK + "@cl1"),
        qualifiedNames(message, "spark_column"));
  }

  @Test
  void aSecretOnlyInThePercentDecodedFormOfAPathIsMasked() {
    Redactor redactor = Redactor.of(null, null, "client SECRET_K[0-9]+");
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(), List.of(path("hdfs://nn:8020/data/client%20SECRET_K7731/2024"))));

    JsonNode message = notificationJson(app, redactor);

    assertFalse(message.toString().contains("SECRET_K7731"), message.toString());
    JsonNode attributes = onlyEntity(message, "hdfs_path");
    assertEquals("hdfs://nn:8020/data/" + MASK + "/2024@cl1", attributes.path("qualifiedName").asText());
    assertEquals("hdfs://nn:8020/data/" + MASK + "/2024", attributes.path("path").asText());
    assertEquals("/data/" + MASK + "/2024", attributes.path("name").asText());
  }

  @Test
  void aRedactedNameIsTheSameInEveryMessageAndItsReferencesResolve() {
    Redactor redactor = Redactor.of(null, "SECRET_J[0-9]+", null);
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(path("s3a://lake/in/SECRET_J1")), List.of(table("sales", "out_secret_j2"))));
    JsonNode first = notificationJson(app, redactor);
    app.add(query(2, List.of(path("s3a://lake/in/SECRET_J1")), List.of(path("s3a://lake/out/SECRET_J3"))));

    JsonNode second = notificationJson(app, redactor);

    assertEquals(qualifiedNames(first, "aws_s3_v2_directory"), Set.of("s3a://lake/in/@cl1",
        "s3a://lake/in/" + MASK + "/@cl1"));
    assertTrue(qualifiedNames(second, "aws_s3_v2_directory")
        .containsAll(qualifiedNames(first, "aws_s3_v2_directory")));
    assertEquals(qualifiedNames(first, "spark_table"), qualifiedNames(second, "spark_table"));
    JsonNode process = process(second);
    assertEquals(List.of("s3a://lake/in/" + MASK + "/@cl1"), resolvedNames(second, process.path("attributes")
        .path("inputs")));
    assertEquals(Set.of("sales.out_secret_j2@cl1", "s3a://lake/out/" + MASK + "/@cl1"),
        Set.copyOf(resolvedNames(second, process.path("attributes").path("outputs"))));
  }

  @Test
  void datasetsThatRedactToTheSameNameAreOneEntityListedOnce() {
    Redactor redactor = Redactor.of(null, null, "tenant_[a-z]+");
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(table("sales", "orders_tenant_a"), path("s3a://lake/tenant_x/in")),
        List.of(table("sales", "orders_tenant_b"), path("s3a://lake/tenant_y/in"))));

    JsonNode message = notificationJson(app, redactor);

    Set<String> seen = new HashSet<>();
    for (JsonNode entity : allEntities(message)) {
      String name = entity.path("typeName").asText() + " " + entity.path("attributes").path("qualifiedName").asText();
      assertTrue(seen.add(name), "one entity per qualifiedName: " + name);
    }
    JsonNode attributes = process(message).path("attributes");
    assertEquals(List.of("sales.orders_" + MASK + "@cl1", "s3a://lake/" + MASK + "/in/@cl1"),
        resolvedNames(message, attributes.path("outputs")));
    assertEquals(0, attributes.path("inputs").size(), "what is written is no input: " + attributes);
    assertTrue(AtlasTypeSystem.atlas240().validate(message).isEmpty());
  }

  @Test
  void redactedNamesStillValidateAgainstTheAtlasTypeSystem() {
    Redactor redactor = Redactor.of(null, "SECRET_J[0-9]+", "(?i)secret_k[0-9]+");
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(query(1, List.of(path("hdfs://nn/in/SECRET_J1")), List.of(TableDataset.builder("d", "t_SECRET_K2")
        .columns(List.of(new Column("c", "int", true, null))).build())));
    JsonNode message = notificationJson(app, redactor);

    List<String> violations = new ArrayList<>(AtlasTypeSystem.atlas240().validate(message));
    violations.addAll(AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
        AtlasTypeSystem.sparkModel210rc3()));

    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
    assertFalse(message.toString().toLowerCase(java.util.Locale.ROOT).contains("secret_"), message.toString());
  }

  @Test
  void namesNoRuleMatchesAreUnchanged() {
    JsonNode plain = notificationJson(application());
    JsonNode redacted = notificationJson(application(), Redactor.of("(?i)hush", "SECRET_J[0-9]+", "acme_[a-z]+"));

    assertEquals(plain, redacted);
  }
}
