package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.DatabaseQueryDataset;
import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** dbtable names read exactly; subqueries and the query option read for their FROM/JOIN tables; the rest reported. */
class JdbcTableNamesTest {
  private static final JdbcUrl POSTGRES = JdbcUrl.parse("jdbc:postgresql://pg:5432/shop");
  private static final JdbcUrl SQLSERVER = JdbcUrl.parse("jdbc:sqlserver://ms;databaseName=Sales");
  private static final JdbcUrl MYSQL = JdbcUrl.parse("jdbc:mysql://my/shop");
  private static final JdbcUrl ORACLE = JdbcUrl.parse("jdbc:oracle:thin:@ora:1521/SALES");

  /** The gaps reported, once per key, as the agent's WARN lines say them. */
  private static final class Gaps implements BiConsumer<String, String> {
    final Map<String, String> reported = new LinkedHashMap<>();

    @Override
    public void accept(String key, String message) {
      reported.putIfAbsent(key, message);
    }
  }

  /** What the capture hands over, resolved as the agent thread resolves it. */
  private static List<String> read(List<Dataset> captured, Gaps gaps) {
    List<String> names = new ArrayList<>();
    for (Dataset dataset : captured) {
      List<DatabaseTableDataset> tables = dataset instanceof DatabaseQueryDataset
          ? JdbcTableNames.tablesOf((DatabaseQueryDataset) dataset, gaps)
          : List.of((DatabaseTableDataset) dataset);
      for (DatabaseTableDataset table : tables) {
        names.add(table.database() + "|" + table.schema() + "|" + table.table());
      }
    }
    Collections.sort(names);
    return names;
  }

  private static List<String> dbtable(JdbcUrl url, String dbtable) {
    Gaps gaps = new Gaps();
    return read(JdbcTableNames.ofDbtable(url, dbtable, gaps), gaps);
  }

  private static List<String> query(JdbcUrl url, String query, Gaps gaps) {
    return read(JdbcTableNames.ofQuery(url, query, gaps), gaps);
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
    assertEquals(List.of("planted|null|PLANTED"), dbtable(JdbcUrl.parse("jdbc:derby:memory:planted;create=true"),
        "planted"));
    assertEquals(List.of("x|APP|Mixed"), dbtable(JdbcUrl.parse("jdbc:h2:mem:x"), "app.\"Mixed\""));
  }

  @Test
  void subqueryAndQueryOptionYieldTheirFromAndJoinTables() {
    assertEquals(List.of("shop|public|customers", "shop|sales|orders"), dbtable(POSTGRES,
        "(select o.id, c.name from sales.orders o join Customers c on c.id = o.customer_id where o.total > 0) t"));
    assertEquals(List.of("shop|public|items"), query(POSTGRES,
        "with recent as (select * from items where ts > now() - interval '1 day') select * from recent", new Gaps()));
    assertEquals(List.of("Sales|dbo|Orders", "Sales|hist|Old Orders"), query(SQLSERVER,
        "SELECT TOP 10 * FROM [Orders] o LEFT JOIN [hist].[Old Orders] h ON h.id = o.id", new Gaps()));
    assertEquals(List.of("shop|public|a", "shop|public|b"), query(POSTGRES,
        "select x from a where x in (select y from b)", new Gaps()));
  }

  @Test
  void whatIsNotUnderstoodIsReportedOnceAndLeftOut() {
    Gaps gaps = new Gaps();
    assertTrue(query(POSTGRES, "select from from where", gaps).isEmpty());
    assertTrue(query(POSTGRES, "delete from orders", gaps).isEmpty());
    assertEquals(1, gaps.reported.size(), gaps.reported::toString);
    String message = gaps.reported.values().iterator().next();
    assertFalse(message.contains("from where"), "the query text is never quoted: " + message);

    Gaps tooLong = new Gaps();
    StringBuilder query = new StringBuilder("select * from t where a in (");
    while (query.length() <= JdbcTableNames.MAX_QUERY_LENGTH) {
      query.append("1,");
    }
    query.append("1)");
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, query.toString(), tooLong).isEmpty(), "not handed over");
    assertTrue(tooLong.reported.values().iterator().next().contains("longer than"));

    Gaps nested = new Gaps();
    assertTrue(JdbcTableNames.ofQuery(POSTGRES, "select " + "(".repeat(20) + "1" + ")".repeat(20) + " from t",
        nested).isEmpty(), "not handed over");
    assertTrue(nested.reported.values().iterator().next().contains("nested"));

    Gaps badName = new Gaps();
    assertTrue(JdbcTableNames.ofDbtable(POSTGRES, "orders o where 1=1", badName).isEmpty());
    assertEquals(1, badName.reported.size());

    Gaps dbLink = new Gaps();
    assertEquals(List.of("shop|public|t"), query(POSTGRES, "select * from t join s.u@remote on true", dbLink));
    assertTrue(dbLink.reported.values().iterator().next().contains("not a plain table name"), dbLink.reported::toString);
  }

  @Test
  void theCaptureHandsAQueryOverUnparsedAndItsKeyNeverShowsIt() {
    Gaps gaps = new Gaps();
    List<Dataset> captured = JdbcTableNames.ofQuery(POSTGRES, "select * from orders where card = '4111-SECRET'", gaps);
    assertEquals(1, captured.size());
    assertTrue(captured.get(0) instanceof DatabaseQueryDataset, "parsed later, on the agent thread");
    assertFalse(captured.get(0).key().contains("4111") || captured.get(0).toString().contains("4111"));
    assertTrue(gaps.reported.isEmpty());
  }

  @Test
  void aQueryAtTheLengthLimitParsesQuickly() {
    StringBuilder query = new StringBuilder("select a.x from a join b on a.id = b.id where a.x in (");
    while (query.length() < JdbcTableNames.MAX_QUERY_LENGTH - 10) {
      query.append("'v',");
    }
    query.append("'v')");
    long start = System.nanoTime();
    assertEquals(List.of("shop|public|a", "shop|public|b"), query(POSTGRES, query.toString(), new Gaps()));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 2_000, "parse of " + query.length() + " chars took " + millis + " ms");
  }
}
