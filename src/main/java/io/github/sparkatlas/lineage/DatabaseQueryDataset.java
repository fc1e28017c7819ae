package io.github.sparkatlas.lineage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A JDBC read whose tables are named by a query (the {@code query} option, or a {@code dbtable} subquery), not yet
 * read: the capture only hands the query over (bounded in length), and the agent thread parses it into the
 * {@link DatabaseTableDataset}s it names before anything else sees the record, as it renders plan text there. Never
 * sent. Its key and text never show the query, which may hold literals a user considers secret.
 */
public final class DatabaseQueryDataset extends Dataset {
  private final JdbcUrl server;
  private final String query;
  private final String digest;

  private DatabaseQueryDataset(JdbcUrl server, String query, String digest) {
    this.server = server;
    this.query = query;
    this.digest = digest;
  }

  public static DatabaseQueryDataset of(JdbcUrl server, String query) {
    return new DatabaseQueryDataset(server, query, digest(query));
  }

  public JdbcUrl server() {
    return server;
  }

  /** The query as the job gave it: parse it, never log or send it. */
  public String query() {
    return query;
  }

  @Override
  public String key() {
    return "dbquery:" + server + "#" + digest;
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        hex.append(Character.forDigit((hash[i] >> 4) & 0xf, 16)).append(Character.forDigit(hash[i] & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
