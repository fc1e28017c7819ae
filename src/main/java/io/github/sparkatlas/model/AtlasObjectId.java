package io.github.sparkatlas.model;

/**
 * A reference to an entity: inside the same message by its temporary (negative) guid, so the message is
 * self-contained and never depends on what the Atlas server already has; or, where a message acts on an entity
 * the server has (a delete, a rename), by its type and qualifiedName (Atlas's {@code uniqueAttributes}).
 */
public final class AtlasObjectId {
  private final String guid;
  private final String typeName;
  private final String qualifiedName;

  AtlasObjectId(String guid, String typeName) {
    this(guid, typeName, null);
  }

  private AtlasObjectId(String guid, String typeName, String qualifiedName) {
    this.guid = guid;
    this.typeName = typeName;
    this.qualifiedName = qualifiedName;
  }

  /** An entity the server has, by its unique attribute. */
  public static AtlasObjectId byQualifiedName(String typeName, String qualifiedName) {
    return new AtlasObjectId(null, typeName, qualifiedName);
  }

  /** The temporary guid; null for a reference by qualifiedName. */
  public String guid() {
    return guid;
  }

  public String typeName() {
    return typeName;
  }

  /** The qualifiedName of a reference by unique attribute; null for a guid reference. */
  public String qualifiedName() {
    return qualifiedName;
  }
}
