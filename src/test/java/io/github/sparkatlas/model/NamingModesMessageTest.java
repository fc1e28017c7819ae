package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.atlasrules.PurviewTypes;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.message.NotificationJson;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Whole messages in each naming mode: self-contained, valid for Atlas (and Purview), and named as sent. */
class NamingModesMessageTest {
  private static final String NS = "cl1";
  private static final String APP_ID = "application_1700000000000_0042";

  private static PathDataset path(String uri) {
    return PathDataset.of(URI.create(uri));
  }

  private static QueryLineage record(long executionId, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    return new QueryLineage(APP_ID, "nightly etl", executionId, "InsertIntoHadoopFsRelationCommand", "etl-user",
        executionId, inputs, outputs, "plan of " + executionId);
  }

  private static JsonNode message(Naming naming, QueryLineage record) {
    SparkEntityFactory factory = new SparkEntityFactory(naming);
    ProcessLineage lineage = new ProcessLineage(factory.processKey(record, true), false);
    lineage.add(record);
    return NotificationJson.toJson(factory.processNotification(lineage));
  }

  private static Naming naming(NamingMode mode) {
    return new Naming(NS, KafkaNamespaces.none(), mode);
  }

  private static List<JsonNode> allEntities(JsonNode message) {
    List<JsonNode> all = new ArrayList<>();
    message.path("entities").path("entities").forEach(all::add);
    message.path("entities").path("referredEntities").forEach(all::add);
    return all;
  }

  /** type:qualifiedName of every entity, failing on a duplicate. */
  private static Set<String> sentNames(JsonNode message) {
    Set<String> names = new TreeSet<>();
    for (JsonNode entity : allEntities(message)) {
      String name = entity.path("typeName").asText() + ":" + entity.path("attributes").path("qualifiedName").asText();
      assertTrue(names.add(name), "one entity per name: " + name);
    }
    return names;
  }

  /** type:qualifiedName of what the process's inputs or outputs point at. */
  private static Set<String> side(JsonNode message, String side) {
    Map<String, JsonNode> byGuid = new HashMap<>();
    allEntities(message).forEach(e -> byGuid.put(e.path("guid").asText(), e));
    JsonNode process = null;
    for (JsonNode entity : message.path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        process = entity;
      }
    }
    Set<String> names = new TreeSet<>();
    for (JsonNode id : process.path("attributes").path(side)) {
      if (id.has("uniqueAttributes")) {
        names.add(id.path("typeName").asText() + ":" + id.path("uniqueAttributes").path("qualifiedName").asText());
      } else {
        JsonNode target = byGuid.get(id.path("guid").asText());
        names.add(target.path("typeName").asText() + ":" + target.path("attributes").path("qualifiedName").asText());
      }
    }
    return names;
  }

  // ------------------------------------------------------------------------------------------ atlas mode

  @Test
  void atlasModeMessagesCarryEveryParentOnceAndValidate() {
    QueryLineage record = record(1,
        List.of(path("s3a://lake/raw/events"), path("s3a://lake/raw/events/2024"),
            path("abfss://raw@acct.dfs.core.windows.net/landing/orders"), path("gs://bucket/in"),
            path("hdfs://nn:8020/data/x"), path("file:/tmp/local")),
        List.of(path("s3a://lake/curated/events"), path("abfss://raw@acct.dfs.core.windows.net/")));

    JsonNode message = message(naming(NamingMode.ATLAS), record);

    assertEquals(new TreeSet<>(Set.of("aws_s3_v2_directory:s3a://lake/raw/events/@cl1",
        "aws_s3_v2_directory:s3a://lake/raw/events/2024/@cl1",
        "adls_gen2_directory:abfss://raw@acct/landing/orders@cl1",
        "gcp_storage_virtual_directory:gs://bucket/in/@cl1", "hdfs_path:hdfs://nn:8020/data/x@cl1",
        "fs_path:file:/tmp/local@cl1")), side(message, "inputs"));
    assertEquals(new TreeSet<>(Set.of("aws_s3_v2_directory:s3a://lake/curated/events/@cl1",
        "adls_gen2_container:abfss://raw@acct@cl1")), side(message, "outputs"));
    Set<String> all = sentNames(message);
    assertTrue(all.containsAll(Set.of("aws_s3_v2_bucket:s3a://lake@cl1", "aws_s3_v2_directory:s3a://lake/raw/@cl1",
        "aws_s3_v2_directory:s3a://lake/curated/@cl1", "adls_gen2_account:abfss://acct@cl1",
        "adls_gen2_directory:abfss://raw@acct/landing@cl1", "gcp_storage_bucket:gs://bucket@cl1")), all.toString());
    assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message), message.toString());
  }

  @Test
  void aDirectoryThatIsADatasetAndAParentIsOneEntityWhicheverComesFirst() {
    JsonNode message = message(naming(NamingMode.ATLAS), record(1,
        List.of(path("gs://bucket/a/b/c"), path("gs://bucket/a")), List.of(path("gs://bucket/a/b"))));

    assertEquals(Set.of("gcp_storage_virtual_directory:gs://bucket/a/b/c/@cl1",
        "gcp_storage_virtual_directory:gs://bucket/a/@cl1"), side(message, "inputs"));
    assertEquals(Set.of("gcp_storage_virtual_directory:gs://bucket/a/b/@cl1"), side(message, "outputs"));
    assertEquals(4, sentNames(message).stream().filter(n -> n.startsWith("gcp_")).count());
    assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message), message.toString());
  }

  @Test
  void pathsUpToTheLevelLimitAreNamedByLevelDeeperOnesPlainly() {
    String limit = deepPath(CloudPathEntities.MAX_LEVELS);
    String deeper = deepPath(CloudPathEntities.MAX_LEVELS + 1);
    JsonNode message = message(naming(NamingMode.ATLAS), record(1, List.of(path(limit)), List.of(path(deeper))));

    assertEquals(Set.of("aws_s3_v2_directory:" + limit + "/@cl1"), side(message, "inputs"));
    assertEquals(Set.of("fs_path:" + deeper + "@cl1"), side(message, "outputs"));
    assertEquals(CloudPathEntities.MAX_LEVELS + 1,
        sentNames(message).stream().filter(n -> n.startsWith("aws_s3_v2_")).count());
    assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message));
  }

  private static String deepPath(int levels) {
    StringBuilder deep = new StringBuilder("s3a://lake");
    for (int i = 0; i < levels; i++) {
      deep.append("/d").append(i);
    }
    return deep.toString();
  }

  @Test
  void pathModeMessagesNameEveryPathAPlainFsPath() {
    JsonNode message = message(naming(NamingMode.PATH), record(1,
        List.of(path("s3a://lake/raw/events"), path("hdfs://nn:8020/data/x")),
        List.of(path("abfss://raw@acct.dfs.core.windows.net/out"))));

    assertEquals(Set.of("fs_path:s3a://lake/raw/events@cl1", "hdfs_path:hdfs://nn:8020/data/x@cl1"),
        side(message, "inputs"));
    assertEquals(Set.of("fs_path:abfss://raw@acct.dfs.core.windows.net/out@cl1"), side(message, "outputs"));
    assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message));
  }

  /** The query-granularity process is named by a digest of the names sent: the same datasets sent, the same name. */
  @Test
  void theProcessDigestFollowsTheNamesSent() {
    Naming mounted = naming(NamingMode.ATLAS)
        .withMounts(DatabricksMounts.parse("/mnt/raw=abfss://raw@acct.dfs.core.windows.net/"));
    SparkEntityFactory factory = new SparkEntityFactory(mounted);
    QueryLineage viaMount = record(1, List.of(path("dbfs:/mnt/raw/in")), List.of(path("s3a://lake/out")));
    QueryLineage direct = record(2, List.of(path("abfss://raw@acct.dfs.core.windows.net/in")),
        List.of(path("s3a://lake/out/")));
    QueryLineage other = record(3, List.of(path("abfss://raw@acct.dfs.core.windows.net/in")),
        List.of(path("s3a://lake/other")));

    assertEquals(factory.processKey(viaMount, true), factory.processKey(direct, true));
    assertNotEquals(factory.processKey(direct, true), factory.processKey(other, true));
    // without the mount table, the DBFS path is another dataset
    SparkEntityFactory unmounted = new SparkEntityFactory(naming(NamingMode.ATLAS));
    assertNotEquals(unmounted.processKey(viaMount, true), unmounted.processKey(direct, true));
    // the same write in another mode sends other names, so it is another process
    assertNotEquals(new SparkEntityFactory(naming(NamingMode.PATH)).processKey(direct, true),
        factory.processKey(direct, true));
  }

  // ------------------------------------------------------------------------------------------ purview mode

  @Test
  void purviewModeMessagesUsePurviewsAzureTypesAndValidateAgainstThem() {
    JsonNode message = message(naming(NamingMode.PURVIEW), record(1,
        List.of(path("abfss://raw@Acct.dfs.core.windows.net/landing/orders/"),
            path("wasbs://archive@acct.blob.core.windows.net/2024/orders.csv"), path("s3a://lake/raw")),
        List.of(path("abfss://curated@acct.dfs.core.windows.net"),
            path("wasbs://archive@acct.blob.core.windows.net/"))));

    assertEquals(Set.of("azure_datalake_gen2_path:https://acct.dfs.core.windows.net/raw/landing/orders",
        "azure_blob_path:https://acct.blob.core.windows.net/archive/2024/orders.csv",
        "aws_s3_v2_directory:s3a://lake/raw/@cl1"), side(message, "inputs"));
    assertEquals(Set.of("azure_datalake_gen2_filesystem:https://acct.dfs.core.windows.net/curated",
        "azure_blob_container:https://acct.blob.core.windows.net/archive"), side(message, "outputs"));
    for (JsonNode entity : allEntities(message)) {
      if (entity.path("typeName").asText().startsWith("azure_")) {
        assertEquals(Set.of("qualifiedName", "name"), fieldNames(entity.path("attributes")), entity.toString());
        assertFalse(entity.has("relationshipAttributes"), entity.toString());
      }
    }
    PurviewTypes.assertValidForPurview(message);
  }

  @Test
  void thePurviewTypeListIsReadFromEveryFileOfItsFolder() {
    assertTrue(PurviewTypes.typeFiles().stream().anyMatch(f -> f.getFileName().toString().equals(
        "azure-storage.json")));
    assertTrue(PurviewTypes.entityTypeNames().containsAll(Set.of("azure_datalake_gen2_path",
        "azure_datalake_gen2_filesystem", "azure_blob_path", "azure_blob_container")));
    assertEquals(List.of(), PurviewTypes.atlasWithPurview().fileFailures());
    // What a process reads or writes must be a DataSet; their parents (a SQL server, database, schema) need not be.
    for (String type : List.of("azure_datalake_gen2_path", "azure_datalake_gen2_filesystem", "azure_blob_path",
        "azure_blob_container", "azure_sql_table")) {
      assertTrue(PurviewTypes.atlasWithPurview().isSubtypeOf(type, "DataSet"), type + " is a DataSet");
    }
  }

  @Test
  void aPurviewTypedEntityMissingItsNameFailsTheCheck() {
    JsonNode message = message(naming(NamingMode.PURVIEW), record(1, List.of(),
        List.of(path("abfss://raw@acct.dfs.core.windows.net/x"))));
    JsonNode broken = message.deepCopy();
    for (JsonNode entity : broken.path("entities").path("entities")) {
      if (entity.path("typeName").asText().startsWith("azure_")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) entity.path("attributes")).remove("name");
        ((com.fasterxml.jackson.databind.node.ObjectNode) entity.path("attributes")).put("size", 3);
      }
    }
    List<String> violations = PurviewTypes.atlasWithPurview().validate(broken);
    assertTrue(violations.stream().anyMatch(v -> v.contains("name")), violations.toString());
    assertTrue(violations.stream().anyMatch(v -> v.contains("size")), violations.toString());
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ------------------------------------------------------------------------------------------ hive_table

  private static TableDataset hiveTable() {
    return TableDataset.builder("Sales", "Orders").provider("hive").tableType("MANAGED")
        .columns(List.of(new Column("id", "bigint", false, null))).build();
  }

  private static TableDataset parquetTable() {
    return TableDataset.builder("sales", "customers").provider("parquet")
        .columns(List.of(new Column("id", "bigint", false, null))).build();
  }

  /** A Hive-provider table of another catalog (its database carries the catalog name). */
  private static TableDataset catalogHiveTable() {
    return TableDataset.builder("main.sales", "events").provider("hive").build();
  }

  @Test
  void hiveTableModeReferencesHiveMetastoreTablesByQualifiedNameOnly() {
    Naming naming = naming(NamingMode.ATLAS).withHiveTables(true);
    JsonNode message = message(naming, record(1, List.of(hiveTable(), catalogHiveTable()),
        List.of(parquetTable())));

    assertEquals(Set.of("hive_table:sales.orders@cl1", "spark_table:main.sales.events@cl1"),
        side(message, "inputs"));
    assertEquals(Set.of("spark_table:sales.customers@cl1"), side(message, "outputs"));
    Set<String> sent = sentNames(message);
    assertFalse(sent.stream().anyMatch(n -> n.contains("sales.orders")), "nothing of the Hive table is made: " + sent);
    assertFalse(sent.stream().anyMatch(n -> n.startsWith("hive_")), sent.toString());
    assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message), message.toString());
    List<String> external = AtlasTypeSystem.atlas240().externalUniqueAttributeReferences(message);
    assertEquals(1, external.size(), external.toString());
    assertTrue(external.get(0).contains("sales.orders@cl1"), external.toString());
  }

  @Test
  void theTableTypeIsDecidedInOnePlace() {
    Naming hive = naming(NamingMode.ATLAS).withHiveTables(true);
    Naming spark = naming(NamingMode.ATLAS);
    assertEquals("hive_table", hive.tableType(hiveTable()));
    assertEquals("hive_table", hive.tableType(TableDataset.builder("db", "t").provider("HIVE").build()));
    assertEquals("spark_table", hive.tableType(parquetTable()));
    assertEquals("spark_table", hive.tableType(catalogHiveTable()));
    assertEquals("spark_table", hive.tableType(TableDataset.builder("db", "t").build()));
    assertEquals("spark_table", spark.tableType(hiveTable()));
  }

  @Test
  void aWriteToAHiveTableIsNamedAfterItAndItsDigestUsesItsType() {
    Naming hive = naming(NamingMode.ATLAS).withHiveTables(true);
    QueryLineage write = record(1, List.of(path("s3a://lake/in")), List.of(hiveTable()));

    JsonNode message = message(hive, write);

    assertEquals(Set.of("hive_table:sales.orders@cl1"), side(message, "outputs"));
    JsonNode process = null;
    for (JsonNode entity : message.path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        process = entity;
      }
    }
    assertEquals("nightly etl: write to orders", process.path("attributes").path("name").asText());
    assertNotEquals(new SparkEntityFactory(hive).processKey(write, true),
        new SparkEntityFactory(naming(NamingMode.ATLAS)).processKey(write, true));
  }

  @Test
  void sparkTableModeStillSendsHiveTablesAsSparkTables() {
    JsonNode message = message(naming(NamingMode.ATLAS), record(1, List.of(hiveTable()), List.of(parquetTable())));

    assertEquals(Set.of("spark_table:sales.orders@cl1"), side(message, "inputs"));
    assertTrue(sentNames(message).contains("spark_db:sales@cl1"));
  }
}
