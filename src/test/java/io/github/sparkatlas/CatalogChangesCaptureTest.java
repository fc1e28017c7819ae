package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DDL and DROP on the session catalog (here the in-memory one, which Spark wraps in the same event-posting catalog as
 * Hive's) reach the sink as catalog changes, in order with the processes: a real agent on a real in-JVM
 * SparkSession, every message held to Atlas 2.4.0's typedefs.
 */
class CatalogChangesCaptureTest {
  private static Path root;
  private static SparkSession spark;

  private AgentOnSession agent;

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("catalog-changes-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        // A DSv2 catalog other than the session catalog: Spark's own JDBC catalog over an in-memory Derby database.
        .config("spark.sql.catalog.jdbc", "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog")
        .config("spark.sql.catalog.jdbc.url", "jdbc:derby:memory:catalog_changes;create=true")
        .config("spark.sql.catalog.jdbc.driver", "org.apache.derby.jdbc.EmbeddedDriver")
        .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void startAgent() {
    agent = new AgentOnSession(spark, root);
  }

  @AfterEach
  void stopAgent() {
    agent.close();
  }

  private static void sql(String statement) {
    spark.sql(statement).collect();
  }

  private List<String> messages() {
    return agent.messages();
  }

  @Test
  void createAlterRenameAndDropOfATableAreSentOnTheirOwnInOrder() {
    sql("CREATE DATABASE cc");
    sql("CREATE TABLE cc.t1 (a INT, b STRING) USING parquet");
    sql("ALTER TABLE cc.t1 ADD COLUMNS (c INT)");
    sql("ALTER TABLE cc.t1 SET TBLPROPERTIES ('team' = 'etl')");
    assertEquals(List.of(
        "define spark_db:cc@cl1",
        "define spark_table:cc.t1@cl1 columns=[a int, b string]",
        "define spark_table:cc.t1@cl1 columns=[a int, b string, c int]",
        "define spark_table:cc.t1@cl1 columns=[a int, b string, c int] parameters={\"team\":\"etl\"}"),
        messages());

    sql("ALTER TABLE cc.t1 RENAME TO cc.t2");
    assertEquals(List.of(
        "define spark_table:cc.t1@cl1 columns=[a int, b string, c int] parameters={\"team\":\"etl\"}",
        "rename spark_column:cc.t1.a@cl1 -> cc.t2.a@cl1",
        "rename spark_column:cc.t1.b@cl1 -> cc.t2.b@cl1",
        "rename spark_column:cc.t1.c@cl1 -> cc.t2.c@cl1",
        "rename spark_storagedesc:cc.t1@cl1_storage -> cc.t2@cl1_storage",
        "rename spark_table:cc.t1@cl1 -> cc.t2@cl1",
        "define spark_table:cc.t2@cl1 columns=[a int, b string, c int] parameters={\"team\":\"etl\"}"),
        messages());

    sql("DROP TABLE cc.t2");
    sql("DROP TABLE IF EXISTS cc.t2");
    assertEquals(List.of("delete spark_table:cc.t2@cl1, spark_storagedesc:cc.t2@cl1_storage"), messages());
    sql("DROP DATABASE cc");
    assertEquals(List.of("delete spark_db:cc@cl1"), messages());
  }

  @Test
  void aDroppedTableLeavesTheApplicationsLineageAndARenamedOneIsHeldUnderItsNewName() {
    String app = spark.sparkContext().applicationId();
    sql("CREATE TABLE src (id INT) USING parquet");
    sql("CREATE TABLE dst (id INT) USING parquet");
    sql("INSERT INTO dst SELECT id FROM src");
    sql("CREATE TABLE copied USING parquet AS SELECT id FROM src");
    assertEquals(List.of(
        "define spark_table:default.src@cl1 columns=[id int]",
        "define spark_table:default.dst@cl1 columns=[id int]",
        "process in=[spark_table:default.src@cl1] out=[spark_table:default.dst@cl1]",
        "process in=[spark_table:default.src@cl1] out=[spark_table:default.dst@cl1, spark_table:default.copied@cl1]"),
        messages(), "a CTAS's table is sent once, in its process's message");

    sql("DROP TABLE dst");
    sql("ALTER TABLE copied RENAME TO kept");
    sql("INSERT INTO kept SELECT id FROM src");
    sql("CREATE TABLE more USING parquet AS SELECT id FROM kept");
    List<String> messages = messages();
    assertEquals("delete spark_table:default.dst@cl1, spark_storagedesc:default.dst@cl1_storage",
        messages.get(0));
    assertEquals("process in=[spark_table:default.src@cl1] out=[spark_table:default.kept@cl1, "
        + "spark_table:default.more@cl1]", messages.get(messages.size() - 1),
        "no message after the drop names the dropped table, and the renamed one goes by its new name");
    for (String message : messages.subList(1, messages.size())) {
        assertTrue(!message.contains("default.dst@") && !message.contains("process") || !message.contains("copied"),
            message);
    }
    assertTrue(app.length() > 0);
  }

  @Test
  void ddlOnADataSourceV2CatalogIsReadFromTheCommands() {
    sql("CREATE NAMESPACE jdbc.shop");
    sql("CREATE TABLE jdbc.shop.items (id INT)");
    sql("ALTER TABLE jdbc.shop.items ADD COLUMNS (label STRING)");
    // Derby's dialect renames to the unquoted name, which Derby upper-cases.
    sql("ALTER TABLE jdbc.shop.items RENAME TO shop.GOODS");
    sql("DROP TABLE jdbc.shop.GOODS");
    // DROP NAMESPACE is not tried: Derby drops a schema only with RESTRICT, which Spark's JDBC catalog does not say.
    List<String> messages = messages();
    assertEquals(List.of(
        "define spark_db:jdbc.shop@cl1",
        "define spark_table:jdbc.shop.items@cl1 columns=[id int]",
        "define spark_table:jdbc.shop.items@cl1 columns=[id int, label string]",
        "define spark_table:jdbc.shop.items@cl1 columns=[id int, label string]",
        "rename spark_column:jdbc.shop.items.id@cl1 -> jdbc.shop.goods.id@cl1",
        "rename spark_column:jdbc.shop.items.label@cl1 -> jdbc.shop.goods.label@cl1",
        "rename spark_storagedesc:jdbc.shop.items@cl1_storage -> jdbc.shop.goods@cl1_storage",
        "rename spark_table:jdbc.shop.items@cl1 -> jdbc.shop.goods@cl1",
        "define spark_table:jdbc.shop.goods@cl1 columns=[id int, label string]",
        "delete spark_table:jdbc.shop.goods@cl1, spark_storagedesc:jdbc.shop.goods@cl1_storage"),
        messages.stream().map(m -> m.replaceAll(" parameters=\\{[^}]*\\}", "")).toList());
  }

  @Test
  void temporaryViewsAndAbsentTablesSendNothing() {
    sql("CREATE TEMPORARY VIEW temporary_one AS SELECT 1 AS x");
    sql("DROP VIEW temporary_one");
    sql("DROP TABLE IF EXISTS never_there");
    sql("DROP VIEW IF EXISTS never_there_either");
    sql("CREATE TABLE IF NOT EXISTS exists_once (a INT) USING parquet");
    sql("CREATE TABLE IF NOT EXISTS exists_once (b STRING) USING parquet");
    assertEquals(List.of("define spark_table:default.exists_once@cl1 columns=[a int]"), messages());
  }
}
