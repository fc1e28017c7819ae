package io.github.sparkatlas.model;

/**
 * A reference from one entity to another inside the same message, by its temporary (negative) guid, so the
 * message is self-contained and never depends on what the Atlas server already has.
 */
public final class AtlasObjectId {
  private final String guid;
  private final String typeName;

  AtlasObjectId(String guid, String typeName) {
    this.guid = guid;
    this.typeName = typeName;
  }

  public String guid() {
    return guid;
  }

  public String typeName() {
    return typeName;
  }
}
