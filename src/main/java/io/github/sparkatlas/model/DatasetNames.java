package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.lineage.TopicDataset;
import io.github.sparkatlas.redact.Redactor;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The names a dataset is sent under (qualifiedName, name, path, database, columns), after the same redaction as
 * plan text: a path or table name can hold what a redaction rule calls secret (a tenant, a customer, a key in a
 * directory name). Each name is redacted whole, once, and its masked form is used in every attribute built from it,
 * so an entity's qualifiedName, name and path agree; redaction is deterministic, so a dataset keeps the same names
 * in every message. A name no rule matches is exactly what Atlas's own hooks would call it.
 */
final class DatasetNames {
  private final Naming naming;
  private final Redactor redactor;

  private final CloudPathEntities paths;

  DatasetNames(Naming naming, Redactor redactor) {
    this.naming = naming;
    this.redactor = redactor;
    this.paths = new CloudPathEntities(naming.mode(), naming.namespace());
  }

  /** The names of a table, its database and its storage descriptor. */
  static final class Table {
    final String database;
    final String table;
    final String qualifiedName;
    final String databaseQualifiedName;
    final String storageQualifiedName;

    private Table(String database, String table, Naming naming) {
      this.database = database;
      this.table = table;
      this.qualifiedName = naming.table(database, table);
      this.databaseQualifiedName = naming.database(database);
      this.storageQualifiedName = naming.storageDescriptor(database, table);
    }
  }

  /** The names of a Kafka topic: the topic as written (case kept) and its qualifiedName. */
  static final class Topic {
    final String topic;
    final String qualifiedName;

    private Topic(String topic, String qualifiedName) {
      this.topic = topic;
      this.qualifiedName = qualifiedName;
    }
  }

  /** The names of a column: its name, and the qualifiedName built from it. */
  static final class Column {
    final String name;
    final String qualifiedName;

    private Column(String name, String qualifiedName) {
      this.name = name;
      this.qualifiedName = qualifiedName;
    }
  }

  /**
   * The entity a path is sent as, with the parents its type requires, named by the naming mode; a path under a
   * configured Databricks mount is named as the cloud path it stands for.
   */
  PathEntity path(PathDataset dataset) {
    URI uri = naming.mounts().resolve(dataset.uri());
    String text = uriText(uri);
    if (text.equals(uri.toString())) {
      String rawPath = uri.getPath();
      return paths.of(text, rawPath == null || rawPath.isEmpty() ? text : rawPath);
    }
    return paths.of(text, pathPart(text));
  }

  Table table(TableDataset dataset) {
    String database = redactor.redact(dataset.database());
    String table = redactor.redact(dataset.table());
    String joined = database + "." + table;
    String masked = redactor.redact(joined);
    if (masked != joined) {
      // A rule matched across the dot: its mask stands for both parts.
      int dot = masked.indexOf('.');
      database = dot < 0 ? masked : masked.substring(0, dot);
      table = dot < 0 ? masked : masked.substring(dot + 1);
    }
    return new Table(database, table, naming);
  }

  /** A column of {@code table}: qualifiedNames are lower-case, so the lower-case form is redacted as well. */
  Column column(Table table, String column) {
    String name = redactor.redact(column);
    String lower = name.toLowerCase(Locale.ROOT);
    String maskedLower = redactor.redact(lower);
    return new Column(maskedLower != lower ? maskedLower : name,
        naming.column(table.database, table.table, maskedLower));
  }

  /**
   * A topic: its qualifiedName is lower-case, so, as for columns, the lower-case form is redacted as well, and a
   * rule that matches only that form masks the topic's name too.
   */
  Topic topic(TopicDataset dataset) {
    String topic = redactor.redact(dataset.topic());
    String lower = topic.toLowerCase(Locale.ROOT);
    String maskedLower = redactor.redact(lower);
    return new Topic(maskedLower != lower ? maskedLower : topic,
        naming.topic(maskedLower, dataset.bootstrapServers()));
  }

  /** A name in a list (partition columns), redacted like a column's name. */
  String columnName(String column) {
    return redactor.redact(column);
  }

  /**
   * A location as it is sent: {@code uri.toString()} when no rule matches it, else masked. A rule may match only
   * the decoded form ({@code %20} for a blank) or only the encoded one, so both are checked, and a masked location
   * is given decoded (then masked again), which keeps every match of either form out.
   */
  String uriText(URI uri) {
    String raw = uri.toString();
    String masked = redactor.redact(raw);
    String decoded = decode(raw);
    if (masked == raw && (decoded == raw || redactor.redact(decoded) == decoded)) {
      return raw;
    }
    return redactor.redact(decode(masked));
  }

  /** The part after scheme and authority, as the name of a path; the whole text if nothing is left. */
  private static String pathPart(String text) {
    int start = text.indexOf(':') + 1;
    if (text.startsWith("//", start)) {
      int slash = text.indexOf('/', start + 2);
      start = slash < 0 ? text.length() : slash;
    }
    return start < text.length() ? text.substring(start) : text;
  }

  /** Percent-decoding as UTF-8; a '%' without two hex digits stays as it is. The same instance without any '%'. */
  static String decode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 0;
    int length = text.length();
    while (i < length) {
      if (text.charAt(i) != '%') {
        out.append(text.charAt(i++));
        continue;
      }
      bytes.reset();
      int start = i;
      while (i + 2 < length && text.charAt(i) == '%' && hex(text.charAt(i + 1)) >= 0
          && hex(text.charAt(i + 2)) >= 0) {
        bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
        i += 3;
      }
      if (i == start) {
        out.append(text.charAt(i++));
      } else {
        out.append(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
