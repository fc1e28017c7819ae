package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.DatabaseDefinition;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.MessageSummary;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The messages of catalog changes as Atlas reads them: through Atlas's own hook message deserializer (envelope,
 * compression, the V2 notification classes of ENTITY_DELETE_V2 and ENTITY_PARTIAL_UPDATE_V2) and type system.
 */
class CatalogChangeNotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SparkEntityFactory entities = new SparkEntityFactory(new Naming("cl1"), Redactor.defaults());
  private final CatalogChangeNotifications changes = new CatalogChangeNotifications(entities);

  private static TableDataset orders() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("team", "etl");
    properties.put("db.password", "hunter2");
    return TableDataset.builder("sales", "orders").provider("parquet")
        .location(URI.create("hdfs://nn/warehouse/sales.db/orders"))
        .columns(List.of(new Column("id", "int", false, null), new Column("amount", "double", true, "in EUR")))
        .properties(properties).build();
  }

  /** Each notification as Atlas's consumer hands it on, after our encoder and Atlas's deserializer. */
  private static List<JsonNode> throughAtlas(List<HookNotification> notifications) {
    NotificationEncoder encoder = new NotificationEncoder(4096, true, "127.0.0.1", "test", "0");
    List<String> records = new ArrayList<>();
    for (HookNotification notification : notifications) {
      records.addAll(encoder.encode("local-1@cl1", NotificationJson.toJson(notification), "user", 1L).records());
    }
    List<JsonNode> decoded = AtlasHookDecoder.decodeAll(records);
    for (JsonNode message : decoded) {
      assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message), () -> "valid for Atlas: " + message);
      assertEquals(List.of(), AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
          AtlasTypeSystem.sparkModel210rc3()), () -> "in Purview's spark model: " + message);
    }
    return decoded;
  }

  private static List<String> summaries(List<JsonNode> messages) {
    return messages.stream().map(MessageSummary::of).toList();
  }

  @Test
  void aRenameMovesEveryColumnTheStorageDescriptorAndTheTableAsAtlasReadsThem() throws Exception {
    TableDataset from = orders();
    List<JsonNode> messages = throughAtlas(changes.tableRenamed("user", from, from.renamed("sales", "orders_v2")));

    assertEquals(List.of(
        "define spark_table:sales.orders@cl1 columns=[id int, amount double] "
            + "parameters={\"team\":\"etl\",\"db.password\":\"*********(redacted)\"}",
        "rename spark_column:sales.orders.id@cl1 -> sales.orders_v2.id@cl1",
        "rename spark_column:sales.orders.amount@cl1 -> sales.orders_v2.amount@cl1",
        "rename spark_storagedesc:sales.orders@cl1_storage -> sales.orders_v2@cl1_storage",
        "rename spark_table:sales.orders@cl1 -> sales.orders_v2@cl1",
        "define spark_table:sales.orders_v2@cl1 columns=[id int, amount double] "
            + "parameters={\"team\":\"etl\",\"db.password\":\"*********(redacted)\"}"),
        summaries(messages));
    JsonNode tableRename = messages.get(4);
    assertEquals("ENTITY_PARTIAL_UPDATE_V2", tableRename.path("type").asText());
    assertEquals("orders_v2", tableRename.path("entity").path("entity").path("attributes").path("name").asText());
  }

  @Test
  void dropsAreDeletesByQualifiedNameOneMessagePerTableAndTheDatabaseLast() {
    TableDataset orders = orders();
    TableDataset totals = TableDataset.builder("sales", "totals").build();
    assertEquals(List.of(
        "delete spark_table:sales.orders@cl1, spark_storagedesc:sales.orders@cl1_storage",
        "delete spark_table:sales.totals@cl1, spark_storagedesc:sales.totals@cl1_storage",
        "delete spark_db:sales@cl1"),
        summaries(throughAtlas(changes.databaseDropped("user", "sales", List.of(orders, totals)))));
  }

  @Test
  void aDatabaseIsDefinedWithItsOwnerAndPropertiesAsAttributes() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("owner", "etl-team");
    properties.put("purpose", "finance");
    JsonNode db = throughAtlas(List.of(changes.databaseDefined("user", new DatabaseDefinition("Sales", "money",
        URI.create("hdfs://nn/warehouse/sales.db"), properties)))).get(0).path("entities").path("entities").get(0);

    assertEquals("sales@cl1", db.path("attributes").path("qualifiedName").asText());
    assertEquals("etl-team", db.path("attributes").path("owner").asText());
    assertEquals("money", db.path("attributes").path("description").asText());
    assertEquals("hdfs://nn/warehouse/sales.db", db.path("attributes").path("location").asText());
    assertEquals("{\"purpose\":\"finance\"}", db.path("attributes").path("parameters").toString());
  }

  @Test
  void hiveTablesDdlIsLeftToTheHiveHookWhenHiveTablesAreNamedAsItNamesThem() {
    CatalogChangeNotifications hiveHook = new CatalogChangeNotifications(
        new SparkEntityFactory(new Naming("cl1").withHiveTables(true), Redactor.defaults()));
    TableDataset hive = TableDataset.builder("sales", "orders").provider("hive").build();
    TableDataset parquet = TableDataset.builder("sales", "totals").provider("parquet").build();

    assertEquals(null, hiveHook.tableDefined("user", hive));
    assertEquals(List.of(), hiveHook.tableRenamed("user", hive, hive.renamed("sales", "orders_v2")));
    assertEquals(1, hiveHook.tablesDropped("user", List.of(hive, parquet)).size(), "only the data source table");
    HookNotification totals = hiveHook.tableDefined("user", parquet);
    assertEquals(1, throughAtlas(List.of(totals)).size(), "a data source table is still the agent's to define");
  }
}
