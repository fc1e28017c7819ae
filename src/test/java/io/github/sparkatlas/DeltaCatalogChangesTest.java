package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DDL and DROP of Delta tables through Delta's catalog as the session catalog: Delta keeps a table's schema in its log
 * (the metastore entry has none) and changes only its log on ALTER (no catalog event), yet each change reaches the
 * sink with the table's columns. A real agent on a real in-JVM SparkSession with delta-spark.
 */
class DeltaCatalogChangesTest {
  private static Path root;
  private static SparkSession spark;

  private AgentOnSession agent;

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("delta-catalog-changes-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
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
  void aDeltaTableCreatedWithoutAQueryIsDefinedWithTheColumnsAndPropertiesOfItsLog() {
    sql("CREATE TABLE dc_created (id BIGINT, reason STRING) USING delta TBLPROPERTIES ('team' = 'etl')");
    List<String> created = messages();
    assertEquals(List.of("define spark_table:default.dc_created@cl1 columns=[id bigint, reason string]"),
        withoutParameters(created));
    assertTrue(created.get(0).contains("\"team\":\"etl\""), () -> "its properties, from its log: " + created);
    sql("DROP TABLE dc_created");
    assertEquals(List.of("delete spark_table:default.dc_created@cl1, spark_storagedesc:default.dc_created@cl1_storage"),
        messages());
  }

  @Test
  void alteringADeltaTableDefinesItAgainThoughNoCatalogEventReportsIt() {
    sql("CREATE TABLE dc_altered (id BIGINT) USING delta");
    messages();
    sql("ALTER TABLE dc_altered ADD COLUMNS (amount DOUBLE)");
    sql("ALTER TABLE dc_altered SET TBLPROPERTIES ('team' = 'etl')");
    List<String> altered = messages();
    assertEquals(List.of(
        "define spark_table:default.dc_altered@cl1 columns=[id bigint, amount double]",
        "define spark_table:default.dc_altered@cl1 columns=[id bigint, amount double]"),
        withoutParameters(altered));
    assertTrue(altered.get(1).contains("\"team\":\"etl\""), altered::toString);
    sql("DROP TABLE dc_altered");
  }

  @Test
  void ddlOfADeltaTableKnownByPathSendsNothing() {
    String table = "delta.`" + root.resolve("by-path") + "`";
    sql("CREATE TABLE " + table + " (id BIGINT) USING delta");
    sql("ALTER TABLE " + table + " ADD COLUMNS (amount DOUBLE)");
    assertEquals(List.of(), messages(), "a table known by path has no catalog entry to define");
  }

  private static List<String> withoutParameters(List<String> summaries) {
    List<String> out = new ArrayList<>();
    for (String summary : summaries) {
      out.add(summary.replaceAll(" parameters=\\{[^}]*\\}", ""));
    }
    return out;
  }
}
