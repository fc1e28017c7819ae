package io.github.sparkatlas.model;

/**
 * A reference from one entity to another: inside the same message by its temporary (negative) guid, so the message
 * is self-contained; or, only where an entity belongs to another hook (a Hive table the Hive hook registers), by its
 * type and qualifiedName, which the server must resolve.
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

  /** A reference by unique attributes to an entity this message does not carry. */
  static AtlasObjectId byQualifiedName(String typeName, String qualifiedName) {
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
