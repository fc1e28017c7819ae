package io.github.sparkatlas.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entity a path is named by: the dataset itself, or one of the parents its type cannot exist without (the
 * bucket of an S3 directory, the container and account of an ADLS Gen2 directory, each directory level between).
 * Spark-free and immutable; {@link SparkEntityFactory} turns the chain into entities of one message.
 */
public final class PathEntity {
  private final String typeName;
  private final String qualifiedName;
  private final String name;
  private final Map<String, Object> attributes;
  private final PathEntity parent;
  private final String parentAttribute;

  private PathEntity(String typeName, String qualifiedName, String name, Map<String, Object> attributes,
      PathEntity parent, String parentAttribute) {
    this.typeName = typeName;
    this.qualifiedName = qualifiedName;
    this.name = name;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.parent = parent;
    this.parentAttribute = parentAttribute;
  }

  static PathEntity of(String typeName, String qualifiedName, String name) {
    return new PathEntity(typeName, qualifiedName, name, Collections.<String, Object>emptyMap(), null, null);
  }

  /** The same entity with one more attribute (null values are left out, as Atlas treats absent and null alike). */
  PathEntity with(String attribute, Object value) {
    if (value == null) {
      return this;
    }
    Map<String, Object> more = new LinkedHashMap<>(attributes);
    more.put(attribute, value);
    return new PathEntity(typeName, qualifiedName, name, more, parent, parentAttribute);
  }

  /** The same entity contained in {@code container}, linked through the relationship attribute given. */
  PathEntity in(PathEntity container, String attribute) {
    return new PathEntity(typeName, qualifiedName, name, attributes, container, attribute);
  }

  public String typeName() {
    return typeName;
  }

  public String qualifiedName() {
    return qualifiedName;
  }

  public String name() {
    return name;
  }

  /** Attributes beyond qualifiedName and name ({@code path}, {@code objectPrefix}, {@code clusterName}). */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** The entity this one is contained in; null for a top-level one. */
  public PathEntity parent() {
    return parent;
  }

  /** The relationship attribute that names {@link #parent()}. */
  public String parentAttribute() {
    return parentAttribute;
  }

  /** {@code type:qualifiedName}: what the entity is sent under, unique within a message. */
  public String sentName() {
    return typeName + ":" + qualifiedName;
  }

  @Override
  public String toString() {
    return sentName() + (parent == null ? "" : " in " + parent);
  }
}
