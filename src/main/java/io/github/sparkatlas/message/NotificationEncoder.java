package io.github.sparkatlas.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.github.sparkatlas.AgentVersion;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.AgentConfigDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * Wraps a notification in Atlas's envelope and, when it is too long, compresses and splits it exactly as
 * Atlas's own hooks do (AbstractNotification), so Atlas's consumer and Purview reassemble it unchanged.
 */
public final class NotificationEncoder {
  /** Atlas keeps this much of the configured maximum free for the envelope around a part. */
  public static final int ENVELOPE_RESERVE = 512;
  static final String MESSAGE_VERSION = "1.0.0";

  private final int maxPartLength;
  private final boolean compress;
  private final String sourceIp;
  private final String sourceName;
  private final String sourceVersion;
  private final String idPrefix = UUID.randomUUID().toString();
  private final AtomicLong idSuffix = new AtomicLong();

  /**
   * An encoder for the agent's settings: what the sinks and the replay command wrap notifications with. Here
   * rather than in AtlasAgent, so that the command line does not need Spark's classes.
   */
  public static NotificationEncoder of(AgentConfig config) {
    return new NotificationEncoder(config.get(AgentConfigDef.MESSAGE_MAX_LENGTH),
        config.get(AgentConfigDef.COMPRESSION_ENABLED), localAddress(), AgentVersion.NAME, AgentVersion.get());
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (Exception e) {
      return "unknown";
    }
  }

  /**
   * @param maxLength atlas.notification.message.max.length.bytes
   * @param compress  atlas.notification.message.compression.enabled
   * @param sourceIp  msgSourceIP: the driver's address
   * @param sourceName    the envelope's {@code source.source}: which hook sent it
   * @param sourceVersion the envelope's {@code source.version}
   */
  public NotificationEncoder(int maxLength, boolean compress, String sourceIp, String sourceName,
      String sourceVersion) {
    this.maxPartLength = maxLength - ENVELOPE_RESERVE;
    this.compress = compress;
    this.sourceIp = sourceIp;
    this.sourceName = sourceName;
    this.sourceVersion = sourceVersion;
  }

  public EncodedMessage encode(String key, ObjectNode message, String user, long createdAtMillis) {
    return encode(key, message, null, user, createdAtMillis, false);
  }

  /**
   * @param spooled true when the message is sent later than it was made (after an outage, by a later
   *                application or by the replay command): Atlas 2.2+ reads it to order such messages correctly
   */
  public EncodedMessage encode(OutboundMessage notification, boolean spooled) {
    return encode(notification.key(), null, notification.body(), notification.user(),
        notification.createdAtMillis(), spooled);
  }

  private EncodedMessage encode(String key, ObjectNode message, String rawMessage, String user,
      long createdAtMillis, boolean spooled) {
    ObjectNode envelope = NotificationJson.MAPPER.createObjectNode();
    version(envelope);
    envelope.put("msgCompressionKind", "NONE");
    envelope.put("msgSplitIdx", 1);
    envelope.put("msgSplitCount", 1);
    envelope.put("msgSourceIP", sourceIp);
    envelope.put("msgCreatedBy", user);
    envelope.put("msgCreationTime", createdAtMillis);
    envelope.put("spooled", spooled);
    if (message != null) {
      envelope.set("message", message);
    } else {
      envelope.putRawValue("message", new RawValue(rawMessage));
    }
    byte[] json = utf8(write(envelope));
    List<String> records = new ArrayList<>();
    if (json.length <= maxPartLength) {
      records.add(new String(json, StandardCharsets.UTF_8));
      return new EncodedMessage(key, records);
    }
    String msgId = idPrefix + "_" + idSuffix.getAndIncrement();
    String kind = compress ? "GZIP" : "NONE";
    byte[] encoded = Base64.getEncoder().encode(compress ? gzip(json) : json);
    if (compress && encoded.length <= maxPartLength) {
      records.add(part(msgId, kind, 1, 1, encoded, 0, encoded.length));
      return new EncodedMessage(key, records);
    }
    int count = (encoded.length + maxPartLength - 1) / maxPartLength;
    for (int i = 0; i < count; i++) {
      int offset = i * maxPartLength;
      records.add(part(msgId, kind, i, count, encoded, offset, Math.min(maxPartLength, encoded.length - offset)));
    }
    return new EncodedMessage(key, records);
  }

  private String part(String msgId, String kind, int index, int count, byte[] base64, int offset, int length) {
    ObjectNode part = NotificationJson.MAPPER.createObjectNode();
    version(part);
    part.put("msgId", msgId);
    part.put("msgCompressionKind", kind);
    part.put("msgSplitIdx", index);
    part.put("msgSplitCount", count);
    part.put("message", new String(base64, offset, length, StandardCharsets.US_ASCII));
    return write(part);
  }

  private void version(ObjectNode node) {
    node.putObject("version").put("version", MESSAGE_VERSION);
    ObjectNode source = node.putObject("source");
    source.put("source", sourceName);
    source.put("version", sourceVersion);
  }

  private static String write(ObjectNode node) {
    try {
      return NotificationJson.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 8));
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("gzip in memory failed", e);
    }
    return out.toByteArray();
  }
}
