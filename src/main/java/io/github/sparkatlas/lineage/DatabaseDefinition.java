package io.github.sparkatlas.lineage;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A database (namespace) as its catalog describes it: name, and where known its description, location, properties. */
public final class DatabaseDefinition {
  private final String name;
  private final String description;
  private final URI location;
  private final Map<String, String> properties;

  public DatabaseDefinition(String name, String description, URI location, Map<String, String> properties) {
    this.name = name.toLowerCase(Locale.ROOT);
    this.description = description == null || description.isEmpty() ? null : description;
    this.location = location;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /** Lower-cased, as Spark's and Hive's catalogs treat names. */
  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public URI location() {
    return location;
  }

  public Map<String, String> properties() {
    return properties;
  }
}
