package io.github.sparkatlas.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads back record values the agent wrote (from the file sink, later from a spool): the inverse of
 * {@link NotificationEncoder}, for the CLI. Parts of a split message must come in order, as Atlas requires.
 */
public final class NotificationDecoder {
  private String partsId;
  private int nextPart;
  private final StringBuilder parts = new StringBuilder();

  /** @return the notification ({@code message}) once complete, else null */
  public JsonNode accept(String recordValue) throws IOException {
    JsonNode envelope = acceptEnvelope(recordValue);
    return envelope == null ? null : envelope.path("message");
  }

  /**
   * @return the whole envelope once complete (for a compressed or split message, the one inside it, which has
   *         msgCreatedBy and msgCreationTime), else null
   */
  public JsonNode acceptEnvelope(String recordValue) throws IOException {
    JsonNode envelope = NotificationJson.MAPPER.readTree(recordValue);
    int count = envelope.path("msgSplitCount").asInt(1);
    if (count <= 1) {
      return payload(envelope, envelope.path("message"));
    }
    String id = envelope.path("msgId").asText();
    int index = envelope.path("msgSplitIdx").asInt();
    if (index == 0) {
      partsId = id;
      nextPart = 0;
      parts.setLength(0);
    }
    if (!id.equals(partsId) || index != nextPart) {
      throw new IOException("part " + index + " of message " + id + " out of order");
    }
    parts.append(envelope.path("message").asText());
    nextPart++;
    if (nextPart < count) {
      return null;
    }
    partsId = null;
    return payload(envelope, NotificationJson.MAPPER.getNodeFactory().textNode(parts.toString()));
  }

  private static JsonNode payload(JsonNode envelope, JsonNode message) throws IOException {
    if (!message.isTextual()) {
      return envelope;
    }
    byte[] bytes = Base64.getDecoder().decode(message.asText());
    if ("GZIP".equals(envelope.path("msgCompressionKind").asText())) {
      bytes = gunzip(bytes);
    }
    return NotificationJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0;) {
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  /** Decodes a whole file's lines. */
  public static List<JsonNode> decodeAll(List<String> recordValues) throws IOException {
    NotificationDecoder decoder = new NotificationDecoder();
    List<JsonNode> messages = new ArrayList<>();
    for (String value : recordValues) {
      if (!value.trim().isEmpty()) {
        JsonNode message = decoder.accept(value);
        if (message != null) {
          messages.add(message);
        }
      }
    }
    return messages;
  }
}
