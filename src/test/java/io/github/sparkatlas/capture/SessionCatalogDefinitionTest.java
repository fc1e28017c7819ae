package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A definition read after its table or database was dropped again is none: nothing is sent for it. */
class SessionCatalogDefinitionTest {
  @TempDir
  static Path warehouse;
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[1]").appName("session-catalog-definition-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", warehouse.toString())
        .getOrCreate();
    spark.sql("CREATE DATABASE IF NOT EXISTS scd").collect();
    spark.sql("CREATE TABLE IF NOT EXISTS scd.kept (id INT) USING parquet").collect();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void aTableOrDatabaseGoneByTheTimeItIsReadHasNoDefinition() {
    assertNull(new SessionCatalogDefinition(spark, "scd", "dropped_meanwhile").table());
    assertNull(new SessionCatalogDefinition(spark, "gone_db", "t").table());
    assertNull(new SessionCatalogDefinition(spark, "gone_db", null).database());
  }

  @Test
  void anExistingTableAndDatabaseAreRead() {
    assertEquals("kept", new SessionCatalogDefinition(spark, "scd", "kept").table().table());
    assertEquals("scd", new SessionCatalogDefinition(spark, "scd", null).database().name());
  }
}
