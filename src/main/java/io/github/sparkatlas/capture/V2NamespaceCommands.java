package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CREATE, ALTER and DROP of a namespace of a DSv2 catalog other than the session catalog (whose databases its own
 * events report). A namespace is named like the database part of its tables, {@code <catalog>.<namespace>}.
 */
final class V2NamespaceCommands {
  private static final Set<String> DEFINING = new HashSet<>(Arrays.asList("CreateNamespace",
      "SetNamespaceProperties", "SetNamespaceLocation", "CommentOnNamespace"));

  private V2NamespaceCommands() {
  }

  static boolean reads(String command) {
    return DEFINING.contains(command) || "DropNamespace".equals(command);
  }

  /** @return the change, or null when the namespace is the session catalog's or not resolved */
  static CatalogChange read(Object command, String applicationId, String user) {
    Object target = V2Targets.resolved(command, "ResolvedNamespace");
    Object catalog = Reflect.get(target, "catalog");
    String catalogName = V2Targets.nonSessionCatalog(catalog);
    if (catalogName == null) {
      return null;
    }
    List<String> namespace = TableReader.strings(Reflect.get(target, "namespace"));
    String database = namespace.isEmpty() ? catalogName : catalogName + "." + String.join(".", namespace);
    long now = System.currentTimeMillis();
    if ("DropNamespace".equals(Reflect.simpleName(command))) {
      return CatalogChange.databaseDropped(applicationId, user, now, database);
    }
    return CatalogChange.databaseDefined(applicationId, user, now, database,
        new V2CatalogDefinition(catalog, database, null, namespace.toArray(new String[0])));
  }
}
