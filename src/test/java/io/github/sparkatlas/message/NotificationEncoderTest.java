package io.github.sparkatlas.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.SparkEntityFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class NotificationEncoderTest {
  private static final int MAX_LENGTH = 900_000;
  private static final String APP_ID = "application_1700000000000_0007";
  private static final String KEY = APP_ID + "@cl1";
  private static final String USER = "etl-user";
  private static final String SOURCE_IP = "10.1.2.3";
  private static final long CREATED = 1_700_000_123_456L;
  private static final ObjectMapper JSON = new ObjectMapper();

  // ------------------------------------------------------------------------------------------ fixtures

  /** A real notification: one application that read a table and a path and wrote a table, with plan text. */
  private static ObjectNode notification(String planText) {
    TableDataset source = TableDataset.builder("sales", "orders")
        .location(URI.create("hdfs://nn/warehouse/sales.db/orders"))
        .columns(List.of(new Column("id", "bigint", false, null), new Column("amount", "double", true, null)))
        .build();
    TableDataset target = TableDataset.builder("mart", "daily_sales")
        .columns(List.of(new Column("day", "date", false, null), new Column("total", "double", true, null)))
        .build();
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(new QueryLineage(APP_ID, "daily sales", 3, "InsertIntoHadoopFsRelationCommand", USER, CREATED,
        List.of(source, PathDataset.of(URI.create("hdfs://nn/raw/fx"))), List.of(target), planText));
    return NotificationJson.toJson(new SparkEntityFactory(new Naming("cl1")).processNotification(app));
  }

  private static NotificationEncoder encoder(int maxLength, boolean compress) {
    return new NotificationEncoder(maxLength, compress, SOURCE_IP, "spark-atlas-agent", "0.1.0-test");
  }

  private static EncodedMessage encode(NotificationEncoder encoder, ObjectNode message) {
    return encoder.encode(KEY, message, USER, CREATED);
  }

  /** Text gzip cannot shrink much: random code points from several scripts, 1–3 UTF-8 bytes each. */
  private static String incompressible(int chars, long seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(chars);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        + "äöüßéèçñøåæœ" + "αβγδεζηθλμπσφψω" + "数据血缘表列路径";
    for (int i = 0; i < chars; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private static JsonNode envelope(String record) {
    return AtlasHookDecoder.envelopeOf(record);
  }

  private static byte[] gunzip(byte[] data) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    }
  }

  /** Same JSON text (so same values, same order); on failure shows only where they first differ. */
  private static void assertSameJson(JsonNode expected, JsonNode actual) {
    String want = expected.toString();
    String got = actual == null ? "null" : actual.toString();
    if (!want.equals(got)) {
      int i = 0;
      while (i < Math.min(want.length(), got.length()) && want.charAt(i) == got.charAt(i)) {
        i++;
      }
      int from = Math.max(0, i - 60);
      throw new AssertionError("JSON differs at char " + i + " (lengths " + want.length() + " / " + got.length()
          + "):\n expected ..." + want.substring(from, Math.min(want.length(), i + 60)) + "\n actual   ..."
          + got.substring(from, Math.min(got.length(), i + 60)));
    }
  }

  /** Decodes like Atlas's consumer and checks that exactly {@code expected} comes out, in order. */
  private static void assertDecodesTo(List<String> records, JsonNode... expected) {
    List<JsonNode> decoded = AtlasHookDecoder.decodeAll(records);
    assertEquals(expected.length, decoded.size(), "messages decoded");
    for (int i = 0; i < expected.length; i++) {
      assertSameJson(expected[i], decoded.get(i));
    }
  }

  private static void assertEveryRecordFitsTheLimits(EncodedMessage encoded, int maxLength) {
    int producerLimit = ProducerSettings.maxRequestSize(ProducerSettings.of(Map.of(), maxLength));
    for (String record : encoded.records()) {
      int size = utf8Length(record);
      assertTrue(size <= maxLength, "record of " + size + " bytes exceeds the max length " + maxLength);
      assertTrue(size <= producerLimit, "record of " + size + " bytes exceeds max.request.size " + producerLimit);
    }
  }

  // ------------------------------------------------------------------------------------------ small

  @Test
  void smallNotificationIsOneRecordWithTheAtlasEnvelope() {
    ObjectNode message = notification("Project [id#1]");

    EncodedMessage encoded = encode(encoder(MAX_LENGTH, true), message);

    assertEquals(KEY, encoded.key());
    assertEquals(1, encoded.records().size());
    JsonNode envelope = envelope(encoded.records().get(0));
    assertEquals("{\"version\":\"1.0.0\"}", envelope.path("version").toString());
    assertTrue(!envelope.has("msgCompressionKind") || "NONE".equals(envelope.path("msgCompressionKind").asText()),
        envelope.path("msgCompressionKind").toString());
    assertEquals(1, envelope.path("msgSplitIdx").asInt(-1), "msgSplitIdx is 1 for an unsplit record");
    assertEquals(1, envelope.path("msgSplitCount").asInt(-1), "msgSplitCount is 1 for an unsplit record");
    assertEquals(SOURCE_IP, envelope.path("msgSourceIP").asText());
    assertEquals(USER, envelope.path("msgCreatedBy").asText());
    assertTrue(envelope.path("msgCreationTime").isIntegralNumber());
    assertEquals(CREATED, envelope.path("msgCreationTime").asLong());
    assertEquals("ENTITY_CREATE_V2", envelope.path("message").path("type").asText());
    assertSameJson(message, envelope.path("message"));
    assertDecodesTo(encoded.records(), message);
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);
  }

  @Test
  void envelopeNamesTheSendingHookAndIsNotSpooled() {
    JsonNode envelope = envelope(encode(encoder(MAX_LENGTH, true), notification(null)).records().get(0));

    assertEquals("spark-atlas-agent", envelope.path("source").path("source").asText());
    assertEquals("0.1.0-test", envelope.path("source").path("version").asText());
    assertTrue(!envelope.has("spooled") || !envelope.path("spooled").asBoolean());
  }

  // ------------------------------------------------------------------------------------------ boundary

  /** Plan text that makes the unsplit envelope exactly {@code recordBytes} long (ASCII only, no escapes). */
  private static ObjectNode notificationWithRecordSize(NotificationEncoder encoder, int recordBytes) {
    String base = "x";
    int baseSize = utf8Length(encode(encoder, notification(base)).records().get(0));
    return notification("x".repeat(recordBytes - baseSize + base.length()));
  }

  @Test
  void envelopeOfExactlyMaxLengthMinusReserveIsSentAsIs() {
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);
    ObjectNode message = notificationWithRecordSize(encoder, MAX_LENGTH - NotificationEncoder.ENVELOPE_RESERVE);

    EncodedMessage encoded = encode(encoder, message);

    assertEquals(1, encoded.records().size());
    assertEquals(MAX_LENGTH - NotificationEncoder.ENVELOPE_RESERVE, utf8Length(encoded.records().get(0)));
    assertSameJson(message, envelope(encoded.records().get(0)).path("message"));
  }

  @Test
  void notificationJustOverTheMaxLengthIsGzipBase64CompressedIntoOneRecord() throws IOException {
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);
    ObjectNode message = notificationWithRecordSize(encoder, MAX_LENGTH + 100);

    EncodedMessage encoded = encode(encoder, message);

    assertEquals(1, encoded.records().size());
    assertEquals(KEY, encoded.key());
    JsonNode envelope = envelope(encoded.records().get(0));
    assertEquals("GZIP", envelope.path("msgCompressionKind").asText());
    assertEquals("{\"version\":\"1.0.0\"}", envelope.path("version").toString());
    assertEquals(1, envelope.path("msgSplitCount").asInt(1));
    assertTrue(envelope.path("msgId").isTextual() && !envelope.path("msgId").asText().isEmpty());
    assertTrue(envelope.path("message").isTextual(), "message is the Base64(gzip) string");
    // the compressed string is the whole original envelope, as Atlas's consumer expects
    JsonNode inner = JSON.readTree(gunzip(Base64.getDecoder().decode(envelope.path("message").asText())));
    assertEquals("{\"version\":\"1.0.0\"}", inner.path("version").toString());
    assertEquals(CREATED, inner.path("msgCreationTime").asLong());
    assertEquals(USER, inner.path("msgCreatedBy").asText());
    assertSameJson(message, inner.path("message"));
    assertDecodesTo(encoded.records(), message);
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);
  }

  @Test
  void lengthLimitCountsUtf8BytesNotCharacters() {
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);
    int baseSize = utf8Length(encode(encoder, notification("")).records().get(0));
    // fewer characters than the limit, but two bytes each: over the limit in bytes
    String plan = "é".repeat((MAX_LENGTH - NotificationEncoder.ENVELOPE_RESERVE - baseSize) / 2 + 10);
    ObjectNode message = notification(plan);
    assertTrue(message.toString().length() < MAX_LENGTH - NotificationEncoder.ENVELOPE_RESERVE);

    EncodedMessage encoded = encode(encoder, message);

    assertEquals("GZIP", envelope(encoded.records().get(0)).path("msgCompressionKind").asText());
    assertDecodesTo(encoded.records(), message);
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);
  }

  // ------------------------------------------------------------------------------------------ split

  @Test
  void incompressibleNotificationOfSeveralMegabytesIsSplitIntoPartsThatReassembleExactly() {
    ObjectNode message = notification(incompressible(3_000_000, 42));
    assertTrue(utf8Length(message.toString()) > 4 * MAX_LENGTH, "several MB of JSON");

    EncodedMessage encoded = encode(encoder(MAX_LENGTH, true), message);

    List<String> records = encoded.records();
    int n = records.size();
    assertTrue(n > 1, "split into parts, got " + n);
    assertEquals(KEY, encoded.key(), "every part goes with the same record key");
    Set<String> msgIds = new HashSet<>();
    for (int i = 0; i < n; i++) {
      JsonNode part = envelope(records.get(i));
      assertEquals(i, part.path("msgSplitIdx").asInt(-1), "part " + i);
      assertEquals(n, part.path("msgSplitCount").asInt(-1), "part " + i);
      assertEquals("GZIP", part.path("msgCompressionKind").asText(), "part " + i);
      assertEquals("{\"version\":\"1.0.0\"}", part.path("version").toString(), "part " + i);
      assertTrue(part.path("message").isTextual(), "part " + i);
      msgIds.add(part.path("msgId").asText());
    }
    assertEquals(1, msgIds.size(), "one msgId for all parts: " + msgIds);
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);

    assertDecodesTo(records, message);
  }

  @Test
  void splitPartsAreFullExceptTheLast() {
    EncodedMessage encoded = encode(encoder(MAX_LENGTH, true), notification(incompressible(2_000_000, 7)));

    List<String> records = encoded.records();
    for (int i = 0; i < records.size() - 1; i++) {
      assertEquals(MAX_LENGTH - NotificationEncoder.ENVELOPE_RESERVE,
          envelope(records.get(i)).path("message").asText().length(), "part " + i);
    }
  }

  @Test
  void withCompressionDisabledSplitPartsAreBase64OfTheRawJsonAndDecode() throws IOException {
    ObjectNode message = notification(incompressible(1_200_000, 3));

    EncodedMessage encoded = encode(encoder(MAX_LENGTH, false), message);

    List<String> records = encoded.records();
    assertTrue(records.size() > 1, "split into parts, got " + records.size());
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < records.size(); i++) {
      JsonNode part = envelope(records.get(i));
      assertEquals("NONE", part.path("msgCompressionKind").asText("NONE"), "part " + i);
      assertEquals(i, part.path("msgSplitIdx").asInt(-1));
      assertEquals(records.size(), part.path("msgSplitCount").asInt(-1));
      joined.append(part.path("message").asText());
    }
    JsonNode inner = JSON.readTree(Base64.getDecoder().decode(joined.toString()));
    assertSameJson(message, inner.path("message"));
    assertEquals(CREATED, inner.path("msgCreationTime").asLong());
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);
    assertDecodesTo(records, message);
  }

  @Test
  void withCompressionDisabledAMessageJustOverTheLimitIsSplitNotCompressed() {
    NotificationEncoder encoder = encoder(MAX_LENGTH, false);
    ObjectNode message = notificationWithRecordSize(encoder, MAX_LENGTH + 100);

    EncodedMessage encoded = encode(encoder, message);

    assertTrue(encoded.records().size() >= 2, "parts: " + encoded.records().size());
    for (String record : encoded.records()) {
      assertEquals("NONE", envelope(record).path("msgCompressionKind").asText("NONE"));
    }
    assertEveryRecordFitsTheLimits(encoded, MAX_LENGTH);
    assertDecodesTo(encoded.records(), message);
  }

  @Test
  void smallMaxLengthStillGivesPartsWithinTheLimit() {
    int maxLength = 4096;
    ObjectNode message = notification(incompressible(40_000, 11));

    EncodedMessage encoded = encode(encoder(maxLength, true), message);

    assertTrue(encoded.records().size() > 10);
    assertEveryRecordFitsTheLimits(encoded, maxLength);
    assertDecodesTo(encoded.records(), message);
  }

  @Test
  void eachSplitMessageGetsItsOwnMsgIdSoInterleavedPartsStillReassemble() {
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);
    ObjectNode first = notification(incompressible(1_500_000, 1));
    ObjectNode second = notification(incompressible(1_500_000, 2));

    EncodedMessage a = encode(encoder, first);
    EncodedMessage b = encode(encoder, second);

    String idA = envelope(a.records().get(0)).path("msgId").asText();
    String idB = envelope(b.records().get(0)).path("msgId").asText();
    assertNotEquals(idA, idB);
    List<String> interleaved = new ArrayList<>();
    for (int i = 0; i < Math.max(a.records().size(), b.records().size()); i++) {
      if (i < a.records().size()) {
        interleaved.add(a.records().get(i));
      }
      if (i < b.records().size()) {
        interleaved.add(b.records().get(i));
      }
    }
    // parts interleave, but a's last part comes before b's last part
    assertDecodesTo(interleaved, first, second);
  }

  @Test
  void msgIdsOfTwoEncodersDiffer() {
    ObjectNode message = notification(incompressible(1_500_000, 5));

    String a = envelope(encode(encoder(MAX_LENGTH, true), message).records().get(0)).path("msgId").asText();
    String b = envelope(encode(encoder(MAX_LENGTH, true), message).records().get(0)).path("msgId").asText();

    assertNotEquals(a, b, "two drivers (or restarts) must not reuse a msgId");
  }

  // ------------------------------------------------------------------------------------------ spooled notifications

  private static OutboundMessage spooledForm(ObjectNode message, boolean planText) {
    return new OutboundMessage(APP_ID, KEY, USER, CREATED, NotificationJson.toText(message), planText);
  }

  @Test
  void notificationFromTheSpoolEncodesExactlyAsItsJsonObject() {
    ObjectNode message = notification("Project [id#1, amount#2]");
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);

    EncodedMessage fromObject = encode(encoder, message);
    EncodedMessage fromText = encoder.encode(spooledForm(message, true), false);

    assertEquals(KEY, fromText.key());
    assertEquals(fromObject.records(), fromText.records(), "the body is embedded as it is, not re-escaped");
    assertDecodesTo(fromText.records(), message);
  }

  @Test
  void splitNotificationFromTheSpoolReassemblesToItsJsonObject() {
    ObjectNode message = notification(incompressible(40_000, 13));

    EncodedMessage encoded = encoder(4096, true).encode(spooledForm(message, true), false);

    assertTrue(encoded.records().size() > 5, "parts: " + encoded.records().size());
    assertEveryRecordFitsTheLimits(encoded, 4096);
    assertDecodesTo(encoded.records(), message);
  }

  @Test
  void spooledFlagIsSetOnlyWhenAsked() {
    ObjectNode message = notification("Project [id#1]");
    NotificationEncoder encoder = encoder(MAX_LENGTH, true);

    JsonNode late = envelope(encoder.encode(spooledForm(message, true), true).records().get(0));
    JsonNode live = envelope(encoder.encode(spooledForm(message, true), false).records().get(0));

    assertTrue(late.path("spooled").isBoolean() && late.path("spooled").asBoolean(), late.toString());
    assertTrue(live.path("spooled").isBoolean() && !live.path("spooled").asBoolean(), live.toString());
    assertEquals(CREATED, late.path("msgCreationTime").asLong(), "the capture time, not the sending time");
    assertSameJson(message, late.path("message"));
  }

  @Test
  void withoutPlanTextDropsOnlyThePlanTextAttributesOfTheProcess() throws IOException {
    ObjectNode message = notification("== Analyzed Logical Plan ==\nProject [secret_column#1]");
    OutboundMessage full = spooledForm(message, true);

    OutboundMessage shed = full.withoutPlanText();

    assertFalse(shed.hasPlanText());
    assertEquals(List.of(full.applicationId(), full.key(), full.user()),
        List.of(shed.applicationId(), shed.key(), shed.user()));
    assertEquals(full.createdAtMillis(), shed.createdAtMillis());
    assertFalse(shed.body().contains("secret_column"), shed.body());
    JsonNode before = JSON.readTree(full.body());
    JsonNode after = JSON.readTree(shed.body());
    ObjectNode expected = before.deepCopy();
    for (JsonNode entity : expected.path("entities").path("entities")) {
      if ("spark_process".equals(entity.path("typeName").asText())) {
        assertTrue(entity.path("attributes").has("sparkPlanDescription"));
        assertTrue(entity.path("attributes").has("details"));
        ((ObjectNode) entity.path("attributes")).remove(List.of("sparkPlanDescription", "details"));
      }
    }
    assertEquals(expected, after, "everything else, inputs and outputs included, is unchanged");
    assertSame(shed, shed.withoutPlanText(), "nothing left to shed");
  }
}
