package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Databricks mount table and the Hive table type: good values read, a bad one refused naming its key. */
class NamingSettingsConfigTest {

  @Test
  void aMountTableAndTheHiveTableTypeAreRead() {
    AgentConfig config = AgentConfig.of(Map.of("atlas.spark.databricks.mounts",
        "/mnt/raw=abfss://raw@acct.dfs.core.windows.net/", "atlas.spark.hive.table.type", "HIVE_TABLE"), "test");

    assertEquals("/mnt/raw=abfss://raw@acct.dfs.core.windows.net/", config.get(AgentConfigDef.DATABRICKS_MOUNTS));
    assertEquals("hive_table", config.get(AgentConfigDef.HIVE_TABLE_TYPE));
  }

  @Test
  void theDefaultsAreNoMountsAndSparkTables() {
    AgentConfig config = AgentConfig.of(Map.of(), "test");

    assertEquals(null, config.get(AgentConfigDef.DATABRICKS_MOUNTS));
    assertEquals("spark_table", config.get(AgentConfigDef.HIVE_TABLE_TYPE));
  }

  @Test
  void aBadMountTableIsAConfigurationErrorNamingTheKeyAndTheEntry() {
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.of(
        Map.of("atlas.spark.databricks.mounts", "/mnt/raw=abfss://raw@acct.dfs.core.windows.net/,/mnt/lake"),
        "test"));

    assertTrue(e.getMessage().startsWith("atlas.spark.databricks.mounts: "), e.getMessage());
    assertTrue(e.getMessage().contains("/mnt/lake"), e.getMessage());
  }

  @Test
  void anUnknownHiveTableTypeIsAConfigurationError() {
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.of(
        Map.of("atlas.spark.hive.table.type", "hive"), "test"));

    assertTrue(e.getMessage().contains("atlas.spark.hive.table.type"), e.getMessage());
  }
}
