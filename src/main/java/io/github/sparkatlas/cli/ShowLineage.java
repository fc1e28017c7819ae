package io.github.sparkatlas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.message.NotificationDecoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Prints, per application in a file-sink directory, the latest state of each of its spark_processes (one at
 * application granularity; one per write and per streaming query at query granularity): inputs, process, outputs.
 */
final class ShowLineage {
  private final PrintStream out;

  ShowLineage(PrintStream out) {
    this.out = out;
  }

  int show(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.getFileName().toString().equals(FileSink.FILE_NAME)).sorted()
          .collect(Collectors.toList());
    }
    if (files.isEmpty()) {
      out.println("no " + FileSink.FILE_NAME + " under " + dir);
      return 1;
    }
    for (Path file : files) {
      List<JsonNode> messages = NotificationDecoder.decodeAll(Files.readAllLines(file, StandardCharsets.UTF_8));
      out.println(file + ": " + messages.size() + " message(s)");
      // Each message holds the whole state of its process: the last one of each process says everything.
      Map<String, JsonNode> latestByProcess = new LinkedHashMap<>();
      List<String> catalogChanges = new ArrayList<>();
      for (JsonNode message : messages) {
        String change = catalogChange(message);
        if (change != null) {
          catalogChanges.add(change);
        }
        for (JsonNode entity : message.path("entities").path("entities")) {
          if (entity.path("typeName").asText().equals("spark_process")) {
            latestByProcess.put(entity.path("attributes").path("qualifiedName").asText(), message);
          }
        }
      }
      for (JsonNode message : latestByProcess.values()) {
        print(message);
      }
      if (!catalogChanges.isEmpty()) {
        out.println("  catalog changes, in order:");
        catalogChanges.forEach(out::println);
        out.println();
      }
    }
    return 0;
  }

  private void print(JsonNode message) {
    JsonNode body = message.path("entities");
    Map<String, JsonNode> byGuid = new HashMap<>();
    List<JsonNode> all = new ArrayList<>();
    body.path("entities").forEach(all::add);
    body.path("referredEntities").forEach(all::add);
    for (JsonNode entity : all) {
      byGuid.put(entity.path("guid").asText(), entity);
    }
    for (JsonNode entity : all) {
      if (!entity.path("typeName").asText().equals("spark_process")) {
        continue;
      }
      JsonNode attributes = entity.path("attributes");
      out.println();
      for (JsonNode input : attributes.path("inputs")) {
        out.println("  input   " + describe(input, byGuid));
      }
      out.println("  process spark_process " + attributes.path("qualifiedName").asText() + "  (name: "
          + attributes.path("name").asText() + ", user: " + attributes.path("currUser").asText() + ")");
      for (JsonNode output : attributes.path("outputs")) {
        out.println("  output  " + describe(output, byGuid));
      }
      out.println();
    }
  }

  /** A reference: to an entity of the message by guid, or to one the server has by type and qualifiedName. */
  private static String describe(JsonNode reference, Map<String, JsonNode> byGuid) {
    if (reference.has("uniqueAttributes")) {
      return String.format("%-14s %s (reference)", reference.path("typeName").asText(),
          reference.path("uniqueAttributes").path("qualifiedName").asText());
    }
    return describe(byGuid.get(reference.path("guid").asText()));
  }

  /**
   * A message that is not a process's: a table or database defined on its own (CREATE, ALTER), deleted (DROP) or
   * renamed (one line per entity it moves); null for a process's message.
   */
  private static String catalogChange(JsonNode message) {
    String type = message.path("type").asText();
    if ("ENTITY_DELETE_V2".equals(type)) {
      StringBuilder line = new StringBuilder();
      for (JsonNode id : message.path("entities")) {
        line.append(line.length() == 0 ? "" : "\n").append("  deleted ").append(String.format("%-14s %s",
            id.path("typeName").asText(), id.path("uniqueAttributes").path("qualifiedName").asText()));
      }
      return line.toString();
    }
    if ("ENTITY_PARTIAL_UPDATE_V2".equals(type)) {
      JsonNode id = message.path("entityId");
      return "  renamed " + String.format("%-14s %s -> %s", id.path("typeName").asText(),
          id.path("uniqueAttributes").path("qualifiedName").asText(),
          message.path("entity").path("entity").path("attributes").path("qualifiedName").asText());
    }
    StringBuilder line = new StringBuilder();
    for (JsonNode entity : message.path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        return null;
      }
      line.append(line.length() == 0 ? "" : "\n").append("  defined ").append(describe(entity));
    }
    return line.length() == 0 ? null : line.toString();
  }

  private static String describe(JsonNode entity) {
    if (entity == null) {
      return "(unresolved reference)";
    }
    return String.format("%-14s %s", entity.path("typeName").asText(),
        entity.path("attributes").path("qualifiedName").asText());
  }
}
