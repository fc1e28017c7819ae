package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.TableDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DDL on the tables of a DSv2 catalog other than the session catalog (whose changes its own events report): CREATE,
 * ALTER (columns, properties, location, comment), RENAME and DROP, read from the command's resolved target. The
 * current definition after a CREATE or ALTER is not in the plan: the agent thread loads it from the catalog.
 *
 * <p>The session catalog's ALTERs are read here too when its table is not the metastore's ({@code V1Table}) but its
 * DSv2 implementation's own, such as Delta's: Delta changes its log, not the metastore, so no event reports them.
 */
final class V2TableCommands {
  private static final Set<String> DEFINING = new HashSet<>(Arrays.asList("CreateTable", "ReplaceTable",
      "AddColumns", "ReplaceColumns", "DropColumns", "RenameColumn", "AlterColumn", "SetTableProperties",
      "UnsetTableProperties", "SetTableLocation", "CommentOnTable"));
  private static final Set<String> ALTERING = new HashSet<>(Arrays.asList("AddColumns", "ReplaceColumns",
      "DropColumns", "RenameColumn", "AlterColumn", "SetTableProperties", "UnsetTableProperties",
      "SetTableLocation", "CommentOnTable"));

  private V2TableCommands() {
  }

  static boolean reads(String command) {
    return DEFINING.contains(command) || "DropTable".equals(command) || "RenameTable".equals(command);
  }

  /** @return the change, or null when the target is the session catalog's or not resolved */
  static CatalogChange read(Object command, String applicationId, String user, CaptureContext context) {
    Object target = V2Targets.resolved(command, "ResolvedIdentifier", "ResolvedTable");
    Object catalog = Reflect.get(target, "catalog");
    String catalogName = V2Targets.nonSessionCatalog(catalog);
    String name = Reflect.simpleName(command);
    Object identifier = Reflect.get(target, "identifier");
    Object resolvedTable = Reflect.get(target, "table");
    if (catalogName == null) {
      if (catalog == null || !ALTERING.contains(name) || resolvedTable == null
          || "V1Table".equals(Reflect.simpleName(resolvedTable))
          || DeltaTables.pathIdentifier(catalog, identifier, context) != null) {
        return null;
      }
      catalogName = "spark_catalog";
    }
    // Delta's schema() and properties() may load its log: never here; the agent thread reads the definition.
    TableDataset table = TableReader.v2Table(catalogName, identifier,
        DeltaTables.isTableV2(resolvedTable) ? null : resolvedTable, context);
    long now = System.currentTimeMillis();
    if ("DropTable".equals(name)) {
      return CatalogChange.tableDropped(applicationId, user, now, table);
    }
    if ("RenameTable".equals(name)) {
      List<String> parts = new ArrayList<>(TableReader.strings(Reflect.get(command, "newName")));
      String newTable = parts.remove(parts.size() - 1);
      Object newIdentifier = V2Targets.identifier(parts, newTable);
      TableDataset renamed = TableReader.v2Table(catalogName, newIdentifier, null, context);
      return CatalogChange.tableRenamed(applicationId, user, now, table, renamed,
          new V2CatalogDefinition(catalog, catalogName, newIdentifier, null));
    }
    return CatalogChange.tableDefined(applicationId, user, now, table,
        new V2CatalogDefinition(catalog, catalogName, identifier, null));
  }
}
