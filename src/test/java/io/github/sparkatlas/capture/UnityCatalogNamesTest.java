package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.KafkaNamespaces;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.NamingMode;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.junit.jupiter.api.Test;

/**
 * Databricks Unity Catalog tables are DSv2 tables of a catalog other than the session's: they are named
 * {@code <catalog>.<schema>.<table>@<ns>}, as they read in Databricks, and stay spark_tables in every setting. Spark's
 * own {@code Identifier} stands in for Databricks' (no Databricks here); the reading is the one every DSv2 extractor
 * uses.
 */
class UnityCatalogNamesTest {
  private static final CaptureContext CONTEXT = new CaptureContext(SessionDefaults.NONE, Long.MAX_VALUE);

  private static TableDataset v2(String catalog, String[] namespace, String table) {
    return TableReader.v2Table(catalog, Identifier.of(namespace, table), null, CONTEXT);
  }

  @Test
  void aUnityCatalogTableIsNamedByItsThreePartName() {
    TableDataset table = v2("main", new String[] {"Sales"}, "Orders");
    Naming naming = new Naming("cl1", KafkaNamespaces.none(), NamingMode.ATLAS).withHiveTables(true);

    assertEquals("main.sales.orders@cl1", naming.table(table));
    assertEquals("main.sales@cl1", naming.database(table.database()));
    assertEquals("main.sales.orders.id@cl1", naming.column(table, "ID"));
    assertEquals("spark_table", naming.tableType(table));
  }

  @Test
  void theSessionCatalogKeepsTwoPartNames() {
    assertEquals("sales.orders@cl1", new Naming("cl1").table(v2("spark_catalog", new String[] {"sales"}, "orders")));
    assertEquals("sales.orders@cl1", new Naming("cl1").table(v2(null, new String[] {"sales"}, "orders")));
  }

  @Test
  void nestedNamespacesAndCatalogOnlyIdentifiersKeepEveryPart() {
    assertEquals("lake.a.b.t@cl1", new Naming("cl1").table(v2("lake", new String[] {"a", "b"}, "t")));
    assertEquals("lake.t@cl1", new Naming("cl1").table(v2("lake", new String[0], "t")));
  }
}
