package io.github.sparkatlas.capture;

import java.util.List;

/** What a DSv2 DDL command acts on: its resolved identifier, table or namespace, among its children. */
final class V2Targets {
  private V2Targets() {
  }

  /** The first child whose simple class name is one of {@code names}, or null. */
  static Object resolved(Object command, String... names) {
    for (Object child : Reflect.elements(Reflect.get(command, "children"))) {
      for (String name : names) {
        if (name.equals(Reflect.simpleName(child))) {
          return child;
        }
      }
    }
    return null;
  }

  /** The catalog's name, or null for the session catalog (its events report its changes) or none at all. */
  static String nonSessionCatalog(Object catalog) {
    String name = catalog == null ? null : Reflect.string(Reflect.get(catalog, "name"));
    return name == null || "spark_catalog".equals(name) ? null : name;
  }

  /** A DSv2 {@code Identifier} of a namespace and a name. */
  static Object identifier(List<String> namespace, String name) {
    return org.apache.spark.sql.connector.catalog.Identifier.of(namespace.toArray(new String[0]), name);
  }
}
