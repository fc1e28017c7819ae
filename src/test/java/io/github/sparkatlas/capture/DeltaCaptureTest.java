package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delta Lake writes and reads as the capture sees them, with delta-spark 3.3.3 and Delta's catalog on an in-JVM
 * SparkSession: each operation is one write of the Delta table (by its catalog name, or by its root directory for a
 * table known by path), never of its files or {@code _delta_log}.
 */
class DeltaCaptureTest {
  private static Path root;
  private static SparkSession spark;
  private static final CapturedExecutions CAPTURED = new CapturedExecutions();

  @BeforeAll
  static void startSpark() {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark-delta", UUID.randomUUID().toString())
        .toAbsolutePath();
    spark = SparkSession.builder().master("local[1]").appName("delta-capture-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    spark.sparkContext().addSparkListener(CAPTURED);
    spark.range(3).selectExpr("id", "concat('n', id) AS name").write().format("delta").save(path("source"));
    spark.sql("CREATE TABLE customers USING delta AS SELECT id, name FROM delta.`" + path("source") + "`");
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

  private static String path(String name) {
    return root.resolve(name).toString();
  }

  private static String file(String name) {
    return "path:file:" + root.resolve(name);
  }

  private static List<QueryLineage> drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    return CAPTURED.drain();
  }

  private static List<QueryLineage> sql(String statement) {
    spark.sql(statement).collect();
    return drain();
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  /** The operation is one lineage record, of these datasets, and nothing was left unread. */
  private static QueryLineage single(List<QueryLineage> captured, List<String> inputs, List<String> outputs) {
    assertEquals(1, captured.size(), () -> "one record: " + captured + ", uncaptured "
        + CAPTURED.uncapturedCommands() + ", unknown " + CAPTURED.unknownNodes());
    QueryLineage lineage = captured.get(0);
    assertEquals(inputs.stream().sorted().collect(Collectors.toList()), keys(lineage.inputs()), "inputs");
    assertEquals(outputs, keys(lineage.outputs()), "outputs");
    assertTrue(CAPTURED.unknownNodes().isEmpty(), () -> "unknown nodes: " + CAPTURED.unknownNodes());
    assertTrue(CAPTURED.uncapturedCommands().isEmpty(), () -> "uncaptured: " + CAPTURED.uncapturedCommands());
    for (Dataset dataset : lineage.inputs()) {
      assertFalse(dataset.key().contains("_delta_log") || dataset.key().contains(".parquet"), dataset.key());
    }
    return lineage;
  }

  private static void createTable(String name) {
    sql("CREATE OR REPLACE TABLE " + name + " USING delta AS SELECT id, name FROM customers");
  }

  private static void createPathTable(String name) {
    spark.table("customers").write().format("delta").mode("overwrite").save(path(name));
    drain();
  }

  @Test
  void saveByPathWritesTheTableRootAndLoadByPathReadsIt() {
    spark.read().format("delta").load(path("source")).write().format("delta").mode("overwrite")
        .save(path("by_path"));
    single(drain(), List.of(file("source")), List.of(file("by_path")));
  }

  @Test
  void saveAsTableThroughDeltasCatalogWritesTheTableByName() {
    spark.read().format("delta").load(path("source")).write().format("delta").saveAsTable("saved");
    single(drain(), List.of(file("source")), List.of("table:default.saved"));
    spark.table("customers").write().format("delta").mode("overwrite").saveAsTable("saved");
    single(drain(), List.of("table:default.customers"), List.of("table:default.saved"));
  }

  @Test
  void ctasAndRtasWriteTheTableByName() {
    single(sql("CREATE TABLE ctas USING delta AS SELECT * FROM customers WHERE id > 0"),
        List.of("table:default.customers"), List.of("table:default.ctas"));
    single(sql("CREATE OR REPLACE TABLE ctas USING delta AS SELECT * FROM delta.`" + path("source") + "`"),
        List.of(file("source")), List.of("table:default.ctas"));
  }

  @Test
  void ctasIntoAPathIdentifierWritesThePathNotATableNamedDelta() {
    single(sql("CREATE TABLE delta.`" + path("ctas_path") + "` USING delta AS SELECT * FROM customers"),
        List.of("table:default.customers"), List.of(file("ctas_path")));
  }

  @Test
  void insertIntoATableByNameCarriesItsLocationAndTheColumnsThePlanResolved() {
    createTable("inserted");
    QueryLineage lineage = single(sql("INSERT INTO inserted SELECT * FROM delta.`" + path("source") + "`"),
        List.of(file("source")), List.of("table:default.inserted"));
    TableDataset table = (TableDataset) lineage.outputs().get(0);
    assertEquals("delta", table.provider());
    assertEquals("file:" + root.resolve("warehouse/inserted"), String.valueOf(table.location()));
    assertEquals(List.of("id", "name"), table.columns().stream().map(Column::name).collect(Collectors.toList()));
  }

  @Test
  void aTableReadByNameCarriesTheColumnsThePlanResolved() {
    QueryLineage lineage = single(sql("CREATE TABLE read_by_name USING delta AS SELECT * FROM customers"),
        List.of("table:default.customers"), List.of("table:default.read_by_name"));
    TableDataset customers = (TableDataset) lineage.inputs().get(0);
    assertEquals(List.of("id", "name"), customers.columns().stream().map(Column::name).collect(Collectors.toList()));
    assertEquals("file:" + root.resolve("warehouse/customers"), String.valueOf(customers.location()));
  }

  @Test
  void insertIntoAndOverwriteOfAPathTableWriteItsRootNotATableNamedDelta() {
    createPathTable("insert_path");
    single(sql("INSERT INTO delta.`" + path("insert_path") + "` SELECT * FROM customers"),
        List.of("table:default.customers"), List.of(file("insert_path")));
    single(sql("INSERT OVERWRITE delta.`" + path("insert_path") + "` SELECT * FROM delta.`" + path("source") + "`"),
        List.of(file("source")), List.of(file("insert_path")));
  }

  @Test
  void mergeWritesTheTargetAndReadsTheSourceAndTheTarget() {
    createTable("merge_target");
    single(sql("MERGE INTO merge_target t USING (SELECT id + 1 AS id, name FROM delta.`" + path("source") + "`) s"
            + " ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT *"),
        List.of(file("source"), "table:default.merge_target"), List.of("table:default.merge_target"));
  }

  @Test
  void mergeIntoAPathTableWritesItsRoot() {
    createPathTable("merge_path");
    single(sql("MERGE INTO delta.`" + path("merge_path") + "` t USING customers s ON t.id = s.id"
            + " WHEN NOT MATCHED THEN INSERT *"),
        List.of("table:default.customers", file("merge_path")), List.of(file("merge_path")));
  }

  @Test
  void updateAndDeleteWriteTheTableTheyRewrite() {
    createTable("dml");
    single(sql("UPDATE dml SET name = 'x' WHERE id = 1"), List.of("table:default.dml"),
        List.of("table:default.dml"));
    single(sql("DELETE FROM dml WHERE id = 2"), List.of("table:default.dml"), List.of("table:default.dml"));
    createPathTable("dml_path");
    single(sql("UPDATE delta.`" + path("dml_path") + "` SET name = 'y' WHERE id = 0"), List.of(file("dml_path")),
        List.of(file("dml_path")));
    single(sql("DELETE FROM delta.`" + path("dml_path") + "` WHERE id = 0"), List.of(file("dml_path")),
        List.of(file("dml_path")));
  }

  @Test
  void theDeltaTableApiIsCapturedLikeSql() {
    createTable("api_target");
    DeltaTable.forName(spark, "api_target").as("t").merge(spark.read().format("delta").load(path("source")).as("s"),
        "t.id = s.id").whenMatched().updateAll().whenNotMatched().insertAll().execute();
    single(drain(), List.of(file("source"), "table:default.api_target"), List.of("table:default.api_target"));
    createPathTable("api_path");
    DeltaTable.forPath(spark, path("api_path")).updateExpr("id = 1", Collections.singletonMap("name", "'z'"));
    single(drain(), List.of(file("api_path")), List.of(file("api_path")));
    DeltaTable.forPath(spark, path("api_path")).delete("id = 1");
    single(drain(), List.of(file("api_path")), List.of(file("api_path")));
  }

  @Test
  void dynamicPartitionOverwriteWritesTheTable() throws Exception {
    spark.table("customers").selectExpr("id", "name", "id % 2 AS part").write().format("delta")
        .partitionBy("part").saveAsTable("partitioned");
    drain();
    spark.table("customers").selectExpr("id", "name", "id % 2 AS part").writeTo("partitioned")
        .overwritePartitions();
    single(drain(), List.of("table:default.customers"), List.of("table:default.partitioned"));
  }

  @Test
  void timeTravelReadsNameTheTableItself() {
    createTable("travel");
    single(sql("INSERT INTO travel SELECT * FROM customers VERSION AS OF 0"), List.of("table:default.customers"),
        List.of("table:default.travel"));
    spark.read().format("delta").option("versionAsOf", 0).load(path("source")).write().format("delta")
        .mode("append").saveAsTable("travel");
    single(drain(), List.of(file("source")), List.of("table:default.travel"));
    single(sql("INSERT INTO travel SELECT * FROM delta.`" + path("source") + "@v0`"), List.of(file("source")),
        List.of("table:default.travel"));
  }
}
