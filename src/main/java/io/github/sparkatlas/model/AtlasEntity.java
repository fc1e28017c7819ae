package io.github.sparkatlas.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An Atlas entity as it goes on the wire: type, temporary guid, attributes and relationship attributes.
 * Attribute values are strings, numbers, booleans, lists, string maps or {@link AtlasObjectId}s.
 */
public final class AtlasEntity {
  private final String typeName;
  private final String guid;
  private final Map<String, Object> attributes;
  private final Map<String, Object> relationshipAttributes;

  private AtlasEntity(Builder builder) {
    this.typeName = builder.typeName;
    this.guid = builder.guid;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.attributes));
    this.relationshipAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.relationshipAttributes));
  }

  public static Builder builder(String typeName, String guid) {
    return new Builder(typeName, guid);
  }

  public String typeName() {
    return typeName;
  }

  public String guid() {
    return guid;
  }

  public String qualifiedName() {
    return (String) attributes.get("qualifiedName");
  }

  public Map<String, Object> attributes() {
    return attributes;
  }

  public Map<String, Object> relationshipAttributes() {
    return relationshipAttributes;
  }

  public AtlasObjectId id() {
    return new AtlasObjectId(guid, typeName);
  }

  /** Collects an entity's attributes; null values are left out, as Atlas treats absent and null alike. */
  public static final class Builder {
    private final String typeName;
    private final String guid;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final Map<String, Object> relationshipAttributes = new LinkedHashMap<>();

    private Builder(String typeName, String guid) {
      this.typeName = typeName;
      this.guid = guid;
    }

    public Builder attribute(String name, Object value) {
      if (value != null) {
        attributes.put(name, value);
      }
      return this;
    }

    public Builder relationship(String name, Object value) {
      if (value != null) {
        relationshipAttributes.put(name, value);
      }
      return this;
    }

    public AtlasEntity build() {
      return new AtlasEntity(this);
    }
  }
}
