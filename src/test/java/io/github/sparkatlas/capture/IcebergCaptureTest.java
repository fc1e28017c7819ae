package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.QueryExecution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Iceberg's writes through a named Hadoop catalog, with iceberg-spark-runtime in the test JVM: CTAS, RTAS, INSERT,
 * static and dynamic INSERT OVERWRITE, writeTo, and the row-level operations Spark 3.5 rewrites (MERGE, UPDATE,
 * DELETE), each run for real and captured from Spark's listener bus as the agent does.
 */
class IcebergCaptureTest {
  private static final String SOURCE = "table:local.db.src";
  private static final String UPDATES = "table:local.db.updates";
  private static Path warehouse;
  private static SparkSession spark;
  private static final CapturedExecutions CAPTURED = new CapturedExecutions();

  @BeforeAll
  static void startSpark() {
    Path root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark-iceberg",
        UUID.randomUUID().toString()).toAbsolutePath();
    warehouse = root.resolve("iceberg");
    spark = SparkSession.builder().master("local[1]").appName("iceberg-capture-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.local", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.local.type", "hadoop")
        .config("spark.sql.catalog.local.warehouse", "file:" + warehouse)
        .getOrCreate();
    spark.sparkContext().addSparkListener(CAPTURED);
    spark.sql("CREATE TABLE local.db.src (id INT, name STRING, region STRING) USING iceberg").collect();
    spark.sql("INSERT INTO local.db.src VALUES (1, 'a', 'eu'), (2, 'b', 'us'), (3, 'c', 'eu')").collect();
    spark.sql("CREATE TABLE local.db.updates USING iceberg AS SELECT id, upper(name) AS name, region "
        + "FROM local.db.src").collect();
    spark.sql("CREATE TABLE local.db.t USING iceberg PARTITIONED BY (region) AS SELECT * FROM local.db.src")
        .collect();
    drain();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void clear() {
    drain();
    CAPTURED.clearUnknown();
  }

  private static List<QueryLineage> drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    return CAPTURED.drain();
  }

  private static QueryLineage sql(String statement, List<String> inputs, List<String> outputs) {
    spark.sql(statement).collect();
    return single(drain(), inputs, outputs);
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  /** The write produced exactly one lineage record, with these datasets, and nothing was left unread. */
  private static QueryLineage single(List<QueryLineage> captured, List<String> inputs, List<String> outputs) {
    assertEquals(1, captured.size(), () -> "one lineage record per statement: " + captured);
    QueryLineage lineage = captured.get(0);
    assertEquals(inputs.stream().sorted().collect(Collectors.toList()), keys(lineage.inputs()), "inputs");
    assertEquals(outputs, keys(lineage.outputs()), "outputs");
    assertTrue(CAPTURED.unknownNodes().isEmpty(), () -> "unknown nodes: " + CAPTURED.unknownNodes());
    assertTrue(CAPTURED.uncapturedCommands().isEmpty(), () -> "uncaptured: " + CAPTURED.uncapturedCommands());
    return lineage;
  }

  private static TableDataset output(QueryLineage lineage) {
    return (TableDataset) lineage.outputs().get(0);
  }

  private static List<String> columns(TableDataset table) {
    return table.columns().stream().map(c -> c.name() + ":" + c.type()).collect(Collectors.toList());
  }

  private static URI location(String table) {
    return URI.create("file:" + warehouse.resolve("db").resolve(table));
  }

  @Test
  void createTableAsSelectNamesTheTableByCatalogAndIdentifierWithTheQuerysColumns() {
    QueryLineage lineage = sql("CREATE TABLE local.db.ctas USING iceberg PARTITIONED BY (region) "
        + "AS SELECT id, name, region FROM local.db.src WHERE id > 1", List.of(SOURCE), List.of("table:local.db.ctas"));
    TableDataset table = output(lineage);
    assertEquals("local.db", table.database());
    assertEquals(List.of("id:int", "name:string", "region:string"), columns(table));
    assertEquals("iceberg", table.provider());
    assertEquals("CreateTableAsSelect", lineage.operation(), "the outer command, not its nested insert");
  }

  @Test
  void replaceTableAsSelectWritesTheReplacedTable() {
    QueryLineage lineage = sql("CREATE OR REPLACE TABLE local.db.rtas USING iceberg AS SELECT id, name FROM "
        + "local.db.updates", List.of(UPDATES), List.of("table:local.db.rtas"));
    assertEquals(List.of("id:int", "name:string"), columns(output(lineage)));
    sql("CREATE OR REPLACE TABLE local.db.rtas USING iceberg AS SELECT id FROM local.db.src", List.of(SOURCE),
        List.of("table:local.db.rtas"));
  }

  @Test
  void insertsAndOverwritesNameTheTableWithItsLocation() {
    QueryLineage insert = sql("INSERT INTO local.db.t SELECT * FROM local.db.updates", List.of(UPDATES),
        List.of("table:local.db.t"));
    assertEquals(location("t"), output(insert).location());
    assertEquals("iceberg", output(insert).provider());
    assertEquals(List.of("id:int", "name:string", "region:string"), columns(output(insert)));
    sql("INSERT OVERWRITE local.db.t PARTITION (region = 'eu') SELECT id, name FROM local.db.src",
        List.of(SOURCE), List.of("table:local.db.t"));
    spark.conf().set("spark.sql.sources.partitionOverwriteMode", "dynamic");
    try {
      QueryLineage dynamic = sql("INSERT OVERWRITE local.db.t SELECT * FROM local.db.updates WHERE region = 'us'",
          List.of(UPDATES), List.of("table:local.db.t"));
      assertEquals("OverwritePartitionsDynamic", dynamic.operation());
    } finally {
      spark.conf().unset("spark.sql.sources.partitionOverwriteMode");
    }
  }

  @Test
  void writeToAppendsAndOverwritesPartitionsOfTheCatalogTable() throws Exception {
    spark.table("local.db.updates").writeTo("local.db.t").append();
    assertEquals("AppendData", single(drain(), List.of(UPDATES), List.of("table:local.db.t")).operation());
    spark.table("local.db.src").where("region = 'us'").writeTo("local.db.t").overwritePartitions();
    assertEquals("OverwritePartitionsDynamic",
        single(drain(), List.of(SOURCE), List.of("table:local.db.t")).operation());
    spark.table("local.db.src").where("region = 'eu'").writeTo("local.db.t")
        .overwrite(org.apache.spark.sql.functions.col("region").equalTo("eu"));
    assertEquals("OverwriteByExpression",
        single(drain(), List.of(SOURCE), List.of("table:local.db.t")).operation());
    spark.table("local.db.updates").writeTo("local.db.created").using("iceberg").create();
    QueryLineage created = single(drain(), List.of(UPDATES), List.of("table:local.db.created"));
    assertEquals("CreateTableAsSelect", created.operation());
    assertEquals(List.of("id:int", "name:string", "region:string"), columns(output(created)));
    spark.table("local.db.src").writeTo("local.db.created").using("iceberg").createOrReplace();
    assertEquals("ReplaceTableAsSelect",
        single(drain(), List.of(SOURCE), List.of("table:local.db.created")).operation());
  }

  @Test
  void mergeReadsItsSourceAndTheTargetsRowsAndWritesTheTargetByItsCatalogName() {
    QueryLineage merge = sql("MERGE INTO local.db.t t USING local.db.updates s ON t.id = s.id "
        + "WHEN MATCHED AND s.region = 'us' THEN DELETE WHEN MATCHED THEN UPDATE SET t.name = s.name "
        + "WHEN NOT MATCHED THEN INSERT *", List.of(UPDATES, "table:local.db.t"), List.of("table:local.db.t"));
    assertEquals("ReplaceData", merge.operation());
    TableDataset target = output(merge);
    assertEquals(location("t"), target.location(), "the table's details, not its row-level wrapper's");
    assertEquals("iceberg", target.provider());
    TableDataset read = (TableDataset) merge.inputs().stream().filter(d -> d.key().equals("table:local.db.t"))
        .findFirst().get();
    assertEquals(target.location(), read.location(), "the target read and written is one table");
    assertEquals(columns(target), columns(read));
  }

  @Test
  void mergeThatOnlyInsertsReadsTheTargetForTheMatchAndAppends() {
    QueryLineage merge = sql("MERGE INTO local.db.t t USING local.db.src s ON t.id = s.id "
        + "WHEN NOT MATCHED THEN INSERT *", List.of(SOURCE, "table:local.db.t"), List.of("table:local.db.t"));
    assertEquals("AppendData", merge.operation());
  }

  @Test
  void mergeOnReadWritesDeltasOfTheSameTable() {
    spark.sql("CREATE TABLE local.db.mor (id INT, name STRING, region STRING) USING iceberg TBLPROPERTIES "
        + "('format-version' = '2', 'write.merge.mode' = 'merge-on-read', 'write.update.mode' = 'merge-on-read', "
        + "'write.delete.mode' = 'merge-on-read')").collect();
    spark.sql("INSERT INTO local.db.mor SELECT * FROM local.db.src").collect();
    drain();
    CAPTURED.clearUnknown();
    QueryLineage merge = sql("MERGE INTO local.db.mor t USING local.db.updates s ON t.id = s.id "
        + "WHEN MATCHED THEN UPDATE SET t.name = s.name", List.of(UPDATES, "table:local.db.mor"),
        List.of("table:local.db.mor"));
    assertEquals("WriteDelta", merge.operation());
    assertEquals(location("mor"), output(merge).location());
    QueryLineage update = sql("UPDATE local.db.mor SET name = 'z' WHERE id = 1", List.of("table:local.db.mor"),
        List.of("table:local.db.mor"));
    assertEquals("WriteDelta", update.operation());
    QueryLineage delete = sql("DELETE FROM local.db.mor WHERE id = 2", List.of("table:local.db.mor"),
        List.of("table:local.db.mor"));
    assertEquals("WriteDelta", delete.operation());
  }

  @Test
  void updateReadsTheTablesOfItsConditionsSubquery() {
    QueryLineage update = sql("UPDATE local.db.t SET name = 'x' WHERE id IN (SELECT id FROM local.db.updates "
        + "WHERE region = 'us')", List.of(UPDATES, "table:local.db.t"), List.of("table:local.db.t"));
    assertEquals("ReplaceData", update.operation());
  }

  @Test
  void deleteByPartitionAndRowLevelDeleteReadTheTargetAndDeleteOfAllRowsReadsNothing() {
    // Iceberg drops whole files for a partition filter (the optimizer makes it a metadata-only delete); the
    // analyzed plan Spark hands the listener is the row-level rewrite either way.
    sql("DELETE FROM local.db.t WHERE region = 'us'", List.of("table:local.db.t"), List.of("table:local.db.t"));
    sql("DELETE FROM local.db.t WHERE name IN (SELECT lower(name) FROM local.db.updates)",
        List.of(UPDATES, "table:local.db.t"), List.of("table:local.db.t"));
    spark.sql("CREATE TABLE local.db.scratch USING iceberg AS SELECT * FROM local.db.src").collect();
    drain();
    QueryLineage truncate = sql("DELETE FROM local.db.scratch", Collections.emptyList(),
        List.of("table:local.db.scratch"));
    assertEquals("DeleteFromTable", truncate.operation());
    assertEquals(location("scratch"), output(truncate).location());
  }

  @Test
  void readsOfATableAndOfASnapshotNameTheTable() {
    sql("CREATE TABLE local.db.report USING iceberg AS SELECT region, count(*) AS n FROM local.db.src "
        + "GROUP BY region", List.of(SOURCE), List.of("table:local.db.report"));
    sql("CREATE TABLE local.db.as_of USING iceberg AS SELECT * FROM local.db.updates "
        + "TIMESTAMP AS OF '2999-01-01 00:00:00'", List.of(UPDATES), List.of("table:local.db.as_of"));
    long firstSnapshot = spark.sql("SELECT snapshot_id FROM local.db.updates.snapshots ORDER BY committed_at")
        .first().getLong(0);
    drain();
    sql("CREATE TABLE local.db.version_of USING iceberg AS SELECT * FROM local.db.updates VERSION AS OF "
        + firstSnapshot, List.of(UPDATES), List.of("table:local.db.version_of"));
    sql("CREATE TABLE local.db.snapshot_ids USING iceberg AS SELECT snapshot_id FROM local.db.src.snapshots",
        List.of("table:local.db.src.snapshots"), List.of("table:local.db.snapshot_ids"));
  }

  @Test
  void captureReadsOnlyTheMetadataTheTableHasLoaded() throws Exception {
    // An Iceberg table asked for its properties after a commit reads its metadata again (from the file system
    // here; from the catalog's service elsewhere). The capture must not: it runs on Spark's listener thread.
    LogicalPlan plan = spark.sessionState().sqlParser().parsePlan("INSERT INTO local.db.t SELECT * FROM local.db.src");
    QueryExecution execution = spark.sessionState().executePlan(plan, CommandExecutionMode.SKIP());
    LogicalPlan analyzed = execution.analyzed();
    List<Object> operations = Arrays.asList(operations(Reflect.get(analyzed, "table")),
        operations(analyzed.collectLeaves().head()));
    for (Object ops : operations) {
      setField(ops, "shouldRefresh", true);
    }
    LineageCapture.Result result = new LineageCapture(10_000, 60_000).capture(execution, 1L);
    assertEquals(List.of(SOURCE), keys(result.lineage().inputs()));
    assertEquals(location("t"), output(result.lineage()).location());
    for (Object ops : operations) {
      assertTrue((Boolean) getField(ops, "shouldRefresh"), "the table's metadata was read again by the capture");
    }
  }

  /** Iceberg's own copy-on-write node on Spark 3.4 (iceberg-spark-extensions-3.4): Spark 3.5's ReplaceData's shape. */
  public static final class ReplaceIcebergData {
    private final Object table;
    private final Object query;
    private final Object originalTable;

    ReplaceIcebergData(Object table, Object query, Object originalTable) {
      this.table = table;
      this.query = query;
      this.originalTable = originalTable;
    }

    public Object table() {
      return table;
    }

    public Object query() {
      return query;
    }

    public Object originalTable() {
      return originalTable;
    }
  }

  /** What the capture reads of a QueryExecution. */
  public static final class AnalyzedOnly {
    private final Object analyzed;

    AnalyzedOnly(Object analyzed) {
      this.analyzed = analyzed;
    }

    public Object analyzed() {
      return analyzed;
    }

    public Object sparkSession() {
      return spark;
    }
  }

  @Test
  void icebergsOwnRowLevelNodesOfSpark34AreReadByName() throws Exception {
    LogicalPlan merge = spark.sessionState().sqlParser().parsePlan("MERGE INTO local.db.t t USING local.db.updates s "
        + "ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.name = s.name");
    Object replaceData = spark.sessionState().executePlan(merge, CommandExecutionMode.SKIP()).analyzed();
    assertEquals("ReplaceData", replaceData.getClass().getSimpleName());
    Object node = new ReplaceIcebergData(Reflect.get(replaceData, "table"), Reflect.get(replaceData, "query"),
        Reflect.get(replaceData, "originalTable"));
    LineageCapture.Result result = new LineageCapture(10_000, 60_000).capture(new AnalyzedOnly(node), 1L);
    assertEquals(List.of("table:local.db.t", UPDATES), keys(result.lineage().inputs()));
    assertEquals(List.of("table:local.db.t"), keys(result.lineage().outputs()));
    assertEquals("ReplaceIcebergData", result.lineage().operation());
    assertEquals(location("t"), output(result.lineage()).location());
  }

  /** The Iceberg TableOperations behind a DataSourceV2Relation. */
  private static Object operations(Object relation) throws Exception {
    return getField(getField(Reflect.get(relation, "table"), "icebergTable"), "ops");
  }

  private static Object getField(Object target, String name) throws Exception {
    Field field = findField(target.getClass(), name);
    return field.get(target);
  }

  private static void setField(Object target, String name, Object value) throws Exception {
    findField(target.getClass(), name).set(target, value);
  }

  private static Field findField(Class<?> type, String name) throws NoSuchFieldException {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException e) {
        // the superclass, then
      }
    }
    throw new NoSuchFieldException(name);
  }
}
