package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Envelopes are built by hand here, the way AbstractNotification.createNotificationMessages lays them out, and read by
 * Apache Atlas 2.4.0's own HookMessageDeserializer: what it drops and why (problems quoting Atlas's exceptions and log
 * lines) is Atlas's verdict. The {@code [strict]} problems are our own, for what Atlas accepts but should not get from
 * us: coerced envelope fields and Base64 outside the standard alphabet.
 */
class AtlasHookDecoderTest {

    static final ObjectMapper M = new ObjectMapper();

    static ObjectNode hookMessage() {
        return (ObjectNode) AtlasTypeSystem.json("""
                {"type": "ENTITY_CREATE_V2", "user": "alice",
                 "entities": {"entities": [{"typeName": "spark_db", "guid": "-1",
                                            "attributes": {"qualifiedName": "sales@primary", "name": "sales",
                                                           "description": "Ünïcödé ✓ 数据"}}],
                              "referredEntities": {}}}
                """);
    }

    static ObjectNode version(String v) {
        ObjectNode n = M.createObjectNode();
        n.put("version", v);
        return n;
    }

    /** AtlasNotificationMessage as the hook writes it (unsplit, uncompressed). */
    static ObjectNode envelope(JsonNode message, String version) {
        ObjectNode e = M.createObjectNode();
        e.set("version", version(version));
        e.put("msgCompressionKind", "NONE");
        e.put("msgSplitIdx", 1);
        e.put("msgSplitCount", 1);
        e.put("msgSourceIP", "10.0.0.1");
        e.put("msgCreatedBy", "alice");
        e.put("msgCreationTime", 1704067200000L);
        e.put("spooled", false);
        e.set("message", message);
        return e;
    }

    static String json(JsonNode n) {
        try {
            return M.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String gzipBase64(String text) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getEncoder().encodeToString(bos.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** AtlasNotificationStringMessage: the compressed (or split) form, which carries no msgCreationTime etc. */
    static String stringMessage(String payload, String msgId, String kind, int idx, int count, String version) {
        ObjectNode e = M.createObjectNode();
        e.set("version", version(version));
        e.put("msgId", msgId);
        e.put("msgCompressionKind", kind);
        e.put("msgSplitIdx", idx);
        e.put("msgSplitCount", count);
        e.put("message", payload);
        return json(e);
    }

    static List<String> split(String payload, String msgId, String kind, int parts) {
        int size = (payload.length() + parts - 1) / parts;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            String chunk = payload.substring(i * size, Math.min(payload.length(), (i + 1) * size));
            out.add(stringMessage(chunk, msgId, kind, i, parts, "1.0.0"));
        }
        return out;
    }

    static void assertProblem(AtlasHookDecoder d, String... fragments) {
        assertTrue(d.problems().stream().anyMatch(p -> List.of(fragments).stream().allMatch(p::contains)),
                () -> "no problem mentions " + List.of(fragments) + " in " + d.problems());
    }

    // ------------------------------------------------------------------------------------------------ plain

    @Test
    void plainEnvelope() {
        AtlasHookDecoder d = new AtlasHookDecoder();
        Optional<JsonNode> got = d.accept(json(envelope(hookMessage(), "1.0.0")));
        assertEquals(Optional.of(hookMessage()), got);
        assertEquals(List.of(), d.problems());
        assertEquals("1.0.0", AtlasHookDecoder.envelopeOf(json(envelope(hookMessage(), "1.0.0")))
                .path("version").path("version").asText());
    }

    @Test
    void unknownEnvelopeFieldsAreIgnored() {
        ObjectNode e = envelope(hookMessage(), "1.0.0");
        e.set("source", AtlasTypeSystem.json("{\"source\": \"spark\", \"version\": \"0.1.0\"}"));
        e.put("someFutureField", 42);
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(List.of(json(e))));
    }

    @Test
    void olderOrEqualVersionsAreAccepted() {
        for (String v : List.of("1", "1.0", "1.0.0.0", "0.9")) {
            assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(List.of(json(envelope(hookMessage(), v)))),
                    v);
        }
        assertEquals(0, AtlasHookDecoder.compareVersions("1.0.0", "1"));
        assertTrue(AtlasHookDecoder.compareVersions("1.0.1", "1.0.0") > 0);
        assertTrue(AtlasHookDecoder.compareVersions("0.10", "0.9") > 0);
    }

    @Test
    void newerVersionIsRejected() {
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(json(envelope(hookMessage(), "2.0.0"))));
        assertProblem(d, "record #1", "rejected by Atlas", "IncompatibleVersionException", "2.0.0");
        assertEquals(Optional.empty(), d.accept(json(envelope(hookMessage(), "1.0.1"))));
        assertProblem(d, "record #2", "IncompatibleVersionException", "1.0.1");
        assertEquals(Optional.empty(), d.accept(json(envelope(hookMessage(), "1.0.0-SNAPSHOT"))));
        assertProblem(d, "record #3", "rejected by Atlas", "NumberFormatException");
        AssertionError err = assertThrows(AssertionError.class,
                () -> AtlasHookDecoder.decodeAll(List.of(json(envelope(hookMessage(), "2.0.0")))));
        assertTrue(err.getMessage().contains("2.0.0"), err.getMessage());
    }

    @Test
    void unwrappedOldStyleMessageIsTakenAsIs() {
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(List.of(json(hookMessage()))));
    }

    @Test
    void garbageIsReported() {
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept("{not json"));
        assertEquals(Optional.empty(), d.accept(json(envelope(AtlasTypeSystem.json("{\"type\": \"LINEAGE\"}"),
                "1.0.0"))));
        ObjectNode zstd = envelope(hookMessage(), "1.0.0");
        zstd.put("msgCompressionKind", "ZSTD");
        assertEquals(Optional.empty(), d.accept(json(zstd)));
        assertProblem(d, "record #1", "Atlas ERROR", "JsonParseException");
        assertProblem(d, "record #2", "Atlas ERROR", "No enum constant", "LINEAGE");
        assertProblem(d, "record #3", "Atlas ERROR", "\"msgCompressionKind\":\"ZSTD\"");
    }

    @Test
    void coercibleFieldsAreStrictProblemsButStillDecoded() {
        ObjectNode e = envelope(hookMessage(), "1.0.0");
        e.put("version", "1.0.0");
        e.put("msgSplitCount", "1");
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.of(hookMessage()), d.accept(json(e)));
        assertProblem(d, "[strict]", "bare string");
        assertProblem(d, "[strict]", "msgSplitCount");
    }

    // ------------------------------------------------------------------------------------------------ gzip

    @Test
    void gzipOfTheFullEnvelope() {
        String full = json(envelope(hookMessage(), "1.0.0"));
        String record = stringMessage(gzipBase64(full), "msg-1", "GZIP", 1, 1, "1.0.0");
        assertTrue(AtlasHookDecoder.envelopeOf(record).path("message").isTextual());
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(List.of(record)));
    }

    @Test
    void gzipOfOnlyTheHookMessageIsLost() {
        // Atlas parses the decompressed text as the whole AtlasNotificationMessage: without a version it fails
        String record = stringMessage(gzipBase64(json(hookMessage())), "msg-1", "GZIP", 1, 1, "1.0.0");
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(record));
        assertProblem(d, "rejected by Atlas", "NullPointerException", "MessageVersion");
    }

    @Test
    void gzipChecksTheInnerVersionNotTheOuterOne() {
        String goodInner = json(envelope(hookMessage(), "1.0.0"));
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(List.of(
                stringMessage(gzipBase64(goodInner), "m", "GZIP", 1, 1, "9.0.0"))));
        String badInner = json(envelope(hookMessage(), "2.0.0"));
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(stringMessage(gzipBase64(badInner), "m", "GZIP", 1, 1, "1.0.0")));
        assertProblem(d, "rejected by Atlas", "IncompatibleVersionException", "2.0.0");
    }

    @Test
    void badBase64OrGzipIsReported() {
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(stringMessage("!!not base64!!", "m", "GZIP", 1, 1, "1.0.0")));
        assertProblem(d, "record #1", "Base64");
        String notGzip = Base64.getEncoder().encodeToString("plain".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), d.accept(stringMessage(notGzip, "m", "GZIP", 1, 1, "1.0.0")));
        assertProblem(d, "record #2", "gzip");
    }

    // ------------------------------------------------------------------------------------------------ split

    @Test
    void gzipSplitInThreePartsInOrder() {
        String payload = gzipBase64(json(envelope(hookMessage(), "1.0.0")));
        List<String> parts = split(payload, "msg-42", "GZIP", 3);
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(parts.get(0)));
        assertEquals(Optional.empty(), d.accept(parts.get(1)));
        assertEquals(List.of("msg-42"), List.copyOf(d.pendingMsgIds()));
        assertEquals(Optional.of(hookMessage()), d.accept(parts.get(2)));
        assertEquals(List.of(), d.problems());
        assertTrue(d.pendingMsgIds().isEmpty());
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(parts));
    }

    @Test
    void uncompressedSplitIsBase64OfTheEnvelope() {
        // compression disabled on the hook: the envelope's UTF-8 bytes are Base64-encoded and split
        String full = json(envelope(hookMessage(), "1.0.0"));
        String payload = Base64.getEncoder().encodeToString(full.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(hookMessage()), AtlasHookDecoder.decodeAll(split(payload, "m7", "NONE", 3)));
    }

    @Test
    void partsOutOfOrderDropTheMessage() {
        String payload = gzipBase64(json(envelope(hookMessage(), "1.0.0")));
        List<String> p = split(payload, "msg-9", "GZIP", 3);

        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(p.get(0)));
        assertEquals(Optional.empty(), d.accept(p.get(2)));  // last part completes: part 2 of 3 missing
        assertEquals(Optional.empty(), d.accept(p.get(1)));  // no buffer any more
        assertProblem(d, "record #2", "MsgID=msg-9", "message 2 of 3 is missing. Ignoring message");
        assertProblem(d, "record #3", "msgID=msg-9", "2 of 3, but first message didn't arrive");
        assertTrue(d.pendingMsgIds().isEmpty());

        AtlasHookDecoder d2 = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d2.accept(p.get(1)));  // before part 0: ignored
        assertEquals(Optional.empty(), d2.accept(p.get(0)));
        assertEquals(Optional.empty(), d2.accept(p.get(2)));
        assertProblem(d2, "record #1", "first message didn't arrive");
        assertProblem(d2, "record #3", "message 2 of 3 is missing");

        AssertionError err = assertThrows(AssertionError.class,
                () -> AtlasHookDecoder.decodeAll(List.of(p.get(0), p.get(2), p.get(1))));
        assertTrue(err.getMessage().contains("msg-9"), err.getMessage());
    }

    @Test
    void missingLastPartLeavesTheMessagePending() {
        String payload = gzipBase64(json(envelope(hookMessage(), "1.0.0")));
        List<String> p = split(payload, "msg-3", "GZIP", 3);
        AssertionError err = assertThrows(AssertionError.class,
                () -> AtlasHookDecoder.decodeAll(p.subList(0, 2)));
        assertTrue(err.getMessage().contains("msg-3: incomplete, 2 of 3"), err.getMessage());
    }

    @Test
    void repeatedFirstPartRestartsTheBuffer() {
        String payload = gzipBase64(json(envelope(hookMessage(), "1.0.0")));
        List<String> p = split(payload, "msg-r", "GZIP", 3);
        AtlasHookDecoder d = new AtlasHookDecoder();
        d.accept(p.get(0));
        d.accept(p.get(1));
        d.accept(p.get(0));                                  // restart: part 2 forgotten
        assertEquals(Optional.empty(), d.accept(p.get(2)));
        assertProblem(d, "msg-r", "discarded");
        assertProblem(d, "msg-r", "message 2 of 3 is missing");
        // a repeated middle part is harmless
        AtlasHookDecoder d2 = new AtlasHookDecoder();
        d2.accept(p.get(0));
        d2.accept(p.get(1));
        d2.accept(p.get(1));
        assertEquals(Optional.of(hookMessage()), d2.accept(p.get(2)));
        assertEquals(List.of(), d2.problems());
    }

    @Test
    void interleavedMessagesWithDifferentIdsBothDecode() {
        ObjectNode other = hookMessage();
        other.put("user", "bob");
        List<String> a = split(gzipBase64(json(envelope(hookMessage(), "1.0.0"))), "A", "GZIP", 2);
        List<String> b = split(gzipBase64(json(envelope(other, "1.0.0"))), "B", "GZIP", 2);
        assertEquals(List.of(other, hookMessage()),
                AtlasHookDecoder.decodeAll(List.of(a.get(0), b.get(0), b.get(1), a.get(1))));
    }

    @Test
    void splitPartsAreVersionCheckedAndNeedAnId() {
        String payload = gzipBase64(json(envelope(hookMessage(), "1.0.0")));
        AtlasHookDecoder d = new AtlasHookDecoder();
        assertEquals(Optional.empty(), d.accept(stringMessage(payload, "v", "GZIP", 0, 2, "2.0.0")));
        assertProblem(d, "record #1", "IncompatibleVersionException", "2.0.0");
        assertFalse(d.pendingMsgIds().contains("v"));
        assertEquals(Optional.empty(), d.accept(stringMessage(payload, "", "GZIP", 0, 2, "1.0.0")));
        assertProblem(d, "record #2", "multi-part message with no message ID");
        d.accept(stringMessage(payload.substring(0, 10), "o", "GZIP", 0, 2, "1.0.0"));
        assertEquals(Optional.empty(), d.accept(stringMessage(payload.substring(10), "o", "GZIP", 5, 6, "1.0.0")));
        assertProblem(d, "record #4", "out of bounds");
    }

    @Test
    void staleSplitMessagesAreEvictedLikeAtlasDoes() throws InterruptedException {
        // Atlas purges at the end of a call once the purge interval has passed since the last purge, and evicts the
        // split messages whose first part arrived at least the segment wait time ago. Real time here (Atlas reads
        // the clock itself), so the two settings are made short or long enough that no timing can blur the result.
        List<String> p = split(gzipBase64(json(envelope(hookMessage(), "1.0.0"))), "slow", "GZIP", 2);

        AtlasHookDecoder d = new AtlasHookDecoder(Duration.ofSeconds(1), Duration.ZERO);
        d.accept(p.get(0));
        d.accept(json(envelope(hookMessage(), "1.0.0")));       // a purge runs, but the part is younger than 1 s
        assertEquals(List.of("slow"), List.copyOf(d.pendingMsgIds()));
        Thread.sleep(1_100);
        d.accept(json(envelope(hookMessage(), "1.0.0")));       // older than 1 s: evicted
        assertTrue(d.pendingMsgIds().isEmpty());
        assertProblem(d, "slow", "evicting", "totalSplitCount=2, receivedSplitCount=1");
        assertEquals(Optional.empty(), d.accept(p.get(1)));
        assertProblem(d, "slow", "first message didn't arrive");

        AtlasHookDecoder d2 = new AtlasHookDecoder(Duration.ZERO, Duration.ofHours(1));
        d2.accept(p.get(0));
        d2.accept(json(envelope(hookMessage(), "1.0.0")));      // stale at once, but no purge within the hour
        assertEquals(List.of("slow"), List.copyOf(d2.pendingMsgIds()));
    }
}
