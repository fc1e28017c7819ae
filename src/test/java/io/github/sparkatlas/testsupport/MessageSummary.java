package io.github.sparkatlas.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One line per hook message, for tests that assert the exact sequence of messages: what a process reads and writes,
 * what a catalog change defines (a table with its columns), deletes or renames.
 */
public final class MessageSummary {
  private MessageSummary() {
  }

  public static String of(JsonNode message) {
    String type = message.path("type").asText();
    switch (type) {
      case "ENTITY_DELETE_V2": {
        List<String> ids = new ArrayList<>();
        message.path("entities").forEach(id -> ids.add(id(id)));
        return "delete " + String.join(", ", ids);
      }
      case "ENTITY_PARTIAL_UPDATE_V2":
        return "rename " + id(message.path("entityId")) + " -> "
            + message.path("entity").path("entity").path("attributes").path("qualifiedName").asText();
      case "ENTITY_CREATE_V2":
        return create(message.path("entities"));
      default:
        return type;
    }
  }

  private static String id(JsonNode id) {
    return id.path("typeName").asText() + ":" + id.path("uniqueAttributes").path("qualifiedName").asText();
  }

  private static String create(JsonNode body) {
    Map<String, JsonNode> byGuid = new HashMap<>();
    body.path("entities").forEach(e -> byGuid.put(e.path("guid").asText(), e));
    body.path("referredEntities").forEach(e -> byGuid.put(e.path("guid").asText(), e));
    List<String> parts = new ArrayList<>();
    for (JsonNode entity : body.path("entities")) {
      String type = entity.path("typeName").asText();
      JsonNode attributes = entity.path("attributes");
      if ("spark_process".equals(type)) {
        return "process in=" + names(attributes.path("inputs"), byGuid) + " out="
            + names(attributes.path("outputs"), byGuid);
      }
      StringBuilder part = new StringBuilder("define " + type + ":" + attributes.path("qualifiedName").asText());
      JsonNode columns = entity.path("relationshipAttributes").path("columns");
      if (columns.isArray()) {
        List<String> names = new ArrayList<>();
        for (JsonNode column : columns) {
          JsonNode resolved = byGuid.get(column.path("guid").asText());
          names.add(resolved == null ? "?" : resolved.path("attributes").path("name").asText()
              + " " + resolved.path("attributes").path("type").asText());
        }
        part.append(" columns=").append(names);
      }
      if (attributes.has("parameters")) {
        part.append(" parameters=").append(attributes.path("parameters"));
      }
      parts.add(part.toString());
    }
    return String.join("; ", parts);
  }

  private static List<String> names(JsonNode ids, Map<String, JsonNode> byGuid) {
    List<String> names = new ArrayList<>();
    for (JsonNode id : ids) {
      JsonNode entity = byGuid.get(id.path("guid").asText());
      names.add(entity == null ? id(id)
          : entity.path("typeName").asText() + ":" + entity.path("attributes").path("qualifiedName").asText());
    }
    return names;
  }
}
