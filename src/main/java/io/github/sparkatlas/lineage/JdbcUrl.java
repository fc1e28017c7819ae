package io.github.sparkatlas.lineage;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JDBC URL says about where the data lives: the database system, the server's host and port, the database,
 * and the system's default schema. Only these parts are read; a user, a password or any other property the URL
 * carries ({@code user:pass@}, {@code ;password=}, {@code ?password=}, Oracle's {@code user/pass@}) is skipped, never
 * kept. Omitted ports are the system's default port, so one server has one name however the URL spells it.
 */
public final class JdbcUrl {
  private static final Pattern SUBPROTOCOL = Pattern.compile("(?i)jdbc:([a-z0-9+]+)(?::([a-z]+))?:(.*)",
      Pattern.DOTALL);
  private static final Pattern TNS_HOST = Pattern.compile("(?i)\\(\\s*HOST\\s*=\\s*([^)\\s]+)\\s*\\)");
  private static final Pattern TNS_PORT = Pattern.compile("(?i)\\(\\s*PORT\\s*=\\s*(\\d+)\\s*\\)");
  private static final Pattern TNS_SERVICE = Pattern.compile(
      "(?i)\\(\\s*(?:SERVICE_NAME|SID)\\s*=\\s*([^)\\s]+)\\s*\\)");

  private final String system;
  private final String host;
  private final int port;
  private final String database;

  private JdbcUrl(String system, String host, int port, String database) {
    this.system = system;
    this.host = host == null ? "" : host.toLowerCase(Locale.ROOT);
    this.port = port;
    this.database = database == null || database.isEmpty() ? null : database;
  }

  /** For tests and for callers that know the parts already. */
  public static JdbcUrl of(String system, String host, int port, String database) {
    return new JdbcUrl(system.toLowerCase(Locale.ROOT), host, port, database);
  }

  /**
   * @return the parsed URL; null when the text is not a {@code jdbc:} URL
   */
  public static JdbcUrl parse(String url) {
    if (url == null) {
      return null;
    }
    Matcher m = SUBPROTOCOL.matcher(url.trim());
    if (!m.matches()) {
      return null;
    }
    String sub = m.group(1).toLowerCase(Locale.ROOT);
    String variant = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    String rest = m.group(3);
    switch (sub) {
      case "postgresql":
      case "pgsql":
        return postgres(rest);
      case "mysql":
      case "mysql+srv":
      case "mariadb":
        return authorityForm(sub.startsWith("mariadb") ? "mariadb" : "mysql", rest, 3306);
      case "sqlserver":
        return sqlServer(rest);
      case "jtds":
        return "sqlserver".equals(variant) ? authorityForm("sqlserver", rest, 1433) : generic(sub, variant, rest);
      case "oracle":
        return oracle(rest);
      case "db2":
        return db2(rest);
      default:
        return generic(sub, variant, rest);
    }
  }

  /** {@code //host[:port][,host2...]/db[?props]}, or {@code db} alone (localhost). The first host names it. */
  private static JdbcUrl postgres(String rest) {
    if (!rest.startsWith("//")) {
      String db = cut(rest, "?;");
      return new JdbcUrl("postgresql", "localhost", 5432, db.startsWith("/") ? db.substring(1) : db);
    }
    JdbcUrl parsed = authorityForm("postgresql", rest, 5432);
    return parsed.host.isEmpty() ? new JdbcUrl("postgresql", "localhost", parsed.port, parsed.database) : parsed;
  }

  /**
   * {@code //[userinfo@]host[:port][,more hosts]/database[?;props]}: the userinfo is dropped, the first host names
   * the server.
   */
  private static JdbcUrl authorityForm(String system, String rest, int defaultPort) {
    String text = rest.startsWith("//") ? rest.substring(2) : rest;
    // Userinfo ends at the last @ before the properties: a password may hold '/' or '@'.
    int at = cut(text, "?;").lastIndexOf('@');
    if (at >= 0) {
      text = text.substring(at + 1);
    }
    int slash = text.indexOf('/');
    String authority = cut(slash < 0 ? text : text.substring(0, slash), "?;");
    String path = slash < 0 ? "" : cut(text.substring(slash + 1), "?;");
    int slashInPath = path.indexOf('/');
    String database = slashInPath < 0 ? path : path.substring(0, slashInPath);
    int comma = authority.indexOf(',');
    if (comma >= 0) {
      authority = authority.substring(0, comma);
    }
    String[] hostPort = hostAndPort(authority);
    return new JdbcUrl(system, hostPort[0], port(hostPort[1], defaultPort), decode(database));
  }

  /**
   * {@code //[host][\instance][:port][;property=value]*}; the host, port and database may also be properties
   * ({@code serverName}, {@code portNumber}, {@code databaseName}/{@code database}). The instance name is dropped.
   */
  private static JdbcUrl sqlServer(String rest) {
    String text = rest.startsWith("//") ? rest.substring(2) : rest;
    String[] parts = text.split(";");
    // Not a form the driver documents, but a user:password@ written there must not become the host either.
    String authority = parts[0].substring(parts[0].lastIndexOf('@') + 1);
    String database = null;
    String host = null;
    String port = null;
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = parts[i].substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = parts[i].substring(eq + 1).trim();
      if (key.equals("databasename") || key.equals("database")) {
        database = value;
      } else if (key.equals("servername") || key.equals("server")) {
        host = value;
      } else if (key.equals("portnumber") || key.equals("port")) {
        port = value;
      }
    }
    String[] hostPort = hostAndPort(authority);
    String hostPart = hostPort[0].isEmpty() && host != null ? host : hostPort[0];
    int backslash = hostPart.indexOf('\\');
    if (backslash >= 0) {
      hostPart = hostPart.substring(0, backslash);
    }
    String portPart = hostPort[1] != null ? hostPort[1] : port;
    return new JdbcUrl("sqlserver", hostPart, port(portPart, 1433), database);
  }

  /**
   * Thin and OCI forms: {@code [user/password]@host:port:SID}, {@code @host:port/service},
   * {@code @//host:port/service}, {@code @(DESCRIPTION=...(HOST=..)(PORT=..)...(SERVICE_NAME=..))} and a TNS alias.
   * The database is the SID or service name.
   */
  private static JdbcUrl oracle(String rest) {
    // The last @: a password quoted in the URL may hold one.
    int at = rest.lastIndexOf('@');
    String target = (at >= 0 ? rest.substring(at + 1) : rest).trim();
    if (target.startsWith("(")) {
      Matcher host = TNS_HOST.matcher(target);
      Matcher port = TNS_PORT.matcher(target);
      Matcher service = TNS_SERVICE.matcher(target);
      return new JdbcUrl("oracle", host.find() ? host.group(1) : "", port(port.find() ? port.group(1) : null, 1521),
          service.find() ? service.group(1) : null);
    }
    if (target.startsWith("//")) {
      target = target.substring(2);
    }
    target = cut(target, "?");
    int slash = target.indexOf('/');
    String address = slash < 0 ? target : target.substring(0, slash);
    String service = slash < 0 ? null : target.substring(slash + 1);
    String[] pieces = address.split(":");
    if (pieces.length == 1 && service == null) {
      // A TNS alias: resolved by tnsnames.ora, not by the URL; it is all the URL names.
      return new JdbcUrl("oracle", "", -1, pieces[0]);
    }
    String host = pieces[0];
    String portText = pieces.length > 1 ? pieces[1] : null;
    if (service == null && pieces.length > 2) {
      service = pieces[2];
    }
    return new JdbcUrl("oracle", host, port(portText, 1521), service);
  }

  /** {@code //host[:port]/database[:property=value;...]}. */
  private static JdbcUrl db2(String rest) {
    JdbcUrl parsed = authorityForm("db2", rest, 50000);
    String database = parsed.database == null ? null : cut(parsed.database, ":");
    return new JdbcUrl("db2", parsed.host, parsed.port, database);
  }

  /**
   * Any other driver: {@code //[userinfo@]host[:port]/database...} when the URL has an authority, else what follows
   * the subprotocol up to its first {@code ;} or {@code ?} (an embedded database's name or file).
   */
  private static JdbcUrl generic(String sub, String variant, String rest) {
    String system = variant.isEmpty() ? sub : sub + ":" + variant;
    if (rest.startsWith("//")) {
      return authorityForm(system, rest, -1);
    }
    String database = cut(rest, ";?");
    int at = database.lastIndexOf('@');
    return new JdbcUrl(system, "", -1, at >= 0 ? database.substring(at + 1) : database);
  }

  private static String[] hostAndPort(String authority) {
    String text = authority.trim();
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close > 0) {
        String port = text.length() > close + 2 && text.charAt(close + 1) == ':' ? text.substring(close + 2) : null;
        return new String[] {text.substring(0, close + 1), port};
      }
    }
    int colon = text.lastIndexOf(':');
    return colon < 0 ? new String[] {text, null} : new String[] {text.substring(0, colon), text.substring(colon + 1)};
  }

  private static int port(String text, int defaultPort) {
    if (text == null || text.trim().isEmpty()) {
      return defaultPort;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return defaultPort;
    }
  }

  private static String cut(String text, String stops) {
    for (int i = 0; i < text.length(); i++) {
      if (stops.indexOf(text.charAt(i)) >= 0) {
        return text.substring(0, i);
      }
    }
    return text;
  }

  private static String decode(String text) {
    return text.indexOf('%') < 0 ? text : text.replace("%20", " ");
  }

  /** The database system, lower-case: postgresql, mysql, mariadb, sqlserver, oracle, db2, or the subprotocol. */
  public String system() {
    return system;
  }

  /** Lower-cased; empty when the URL names no host (an embedded database, a TNS alias). */
  public String host() {
    return host;
  }

  /** The port, or the system's default port; -1 when neither is known. */
  public int port() {
    return port;
  }

  /** {@code host:port}, {@code host}, or empty. */
  public String address() {
    if (host.isEmpty()) {
      return "";
    }
    return port < 0 ? host : host + ":" + port;
  }

  /** The database (Oracle: SID or service name); null when the URL leaves it to the server's default. */
  public String database() {
    return database;
  }

  /**
   * The schema a table name without one is in: {@code public} (PostgreSQL's default search path), {@code dbo}
   * (SQL Server). Null where the default is the connecting user's own schema (Oracle, DB2), which is never read,
   * and where the system has no schemas (MySQL, MariaDB: a database is its schema).
   */
  public String defaultSchema() {
    switch (system) {
      case "postgresql":
        return "public";
      case "sqlserver":
        return "dbo";
      default:
        return null;
    }
  }

  /** Whether the system has schemas inside a database ({@code db.table} names a database in MySQL). */
  public boolean hasSchemas() {
    return !system.equals("mysql") && !system.equals("mariadb");
  }

  /**
   * An identifier as the database stores it: a quoted one exactly as written, an unquoted one folded as the system
   * folds it (PostgreSQL to lower case; Oracle, DB2, Derby, H2 and HSQLDB to upper case; others as written).
   * Derby, H2 and HSQLDB come through the generic form, their system being the subprotocol and its variant
   * ({@code derby:memory}, {@code h2:mem}, {@code hsqldb:file}); an H2 URL's own case settings
   * ({@code DATABASE_TO_UPPER=FALSE}) are not read.
   *
   * @param quoted whether the identifier was quoted ({@code "x"}, {@code [x]}, {@code `x`})
   */
  public String fold(String identifier, boolean quoted) {
    if (quoted) {
      return identifier;
    }
    int variant = system.indexOf(':');
    switch (variant < 0 ? system : system.substring(0, variant)) {
      case "postgresql":
        return identifier.toLowerCase(Locale.ROOT);
      case "oracle":
      case "db2":
      case "derby":
      case "h2":
      case "hsqldb":
        return identifier.toUpperCase(Locale.ROOT);
      default:
        return identifier;
    }
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof JdbcUrl)) {
      return false;
    }
    JdbcUrl that = (JdbcUrl) other;
    return system.equals(that.system) && host.equals(that.host) && port == that.port
        && java.util.Objects.equals(database, that.database);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(system, host, port, database);
  }

  /** Only the parts kept: never a user, password or property. */
  @Override
  public String toString() {
    return system + "://" + address() + "/" + (database == null ? "" : database);
  }
}
