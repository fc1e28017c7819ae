package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dbtable names read exactly; subqueries and the query option read for their FROM/JOIN tables; the rest reported. */
class JdbcTableNamesTest {
  private static final JdbcUrl POSTGRES = JdbcUrl.parse("jdbc:postgresql://pg:5432/shop");
  private static final JdbcUrl SQLSERVER = JdbcUrl.parse("jdbc:sqlserver://ms;databaseName=Sales");
  private static final JdbcUrl MYSQL = JdbcUrl.parse("jdbc:mysql://my/shop");
  private static final JdbcUrl ORACLE = JdbcUrl.parse("jdbc:oracle:thin:@ora:1521/SALES");

  private static CaptureContext context() {
    return new CaptureContext(SessionDefaults.NONE, System.nanoTime() + 10_000_000_000L);
  }

  private static List<String> names(List<DatabaseTableDataset> tables) {
    List<String> names = new ArrayList<>();
    for (DatabaseTableDataset table : tables) {
      names.add(table.database() + "|" + table.schema() + "|" + table.table());
    }
    Collections.sort(names);
    return names;
  }

  private static List<String> dbtable(JdbcUrl url, String dbtable) {
    return names(JdbcTableNames.ofDbtable(url, dbtable, context()));
  }

  @Test
  void tableNamesAreExactWithDefaultSchemaAndFolding() {
    assertEquals(List.of("shop|public|orders"), dbtable(POSTGRES, "Orders"));
    assertEquals(List.of("shop|sales|orders"), dbtable(POSTGRES, "sales.orders"));
    assertEquals(List.of("shop|My Schema|Order Lines"), dbtable(POSTGRES, "\"My Schema\".\"Order Lines\""));
    assertEquals(List.of("shop|public|say \"hi\""), dbtable(POSTGRES, "\"say \"\"hi\"\"\""));
    assertEquals(List.of("Sales|dbo|Orders"), dbtable(SQLSERVER, "[Orders]"));
    assertEquals(List.of("Archive|hist|Orders"), dbtable(SQLSERVER, "Archive.hist.[Orders]"));
    assertEquals(List.of("other|null|t"), dbtable(MYSQL, "`other`.t"));
    assertEquals(List.of("SALES|HR|EMP"), dbtable(ORACLE, "hr.emp"));
    assertEquals(List.of("SALES|null|EMP"), dbtable(ORACLE, "emp"));
  }

  @Test
  void subqueryAndQueryOptionYieldTheirFromAndJoinTables() {
    assertEquals(List.of("shop|public|customers", "shop|sales|orders"), dbtable(POSTGRES,
        "(select o.id, c.name from sales.orders o join Customers c on c.id = o.customer_id where o.total > 0) t"));
    assertEquals(List.of("shop|public|items"), names(JdbcTableNames.ofQuery(POSTGRES,
        "with recent as (select * from items where ts > now() - interval '1 day') select * from recent",
        context())));
    assertEquals(List.of("Sales|dbo|Orders", "Sales|hist|Old Orders"), names(JdbcTableNames.ofQuery(SQLSERVER,
        "SELECT TOP 10 * FROM [Orders] o LEFT JOIN [hist].[Old Orders] h ON h.id = o.id", context())));
    assertEquals(List.of("shop|public|a", "shop|public|b"), names(JdbcTableNames.ofQuery(POSTGRES,
        "select x from a where x in (select y from b)", context())));
  }

  @Test
  void whatIsNotUnderstoodIsReportedOnceAndLeftOut() {
    CaptureContext context = context();
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, "select from from where", context).isEmpty());
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, "delete from orders", context).isEmpty());
    assertEquals(1, context.gaps().size(), context.gaps()::toString);
    String message = context.gaps().values().iterator().next();
    assertFalse(message.contains("from where"), "the query text is never quoted: " + message);

    CaptureContext tooLong = context();
    StringBuilder query = new StringBuilder("select * from t where a in (");
    while (query.length() <= JdbcTableNames.MAX_QUERY_LENGTH) {
      query.append("1,");
    }
    query.append("1)");
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, query.toString(), tooLong).isEmpty());
    assertTrue(tooLong.gaps().values().iterator().next().contains("longer than"));

    CaptureContext nested = context();
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, "select " + "(".repeat(20) + "1" + ")".repeat(20) + " from t",
        nested).isEmpty());
    assertTrue(nested.gaps().values().iterator().next().contains("nested"));

    CaptureContext badName = context();
    assertTrue(JdbcTableNames.ofDbtable(POSTGRES, "orders o where 1=1", badName).isEmpty());
    assertEquals(1, badName.gaps().size());
  }

  @Test
  void aQueryAtTheLengthLimitParsesQuickly() {
    StringBuilder query = new StringBuilder("select a.x from a join b on a.id = b.id where a.x in (");
    while (query.length() < JdbcTableNames.MAX_QUERY_LENGTH - 10) {
      query.append("'v',");
    }
    query.append("'v')");
    long start = System.nanoTime();
    assertEquals(List.of("shop|public|a", "shop|public|b"),
        names(JdbcTableNames.ofQuery(POSTGRES, query.toString(), context())));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 2_000, "parse of " + query.length() + " chars took " + millis + " ms");
  }
}
