package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Names a Delta table from the objects Delta puts in its plans: one dataset per table, the catalog table when it
 * has one, else its root directory; never its data files or {@code _delta_log}. Only fields are read
 * ({@code catalogTable}, {@code path}, {@code dataPath}): Delta's methods that name or describe a table
 * ({@code DeltaTableV2.name()}, {@code schema()}, {@code properties()}) may load its log. Classes are matched by
 * simple name, so that Databricks' copies ({@code com.databricks.sql.transaction.tahoe...}) match too.
 */
final class DeltaTables {
  /** Delta's time travel written into a path ({@code /table@v3}, {@code /table@20240101000000000}). */
  private static final Pattern TIME_TRAVEL_SUFFIX = Pattern.compile("@(v\\d+|\\d{17})$");

  private DeltaTables() {
  }

  /** Whether a DSv2 table is a Delta table ({@code DeltaTableV2}). */
  static boolean isTableV2(Object table) {
    return "DeltaTableV2".equals(Reflect.simpleName(table));
  }

  /** Whether a FileIndex lists a Delta table ({@code TahoeLogFileIndex}, {@code TahoeBatchFileIndex}, ...). */
  static boolean isFileIndex(Object fileIndex) {
    String name = Reflect.simpleName(fileIndex);
    return name.startsWith("Tahoe") && name.endsWith("FileIndex") || "PreparedDeltaFileIndex".equals(name);
  }

  /** A {@code DeltaTableV2}; {@code schema} (its relation's, already resolved) gives a catalog table's columns. */
  static Dataset ofTableV2(Object table, Object schema, CaptureContext context) {
    return of(Reflect.get(table, "catalogTable"), Reflect.get(table, "path"), schema, context);
  }

  /**
   * @param catalogTable a {@code CatalogTable} or an Option of one; the table when there is one
   * @param root         the table's root directory (a Hadoop Path), for a table known by path only
   * @param schema       the columns the plan resolved for the table: Delta keeps none in the catalog by default
   * @return null when neither is there
   */
  static Dataset of(Object catalogTable, Object root, Object schema, CaptureContext context) {
    Object table = Reflect.option(catalogTable);
    if (table != null) {
      return TableReader.catalogTable(table, context, schema);
    }
    Object rootUri = Reflect.get(root, "toUri");
    if (!(rootUri instanceof URI)) {
      return null;
    }
    URI uri = (URI) rootUri;
    String path = uri.getPath();
    if (path != null && TIME_TRAVEL_SUFFIX.matcher(path).find()) {
      return context.path(TIME_TRAVEL_SUFFIX.matcher(uri.toString()).replaceFirst(""), false);
    }
    return context.path(uri, false);
  }

  /**
   * The root of a table Delta's catalog names by path ({@code delta.`/data/events`}, as in {@code CREATE TABLE
   * delta.`/data/events` AS SELECT}), or null for any other identifier.
   */
  static Dataset pathIdentifier(Object catalog, Object identifier, CaptureContext context) {
    if (!"DeltaCatalog".equals(Reflect.simpleName(catalog))) {
      return null;
    }
    List<Object> namespace = Reflect.elements(Reflect.get(identifier, "namespace"));
    String name = Reflect.string(Reflect.get(identifier, "name"));
    if (namespace.size() != 1 || !"delta".equalsIgnoreCase(String.valueOf(namespace.get(0))) || name == null) {
      return null;
    }
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(name);
      // As Delta's catalog decides: only an absolute path is a path; delta.events is a table named events.
      return path.isAbsolute() ? context.path(path.toUri(), false) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
