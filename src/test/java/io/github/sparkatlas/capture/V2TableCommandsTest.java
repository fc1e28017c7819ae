package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.databricks.sql.transaction.tahoe.catalog.DeltaTableV2;
import io.github.sparkatlas.lineage.CatalogChange;
import java.lang.reflect.Proxy;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.AddColumns;
import org.apache.spark.sql.catalyst.plans.logical.QualifiedColType;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.collection.immutable.Nil$;

/**
 * An ALTER of a Delta table is read on Spark's listener thread from its command alone: Delta's table in the plan
 * would load its log if asked for its schema or properties (the fake here fails the test if it is), so only its name
 * is taken, and the definition is loaded later, on the agent thread.
 */
class V2TableCommandsTest {
  private static final CaptureContext CONTEXT = new CaptureContext(SessionDefaults.NONE, Long.MAX_VALUE);

  private static TableCatalog catalogNamed(String name) {
    return (TableCatalog) Proxy.newProxyInstance(V2TableCommandsTest.class.getClassLoader(),
        new Class<?>[] {TableCatalog.class}, (proxy, method, args) -> {
          if ("name".equals(method.getName())) {
            return name;
          }
          throw new AssertionError("a catalog call on the listener thread: " + method.getName());
        });
  }

  @SuppressWarnings("unchecked")
  private static CatalogChange alterOf(String catalog) {
    DeltaTableV2 table = new DeltaTableV2(new Path("file:/lake/orders"), Option.empty());
    ResolvedTable target = new ResolvedTable(catalogNamed(catalog), Identifier.of(new String[] {"sales"}, "orders"),
        table, (scala.collection.immutable.Seq<Attribute>) (Object) Nil$.MODULE$);
    AddColumns command = new AddColumns(target,
        (scala.collection.immutable.Seq<QualifiedColType>) (Object) Nil$.MODULE$);
    return V2TableCommands.read(command, "app-1", "ann", CONTEXT);
  }

  @Test
  void anAlterOfADeltaTableInACatalogOfItsOwnNeverAsksTheTableForItsSchema() {
    CatalogChange change = alterOf("lake");
    assertNotNull(change);
    assertEquals(CatalogChange.Kind.TABLE_DEFINED, change.kind());
    assertEquals("lake.sales", change.table().database());
    assertEquals("orders", change.table().table());
  }

  @Test
  void anAlterOfADeltaTableOfTheSessionCatalogIsReadFromItsCommand() {
    CatalogChange change = alterOf("spark_catalog");
    assertNotNull(change, "Delta changes only its log: no catalog event reports the ALTER");
    assertEquals("sales", change.table().database());
    assertEquals("orders", change.table().table());
  }
}
