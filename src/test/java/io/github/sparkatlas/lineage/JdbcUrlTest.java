package io.github.sparkatlas.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each JDBC URL form: the server, port and database it names, and never a user, password or property. */
class JdbcUrlTest {
  private static final String SECRET = "Pl4nted-S3cret";

  private static void assertParsed(String url, String system, String host, int port, String database) {
    JdbcUrl parsed = JdbcUrl.parse(url);
    assertEquals(system, parsed.system(), url);
    assertEquals(host, parsed.host(), url);
    assertEquals(port, parsed.port(), url);
    assertEquals(database, parsed.database(), url);
    assertFalse(parsed.toString().contains(SECRET), parsed::toString);
    assertFalse(parsed.toString().contains("scott"), parsed::toString);
  }

  @Test
  void postgresqlFormsWithDefaultPortAndFirstHost() {
    assertParsed("jdbc:postgresql://DB.Example.com:5433/sales?user=scott&password=" + SECRET,
        "postgresql", "db.example.com", 5433, "sales");
    assertParsed("jdbc:postgresql://db/sales", "postgresql", "db", 5432, "sales");
    assertParsed("jdbc:postgresql://h1:5432,h2:5433/sales?targetServerType=primary", "postgresql", "h1", 5432,
        "sales");
    assertParsed("jdbc:postgresql:sales", "postgresql", "localhost", 5432, "sales");
    assertParsed("jdbc:postgresql://[::1]:5432/sales", "postgresql", "[::1]", 5432, "sales");
    assertParsed("jdbc:postgresql://db:5432/", "postgresql", "db", 5432, null);
    assertEquals("public", JdbcUrl.parse("jdbc:postgresql://db/sales").defaultSchema());
  }

  @Test
  void mysqlAndMariadbDropUserinfoEvenWithSlashOrAtInThePassword() {
    assertParsed("jdbc:mysql://scott:" + SECRET + "@mysql.local:3307/shop?password=" + SECRET,
        "mysql", "mysql.local", 3307, "shop");
    assertParsed("jdbc:mysql://scott:a/b@c" + SECRET + "@mysql.local/shop", "mysql", "mysql.local", 3306, "shop");
    assertParsed("jdbc:mysql:loadbalance://m1:3306,m2:3306/shop", "mysql", "m1", 3306, "shop");
    assertParsed("jdbc:mariadb://maria:3306/shop", "mariadb", "maria", 3306, "shop");
    assertNull(JdbcUrl.parse("jdbc:mysql://m/shop").defaultSchema());
    assertFalse(JdbcUrl.parse("jdbc:mysql://m/shop").hasSchemas());
  }

  @Test
  void sqlServerPropertiesFormAndInstanceName() {
    assertParsed("jdbc:sqlserver://SqlSvr.database.windows.net:1433;databaseName=SalesDb;user=scott;password="
        + SECRET + ";encrypt=true", "sqlserver", "sqlsvr.database.windows.net", 1433, "SalesDb");
    assertParsed("jdbc:sqlserver://mssql\\inst1;database=Hr;password=" + SECRET, "sqlserver", "mssql", 1433, "Hr");
    assertParsed("jdbc:sqlserver://;serverName=mssql;portNumber=1500;databaseName=Hr", "sqlserver", "mssql", 1500,
        "Hr");
    assertParsed("jdbc:jtds:sqlserver://mssql:1433/Hr;user=scott;password=" + SECRET, "sqlserver", "mssql", 1433,
        "Hr");
    assertParsed("jdbc:sqlserver://scott:" + SECRET + "@mssql:1433;databaseName=Hr", "sqlserver", "mssql", 1433,
        "Hr");
    assertEquals("dbo", JdbcUrl.parse("jdbc:sqlserver://mssql;databaseName=Hr").defaultSchema());
  }

  @Test
  void oracleThinForms() {
    assertParsed("jdbc:oracle:thin:@ora.local:1521:ORCL", "oracle", "ora.local", 1521, "ORCL");
    assertParsed("jdbc:oracle:thin:@ora.local:1522/sales.example.com", "oracle", "ora.local", 1522,
        "sales.example.com");
    assertParsed("jdbc:oracle:thin:@//ora.local/SALES", "oracle", "ora.local", 1521, "SALES");
    assertParsed("jdbc:oracle:thin:scott/" + SECRET + "@ora.local:1521/SALES", "oracle", "ora.local", 1521, "SALES");
    assertParsed("jdbc:oracle:thin:scott/\"p@" + SECRET + "\"@ora.local:1521/SALES", "oracle", "ora.local", 1521,
        "SALES");
    assertParsed("jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=Ora.Local)(PORT=1530))"
        + "(CONNECT_DATA=(SERVICE_NAME=SALES)))", "oracle", "ora.local", 1530, "SALES");
    assertParsed("jdbc:oracle:thin:@SALES_TNS", "oracle", "", -1, "SALES_TNS");
    assertNull(JdbcUrl.parse("jdbc:oracle:thin:@ora:1521/S").defaultSchema(), "the user's schema is never read");
  }

  @Test
  void db2DropsItsProperties() {
    assertParsed("jdbc:db2://db2.local:50001/SAMPLE:user=scott;password=" + SECRET + ";", "db2", "db2.local", 50001,
        "SAMPLE");
    assertParsed("jdbc:db2://db2.local/SAMPLE", "db2", "db2.local", 50000, "SAMPLE");
  }

  @Test
  void genericFallbackWithAndWithoutAuthority() {
    assertParsed("jdbc:redshift://RS.example.com:5439/dev;password=" + SECRET, "redshift", "rs.example.com", 5439,
        "dev");
    assertParsed("jdbc:h2:mem:testdb;DB_CLOSE_DELAY=-1;PASSWORD=" + SECRET, "h2:mem", "", -1, "testdb");
    assertParsed("jdbc:sqlite:/data/app.db?password=" + SECRET, "sqlite", "", -1, "/data/app.db");
    assertParsed("jdbc:h2:tcp://scott:" + SECRET + "@h2.local:9092/db", "h2:tcp", "h2.local", 9092, "db");
    assertNull(JdbcUrl.parse("not-a-jdbc-url"));
    assertNull(JdbcUrl.parse(null));
  }

  @Test
  void identifiersFoldAsTheirDatabaseFoldsThem() {
    assertEquals("orders", JdbcUrl.parse("jdbc:postgresql://p/s").fold("Orders", false));
    assertEquals("Orders", JdbcUrl.parse("jdbc:postgresql://p/s").fold("Orders", true));
    assertEquals("ORDERS", JdbcUrl.parse("jdbc:oracle:thin:@o:1521/S").fold("Orders", false));
    assertEquals("Orders", JdbcUrl.parse("jdbc:sqlserver://m;databaseName=d").fold("Orders", false));
  }

  /** Derby, H2 and HSQLDB store an unquoted identifier in upper case, whichever form of URL reaches them. */
  @ParameterizedTest
  @ValueSource(strings = {"jdbc:derby:memory:planted;create=true;user=u;password=p", "jdbc:derby:/data/db",
      "jdbc:derby://db.local:1527/sales", "jdbc:h2:mem:x", "jdbc:h2:~/test", "jdbc:h2:tcp://h2.local:9092/db",
      "jdbc:hsqldb:mem:x", "jdbc:hsqldb:hsql://hs.local/db"})
  void embeddedJavaDatabasesFoldUnquotedIdentifiersToUpperCase(String url) {
    assertEquals("ORDERS", JdbcUrl.parse(url).fold("Orders", false), url);
    assertEquals("Orders", JdbcUrl.parse(url).fold("Orders", true), url);
  }

  @Test
  void aSystemWhoseNameOnlyStartsLikeAnUpperCaseFolderKeepsIdentifiersAsWritten() {
    assertEquals("Orders", JdbcUrl.parse("jdbc:h2o://h/db").fold("Orders", false));
    assertEquals("Orders", JdbcUrl.parse("jdbc:derbyish:x").fold("Orders", false));
  }
}
