package io.github.sparkatlas.model;

/**
 * A reference to an entity: inside the same message by its temporary (negative) guid, so the message is
 * self-contained and never depends on what the Atlas server already has; or by its type and qualifiedName (Atlas's
 * {@code uniqueAttributes}), which the server must resolve: where a message acts on an entity the server has (a
 * delete, a rename), and where an entity belongs to another hook (a Hive table the Hive hook registers).
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

  /** The qualifiedName of a reference by unique attributes; null for a guid reference. */
  public String qualifiedName() {
    return qualifiedName;
  }

  /** What identifies the target within a message: its guid, else its type and qualifiedName. */
  String key() {
    return guid != null ? guid : typeName + ":" + qualifiedName;
  }
}
