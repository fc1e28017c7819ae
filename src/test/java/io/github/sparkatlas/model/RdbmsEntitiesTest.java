package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.atlasrules.PurviewTypes;
import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.redact.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Database tables as Atlas RDBMS entities, and in Purview mode SQL Server tables as Purview's azure_sql_* assets. */
class RdbmsEntitiesTest {
  private static final String APP_ID = "application_1700000000000_0009";
  private static final String SECRET = "Pl4nted-S3cret";


  private static JsonNode message(NamingMode mode, List<? extends Dataset> inputs, List<? extends Dataset> outputs) {
    return message(mode, Redactor.defaults(), inputs, outputs);
  }

  private static JsonNode message(NamingMode mode, Redactor redactor, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(new QueryLineage(APP_ID, "jdbc etl", 1, "SaveIntoDataSourceCommand", "etl", 1_700_000_000_000L,
        inputs, outputs, "plan"));
    Naming naming = new Naming("prod", KafkaNamespaces.none(), mode);
    return NotificationJson.toJson(new SparkEntityFactory(naming, redactor).processNotification(app));
  }

  private static DatabaseTableDataset table(String url, String schema, String table) {
    return DatabaseTableDataset.of(JdbcUrl.parse(url), null, schema, table);
  }

  /** Every entity of a message as type:qualifiedName, top-level and referred. */
  private static TreeSet<String> entities(JsonNode message) {
    TreeSet<String> names = new TreeSet<>();
    message.path("entities").path("entities").forEach(e -> names.add(e.path("typeName").asText() + ":"
        + e.path("attributes").path("qualifiedName").asText()));
    message.path("entities").path("referredEntities").forEach(e -> names.add(e.path("typeName").asText() + ":"
        + e.path("attributes").path("qualifiedName").asText()));
    names.removeIf(name -> name.startsWith("spark_process:"));
    return names;
  }

  private static List<String> atlasViolations(JsonNode message) {
    List<String> violations = new ArrayList<>(AtlasTypeSystem.atlas240().validate(message));
    violations.addAll(AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
        AtlasTypeSystem.sparkModel210rc3()));
    return violations;
  }

  @Test
  void aDatabaseTableIsAnRdbmsTableInItsDbOnItsInstanceAndValidates() {
    JsonNode message = message(NamingMode.ATLAS,
        List.of(table("jdbc:postgresql://PG.local/shop?password=" + SECRET, null, "orders"),
            table("jdbc:postgresql://pg.local:5432/shop", "sales", "Order Lines")),
        List.of(table("jdbc:mysql://scott:" + SECRET + "@my.local/dw", null, "daily")));

    assertEquals(new TreeSet<>(List.of(
        "rdbms_instance:postgresql://pg.local:5432@prod",
        "rdbms_db:postgresql://pg.local:5432/shop@prod",
        "rdbms_table:postgresql://pg.local:5432/shop/public.orders@prod",
        "rdbms_table:postgresql://pg.local:5432/shop/sales.Order Lines@prod",
        "rdbms_instance:mysql://my.local:3306@prod",
        "rdbms_db:mysql://my.local:3306/dw@prod",
        "rdbms_table:mysql://my.local:3306/dw/daily@prod")), entities(message));
    List<String> violations = atlasViolations(message);
    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
    assertFalse(message.toString().contains(SECRET));
    assertFalse(message.toString().contains("scott"));
  }

  @Test
  void aNameTheRedactionRulesCallSecretIsMaskedAlikeInEveryEntity() {
    JsonNode message = message(NamingMode.ATLAS, Redactor.of(null, null, "tenant_[0-9]+"), List.of(),
        List.of(table("jdbc:postgresql://pg/tenant_4711", "tenant_4711", "orders")));
    String masked = "*********(redacted)";
    assertEquals(new TreeSet<>(List.of(
        "rdbms_instance:postgresql://pg:5432@prod",
        "rdbms_db:postgresql://pg:5432/" + masked + "@prod",
        "rdbms_table:postgresql://pg:5432/" + masked + "/" + masked + ".orders@prod")), entities(message));
    assertFalse(message.toString().contains("tenant_4711"));
  }

  @Test
  void atlasRejectsAnRdbmsTableWithoutItsDb() {
    JsonNode message = message(NamingMode.ATLAS, List.of(), List.of(table("jdbc:postgresql://pg/shop", null, "t")));
    message.path("entities").path("entities").forEach(entity -> {
      if ("rdbms_table".equals(entity.path("typeName").asText())) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) entity.path("relationshipAttributes")).remove("db");
      }
    });
    assertFalse(AtlasTypeSystem.atlas240().validate(message).isEmpty(), "the validation is not vacuous");
  }

  @Test
  void purviewModeNamesSqlServerTablesAsPurviewsScannerAndValidatesAgainstItsTypes() {
    JsonNode message = message(NamingMode.PURVIEW,
        List.of(table("jdbc:sqlserver://SqlSvr.Database.Windows.Net:1433;databaseName=SalesDb;password=" + SECRET,
            "SalesLT", "Address"), table("jdbc:postgresql://pg/shop", null, "orders")),
        List.of(table("jdbc:sqlserver://sqlsvr.database.windows.net;databaseName=SalesDb", null, "Totals")));

    assertEquals(new TreeSet<>(List.of(
        "azure_sql_server:mssql://sqlsvr.database.windows.net",
        "azure_sql_db:mssql://sqlsvr.database.windows.net/SalesDb",
        "azure_sql_schema:mssql://sqlsvr.database.windows.net/SalesDb/SalesLT",
        "azure_sql_schema:mssql://sqlsvr.database.windows.net/SalesDb/dbo",
        "azure_sql_table:mssql://sqlsvr.database.windows.net/SalesDb/SalesLT/Address",
        "azure_sql_table:mssql://sqlsvr.database.windows.net/SalesDb/dbo/Totals",
        "rdbms_instance:postgresql://pg:5432@prod",
        "rdbms_db:postgresql://pg:5432/shop@prod",
        "rdbms_table:postgresql://pg:5432/shop/public.orders@prod")), entities(message));
    List<String> violations = PurviewTypes.atlasWithPurview().validate(message);
    assertTrue(violations.isEmpty(), "violations:\n" + String.join("\n", violations));
    assertFalse(message.toString().contains(SECRET));
  }

  @Test
  void aSqlServerUrlWithoutDatabaseStaysAnRdbmsTableInPurviewMode() {
    JsonNode message = message(NamingMode.PURVIEW, List.of(), List.of(table("jdbc:sqlserver://ms", null, "t")));
    assertTrue(entities(message).contains("rdbms_table:sqlserver://ms:1433//dbo.t@prod"), entities(message)::toString);
  }
}
