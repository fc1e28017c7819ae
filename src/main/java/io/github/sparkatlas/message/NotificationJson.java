package io.github.sparkatlas.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sparkatlas.model.AtlasEntity;
import io.github.sparkatlas.model.AtlasObjectId;
import io.github.sparkatlas.model.HookNotification;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** Writes notifications in Atlas's V2 JSON shapes (FIELD-NOTES §1), with the agent's own relocated Jackson. */
public final class NotificationJson {
  /**
   * Reads back only what the agent wrote itself, where a plan text may be up to 100 M characters: Jackson's default
   * limit of 20 M characters per string would make such a message impossible to rewrite without its plan text.
   */
  static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
      .build());
  private static final java.util.List<String> PLAN_TEXT_ATTRIBUTES =
      java.util.Arrays.asList("sparkPlanDescription", "details");

  private NotificationJson() {
  }

  /**
   * The {@code message} object as Atlas's {@code HookNotification} subclasses read it: ENTITY_CREATE_V2
   * {"type","user","entities":{"entities":[...],"referredEntities":{...}}}; ENTITY_DELETE_V2
   * {"type","user","entities":[{"typeName","uniqueAttributes":{"qualifiedName"}}]}; ENTITY_PARTIAL_UPDATE_V2
   * {"type","user","entityId":{"typeName","uniqueAttributes"},"entity":{"entity":{...},"referredEntities":{}}}.
   */
  public static ObjectNode toJson(HookNotification notification) {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("type", notification.type());
    message.put("user", notification.user());
    if (HookNotification.ENTITY_DELETE_V2.equals(notification.type())) {
      ArrayNode deleted = message.putArray("entities");
      for (AtlasObjectId id : notification.deleted()) {
        deleted.add(value(id));
      }
      return message;
    }
    if (HookNotification.ENTITY_PARTIAL_UPDATE_V2.equals(notification.type())) {
      message.set("entityId", value(notification.updated()));
      ObjectNode body = message.putObject("entity");
      body.set("entity", entity(notification.entities().get(0)));
      body.putObject("referredEntities");
      return message;
    }
    ObjectNode body = message.putObject("entities");
    ArrayNode entities = body.putArray("entities");
    for (AtlasEntity entity : notification.entities()) {
      entities.add(entity(entity));
    }
    ObjectNode referred = body.putObject("referredEntities");
    for (AtlasEntity entity : notification.referredEntities()) {
      referred.set(entity.guid(), entity(entity));
    }
    return message;
  }

  static ObjectNode entity(AtlasEntity entity) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("typeName", entity.typeName());
    node.put("guid", entity.guid());
    node.set("attributes", values(entity.attributes()));
    if (!entity.relationshipAttributes().isEmpty()) {
      node.set("relationshipAttributes", values(entity.relationshipAttributes()));
    }
    return node;
  }

  private static ObjectNode values(Map<String, ?> values) {
    ObjectNode node = MAPPER.createObjectNode();
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      node.set(entry.getKey(), value(entry.getValue()));
    }
    return node;
  }

  private static JsonNode value(Object value) {
    if (value instanceof AtlasObjectId) {
      AtlasObjectId id = (AtlasObjectId) value;
      ObjectNode node = MAPPER.createObjectNode();
      if (id.guid() != null) {
        node.put("guid", id.guid());
      }
      node.put("typeName", id.typeName());
      if (id.qualifiedName() != null) {
        node.putObject("uniqueAttributes").put("qualifiedName", id.qualifiedName());
      }
      return node;
    }
    if (value instanceof Collection) {
      ArrayNode array = MAPPER.createArrayNode();
      for (Object item : (Collection<?>) value) {
        array.add(value(item));
      }
      return array;
    }
    if (value instanceof Map) {
      return values((Map<String, ?>) castMap(value));
    }
    return MAPPER.valueToTree(value);
  }

  /** Text form of a {@code message} object, as the spool keeps it. */
  public static String toText(ObjectNode message) {
    try {
      return MAPPER.writeValueAsString(message);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /**
   * The {@code message} without plan text (spark_process {@code sparkPlanDescription}, {@code details}): the
   * optional part a full spool sheds before it would have to drop a whole message.
   */
  static String withoutPlanText(String body) {
    try {
      JsonNode message = MAPPER.readTree(body);
      for (JsonNode entity : message.path("entities").path("entities")) {
        JsonNode attributes = entity.path("attributes");
        if (attributes instanceof ObjectNode) {
          ((ObjectNode) attributes).remove(PLAN_TEXT_ATTRIBUTES);
        }
      }
      return MAPPER.writeValueAsString(message);
    } catch (IOException e) {
      throw new IllegalStateException("cannot rewrite a spooled message", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> castMap(Object value) {
    return (Map<String, ?>) value;
  }
}
