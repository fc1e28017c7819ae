package io.github.sparkatlas.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One Atlas hook notification (the {@code message} inside the envelope). Today only ENTITY_CREATE_V2 with its
 * entities and referred entities; deletes and partial updates join as further types.
 */
public final class HookNotification {
  public static final String ENTITY_CREATE_V2 = "ENTITY_CREATE_V2";

  private final String type;
  private final String user;
  private final List<AtlasEntity> entities;
  private final List<AtlasEntity> referredEntities;

  private HookNotification(String type, String user, List<AtlasEntity> entities,
      List<AtlasEntity> referredEntities) {
    this.type = type;
    this.user = user;
    this.entities = Collections.unmodifiableList(new ArrayList<>(entities));
    this.referredEntities = Collections.unmodifiableList(new ArrayList<>(referredEntities));
  }

  public static HookNotification entityCreate(String user, List<AtlasEntity> entities,
      List<AtlasEntity> referredEntities) {
    return new HookNotification(ENTITY_CREATE_V2, user, entities, referredEntities);
  }

  public String type() {
    return type;
  }

  public String user() {
    return user;
  }

  public List<AtlasEntity> entities() {
    return entities;
  }

  public List<AtlasEntity> referredEntities() {
    return referredEntities;
  }
}
