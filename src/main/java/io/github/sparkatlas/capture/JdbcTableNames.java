package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.DatabaseQueryDataset;
import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * The tables a JDBC source or sink names. A {@code dbtable} that is a table name is read exactly (quoted parts kept
 * as written, unquoted ones folded as the database folds them); a {@code dbtable} subquery ({@code (select ...) t})
 * or the {@code query} option yields the tables its FROM and JOIN clauses name, read by JSqlParser (bundled,
 * relocated). Whatever is not understood is left out and reported once, never guessed.
 *
 * <p>The parser runs on the agent thread ({@link JdbcQueries}), never on a listener thread: its time grows with the
 * text (hundreds of milliseconds for a 10,000-character IN list on a loaded machine). It is bounded by length and
 * parenthesis nesting (checked at capture), runs without the worker thread JSqlParser's convenience methods start,
 * and only in its simple (non-backtracking) mode.
 */
final class JdbcTableNames {
  /** Longer query texts are not parsed: the time a parse takes grows with its text. */
  static final int MAX_QUERY_LENGTH = 10_000;
  /** JSqlParser's own limit, past which its parse time can grow steeply. */
  static final int MAX_NESTING_DEPTH = 10;

  private static final String GAP_KEY = "jdbc-query";
  private static final String GAP = "spark-atlas-agent: a JDBC read's query (the query option, or a subquery in "
      + "dbtable) could not be read for the tables it names (%s); those tables are missing from the lineage, "
      + "never guessed (reported once)";

  private JdbcTableNames() {
  }

  /**
   * What a {@code dbtable} value reads: the table it names, or, for a subquery, the query, which the agent thread
   * parses ({@link #tablesOf}).
   */
  static List<Dataset> ofDbtable(JdbcUrl url, String dbtable, BiConsumer<String, String> gaps) {
    String text = dbtable.trim();
    if (text.startsWith("(")) {
      int close = matchingParenthesis(text);
      if (close < 0) {
        return unrecognised(gaps, "unbalanced parentheses");
      }
      return ofQuery(url, text.substring(1, close), gaps);
    }
    DatabaseTableDataset table = tableName(url, text);
    if (table == null) {
      gaps.accept("jdbc-dbtable", "spark-atlas-agent: a JDBC dbtable option is neither a table name nor a "
          + "parenthesised subquery; its table is missing from the lineage, never guessed (reported once)");
      return Collections.emptyList();
    }
    return Collections.<Dataset>singletonList(table);
  }

  /**
   * A query handed over to the agent thread, when it is within the parser's bounds (checked here, cheaply: its
   * length and its parenthesis nesting).
   */
  static List<Dataset> ofQuery(JdbcUrl url, String query, BiConsumer<String, String> gaps) {
    if (query.length() > MAX_QUERY_LENGTH) {
      return unrecognised(gaps, "longer than " + MAX_QUERY_LENGTH + " characters");
    }
    if (CCJSqlParserUtil.getNestingDepth(query) > MAX_NESTING_DEPTH) {
      return unrecognised(gaps, "parentheses nested deeper than " + MAX_NESTING_DEPTH);
    }
    return Collections.<Dataset>singletonList(DatabaseQueryDataset.of(url, query));
  }

  /** On the agent thread: the tables the FROM and JOIN clauses of a query name (CTE names excluded). */
  static List<DatabaseTableDataset> tablesOf(DatabaseQueryDataset read, BiConsumer<String, String> gaps) {
    JdbcUrl url = read.server();
    Statement statement;
    try {
      CCJSqlParser parser = CCJSqlParserUtil.newParser(read.query())
          .withAllowComplexParsing(false)
          .withSquareBracketQuotation("sqlserver".equals(url.system()));
      statement = parser.Statement();
    } catch (Exception | StackOverflowError e) {
      // The exception's message quotes the query: only its kind is reported.
      unrecognised(gaps, "not parsed by JSqlParser: " + e.getClass().getSimpleName());
      return Collections.emptyList();
    }
    if (!(statement instanceof Select)) {
      unrecognised(gaps, "not a SELECT");
      return Collections.emptyList();
    }
    Set<String> names = new TablesNamesFinder().getTables(statement);
    List<DatabaseTableDataset> tables = new ArrayList<>();
    for (String name : names) {
      DatabaseTableDataset table = tableName(url, name);
      if (table == null) {
        // A database link (t@link), or a name of more parts than a table has.
        gaps.accept(GAP_KEY + "-name", String.format(GAP, "a table reference that is not a plain table name"));
      } else {
        tables.add(table);
      }
    }
    return tables;
  }

  private static List<Dataset> unrecognised(BiConsumer<String, String> gaps, String why) {
    gaps.accept(GAP_KEY, String.format(GAP, why));
    return Collections.emptyList();
  }

  /**
   * A table name of one to three parts ({@code table}, {@code schema.table}, {@code database.schema.table}; in
   * MySQL {@code database.table}), each part plain or quoted; null for anything else.
   */
  static DatabaseTableDataset tableName(JdbcUrl url, String name) {
    List<String[]> parts = split(name);
    if (parts == null || parts.isEmpty()) {
      return null;
    }
    List<String> folded = new ArrayList<>(parts.size());
    for (String[] part : parts) {
      folded.add(url.fold(part[0], part[1] != null));
    }
    String table = folded.get(folded.size() - 1);
    if (!url.hasSchemas()) {
      return parts.size() > 2 ? null : DatabaseTableDataset.of(url, parts.size() == 2 ? folded.get(0) : null, null,
          table);
    }
    switch (parts.size()) {
      case 1:
        return DatabaseTableDataset.of(url, null, null, table);
      case 2:
        return DatabaseTableDataset.of(url, null, folded.get(0), table);
      case 3:
        return DatabaseTableDataset.of(url, folded.get(0), folded.get(1), table);
      default:
        return null;
    }
  }

  /**
   * The dot-separated parts of a name, each as {text, quote} (quote null when unquoted); null when the name is not
   * made of identifiers only. Quotes: {@code "x"} (a doubled {@code ""} inside), {@code [x]} and {@code `x`}.
   */
  static List<String[]> split(String name) {
    List<String[]> parts = new ArrayList<>();
    String text = name.trim();
    int i = 0;
    while (i <= text.length()) {
      if (i == text.length()) {
        return null;
      }
      char c = text.charAt(i);
      String part;
      String quote = null;
      if (c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        StringBuilder sb = new StringBuilder();
        int j = i + 1;
        while (true) {
          if (j >= text.length()) {
            return null;
          }
          char d = text.charAt(j);
          if (d == close) {
            if (j + 1 < text.length() && text.charAt(j + 1) == close) {
              sb.append(close);
              j += 2;
              continue;
            }
            break;
          }
          sb.append(d);
          j++;
        }
        part = sb.toString();
        quote = String.valueOf(c);
        i = j + 1;
      } else {
        int j = i;
        while (j < text.length() && isIdentifierChar(text.charAt(j))) {
          j++;
        }
        if (j == i) {
          return null;
        }
        part = text.substring(i, j);
        i = j;
      }
      if (part.isEmpty()) {
        return null;
      }
      parts.add(new String[] {part, quote});
      if (i == text.length()) {
        return parts;
      }
      if (text.charAt(i) != '.') {
        return null;
      }
      i++;
    }
    return null;
  }

  private static boolean isIdentifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '#';
  }

  /** The index of the parenthesis closing the one at 0, outside quotes and string literals; -1 when none. */
  private static int matchingParenthesis(String text) {
    int depth = 0;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"' || c == '`') {
        quote = c;
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
