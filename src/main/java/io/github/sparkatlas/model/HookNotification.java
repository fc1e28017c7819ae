package io.github.sparkatlas.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One Atlas hook notification (the {@code message} inside the envelope), in the V2 shapes Atlas's hook consumer
 * reads: ENTITY_CREATE_V2 (entities with their referred entities), ENTITY_DELETE_V2 (entities by unique
 * attributes) and ENTITY_PARTIAL_UPDATE_V2 (one entity by its unique attributes, with the attributes to set).
 */
public final class HookNotification {
  public static final String ENTITY_CREATE_V2 = "ENTITY_CREATE_V2";
  public static final String ENTITY_DELETE_V2 = "ENTITY_DELETE_V2";
  public static final String ENTITY_PARTIAL_UPDATE_V2 = "ENTITY_PARTIAL_UPDATE_V2";

  private final String type;
  private final String user;
  private final List<AtlasEntity> entities;
  private final List<AtlasEntity> referredEntities;
  private final List<AtlasObjectId> deleted;
  private final AtlasObjectId updated;

  private HookNotification(String type, String user, List<AtlasEntity> entities,
      List<AtlasEntity> referredEntities, List<AtlasObjectId> deleted, AtlasObjectId updated) {
    this.type = type;
    this.user = user;
    this.entities = Collections.unmodifiableList(new ArrayList<>(entities));
    this.referredEntities = Collections.unmodifiableList(new ArrayList<>(referredEntities));
    this.deleted = Collections.unmodifiableList(new ArrayList<>(deleted));
    this.updated = updated;
  }

  public static HookNotification entityCreate(String user, List<AtlasEntity> entities,
      List<AtlasEntity> referredEntities) {
    return new HookNotification(ENTITY_CREATE_V2, user, entities, referredEntities,
        Collections.<AtlasObjectId>emptyList(), null);
  }

  /** @param deleted references by qualifiedName ({@link AtlasObjectId#byQualifiedName}) */
  public static HookNotification entityDelete(String user, List<AtlasObjectId> deleted) {
    for (AtlasObjectId id : deleted) {
      Objects.requireNonNull(id.qualifiedName(), "a delete names entities by qualifiedName");
    }
    return new HookNotification(ENTITY_DELETE_V2, user, Collections.<AtlasEntity>emptyList(),
        Collections.<AtlasEntity>emptyList(), deleted, null);
  }

  /**
   * @param updated the entity as the server has it, by qualifiedName
   * @param entity  the attributes to set (a new qualifiedName among them for a rename); no guid references
   */
  public static HookNotification entityPartialUpdate(String user, AtlasObjectId updated, AtlasEntity entity) {
    Objects.requireNonNull(updated.qualifiedName(), "a partial update names its entity by qualifiedName");
    return new HookNotification(ENTITY_PARTIAL_UPDATE_V2, user, Collections.singletonList(entity),
        Collections.<AtlasEntity>emptyList(), Collections.<AtlasObjectId>emptyList(), updated);
  }

  public String type() {
    return type;
  }

  public String user() {
    return user;
  }

  /** ENTITY_CREATE_V2: the top-level entities; ENTITY_PARTIAL_UPDATE_V2: the one entity with what to set. */
  public List<AtlasEntity> entities() {
    return entities;
  }

  public List<AtlasEntity> referredEntities() {
    return referredEntities;
  }

  /** ENTITY_DELETE_V2: what is deleted; else empty. */
  public List<AtlasObjectId> deleted() {
    return deleted;
  }

  /** ENTITY_PARTIAL_UPDATE_V2: the entity updated, by its current qualifiedName; else null. */
  public AtlasObjectId updated() {
    return updated;
  }
}
