package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * Test support: decodes Kafka record values the way Atlas's hook consumer does
 * ({@code AtlasNotificationMessageDeserializer.deserialize} behind {@code HookMessageDeserializer}), so a test sees
 * exactly what the server would get, or learns why the server would drop a record.
 *
 * <p>Rules (read off Atlas 2.4.0; unchanged on master):
 * <ul>
 *   <li>The value is parsed as an {@code AtlasNotificationMessage}. Without a {@code version} the whole value is
 *       taken as an old-style, unwrapped HookNotification.</li>
 *   <li>{@code version} is {@code {"version":"x.y.z"}}. It is compared numerically part by part after dropping
 *       trailing zero parts ("1.0.0" == "1"); a version greater than 1.0.0 makes Atlas throw
 *       IncompatibleVersionException; a non-numeric part makes it throw NumberFormatException. Either way the record
 *       is lost. It is checked on every split part and on the final (decompressed) envelope; for an unsplit GZIP
 *       record only the inner envelope's version is compared.</li>
 *   <li>{@code msgSplitCount} (default 1) &gt; 1 marks a part: {@code msgId} is required; index
 *       {@code msgSplitIdx} 0 (re)starts the buffer for that msgId, dropping any parts already buffered for it;
 *       another index with no buffer is dropped ("first message didn't arrive"); an index &ge; the count of part 0 is
 *       dropped (out of bounds); the part whose own index is its own count&minus;1 completes the message: the buffer is
 *       removed and, if any part is missing, the whole message is dropped. So parts must arrive 0..n&minus;1 in order
 *       (repeats of a middle part are harmless). Parts of different msgIds may interleave.</li>
 *   <li>Completed parts: the {@code message} strings are concatenated; if the last part says GZIP the text is
 *       Base64-decoded and gunzipped, else only Base64-decoded; the result is the full original envelope JSON.</li>
 *   <li>A (non-split or reassembled) envelope with {@code msgCompressionKind} GZIP has a {@code message} string
 *       that Base64+gzip-decodes to the full original envelope JSON (version, msgCreationTime, message, ...), not
 *       just the HookNotification.</li>
 *   <li>Incomplete split messages are purged when, at the end of a call, at least the purge interval (default 5 min,
 *       atlas.notification.split.message.buffer.purge.interval.seconds) has passed since the last purge and their
 *       first part arrived at least the wait time ago (default 15 min,
 *       atlas.notification.split.message.segments.wait.time.seconds).</li>
 *   <li>The message's {@code type} must name a HookNotificationType, or Jackson fails and the record is lost.</li>
 * </ul>
 * We are stricter than Atlas in a few places: Base64 must be the standard alphabet (Atlas's commons-codec decoder
 * silently skips characters it does not know, which can corrupt data) or the message is reported as dropped; and
 * envelope fields Jackson would coerce (see {@link #checkEnvelopeFields}) are reported as "[strict]" problems.
 */
public final class AtlasHookDecoder {

    public static final String EXPECTED_VERSION = "1.0.0";
    public static final long DEFAULT_SEGMENTS_WAIT_MS = 15 * 60 * 1000L;
    public static final long DEFAULT_PURGE_INTERVAL_MS = 5 * 60 * 1000L;

    static final Set<String> HOOK_TYPES = Set.of("TYPE_CREATE", "TYPE_UPDATE", "ENTITY_CREATE",
            "ENTITY_PARTIAL_UPDATE", "ENTITY_FULL_UPDATE", "ENTITY_DELETE", "ENTITY_CREATE_V2",
            "ENTITY_PARTIAL_UPDATE_V2", "ENTITY_FULL_UPDATE_V2", "ENTITY_DELETE_V2");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final class Aggregator {
        final String msgId;
        final JsonNode[] parts;
        final long firstSplitTimestamp;

        Aggregator(String msgId, int count, long now) {
            this.msgId = msgId;
            this.parts = new JsonNode[count];
            this.firstSplitTimestamp = now;
        }

        int received() {
            int n = 0;
            for (JsonNode p : parts) {
                if (p != null) {
                    n++;
                }
            }
            return n;
        }
    }

    private final LongSupplier clock;
    private final long segmentsWaitMs;
    private final long purgeIntervalMs;
    private final Map<String, Aggregator> buffer = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long lastPurge;
    private int recordNo;

    public AtlasHookDecoder() {
        this(System::currentTimeMillis, DEFAULT_SEGMENTS_WAIT_MS, DEFAULT_PURGE_INTERVAL_MS);
    }

    /** With an explicit clock and Atlas's two split-buffer settings (milliseconds). */
    public AtlasHookDecoder(LongSupplier clock, long segmentsWaitMs, long purgeIntervalMs) {
        this.clock = clock;
        this.segmentsWaitMs = segmentsWaitMs;
        this.purgeIntervalMs = purgeIntervalMs;
        this.lastPurge = clock.getAsLong();
    }

    /** Problems so far: every record or split message Atlas would drop or reject, with the reason. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** msgIds of split messages still waiting for parts. */
    public Set<String> pendingMsgIds() {
        return Collections.unmodifiableSet(buffer.keySet());
    }

    /**
     * Feeds one Kafka record value. Returns the HookNotification JSON ({@code {"type":..., "user":..., ...}}) when
     * this record completes a message; empty when it is a non-final part or was dropped (see {@link #problems()}).
     */
    public Optional<JsonNode> accept(String recordValue) {
        recordNo++;
        Optional<JsonNode> ret;
        try {
            ret = Optional.ofNullable(deserialize(recordValue));
        } catch (Dropped d) {
            problems.add("record #" + recordNo + ": " + d.getMessage());
            ret = Optional.empty();
        }
        long now = clock.getAsLong();
        if (now - lastPurge >= purgeIntervalMs) {
            for (Iterator<Aggregator> it = buffer.values().iterator(); it.hasNext(); ) {
                Aggregator a = it.next();
                if (now - a.firstSplitTimestamp >= segmentsWaitMs) {
                    problems.add("msgId " + a.msgId + ": evicted after waiting " + (now - a.firstSplitTimestamp)
                            + " ms with " + a.received() + " of " + a.parts.length + " parts");
                    it.remove();
                }
            }
            lastPurge = now;
        }
        return ret;
    }

    private static final class Dropped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Dropped(String msg) {
            super(msg);
        }
    }

    private JsonNode deserialize(String value) {
        if (value == null) {
            throw new Dropped("null record value (Atlas calls value.toString(): NullPointerException)");
        }
        JsonNode outer = parse(value, "record value");
        if (!outer.isObject()) {
            throw new Dropped("record value is not a JSON object");
        }
        checkEnvelopeFields(outer, "envelope");
        if (isAbsent(outer.get("version"))) {
            // older style: not wrapped in AtlasNotificationMessage; the value itself is the HookNotification
            return checkHookNotification(outer);
        }
        JsonNode msg = outer;
        if (outer.path("msgSplitCount").asInt(1) > 1) {
            checkVersion(outer, "split part");
            String msgId = outer.path("msgId").isTextual() ? outer.path("msgId").asText() : "";
            if (msgId.isEmpty()) {
                throw new Dropped("multi-part message with no msgId: ignored");
            }
            int idx = outer.has("msgSplitIdx") ? outer.get("msgSplitIdx").asInt() : 1; // Atlas's field default is 1
            int count = outer.path("msgSplitCount").asInt();
            if (!outer.path("message").isTextual()) {
                throw new Dropped("msgId " + msgId + " part " + (idx + 1) + " of " + count
                        + ": 'message' of a split part must be a string");
            }
            Aggregator agg;
            if (idx == 0) {
                Aggregator old = buffer.get(msgId);
                if (old != null) {
                    problems.add("msgId " + msgId + ": part 1 arrived again; the " + old.received()
                            + " part(s) buffered so far are discarded");
                }
                agg = new Aggregator(msgId, count, clock.getAsLong());
                buffer.put(msgId, agg);
            } else {
                agg = buffer.get(msgId);
            }
            if (agg == null) {
                throw new Dropped("msgId " + msgId + ": part " + (idx + 1) + " of " + count
                        + " arrived but the first part did not (or the message was already completed/dropped):"
                        + " ignored");
            }
            if (idx < 0 || agg.parts.length <= idx) {
                throw new Dropped("msgId " + msgId + ": part " + (idx + 1) + " of " + count + " is out of bounds"
                        + " (part 1 said " + agg.parts.length + " parts): ignored");
            }
            agg.parts[idx] = outer;
            if (idx != count - 1) {
                return null; // more parts to come
            }
            buffer.remove(msgId);
            StringBuilder sb = new StringBuilder();
            JsonNode last = null;
            for (int i = 0; i < agg.parts.length; i++) {
                if (agg.parts[i] == null) {
                    throw new Dropped("msgId " + msgId + ": last part arrived but part " + (i + 1) + " of "
                            + agg.parts.length + " is missing (parts must arrive in order): whole message dropped");
                }
                last = agg.parts[i];
                sb.append(agg.parts[i].path("message").asText());
            }
            String kind = last.path("msgCompressionKind").asText("NONE");
            byte[] bytes = "GZIP".equals(kind) ? gunzip(base64(sb.toString(), "msgId " + msgId), "msgId " + msgId)
                    : base64(sb.toString(), "msgId " + msgId);
            msg = parse(new String(bytes, StandardCharsets.UTF_8), "msgId " + msgId + " reassembled envelope");
            if (!msg.isObject()) {
                throw new Dropped("msgId " + msgId + ": reassembled text is not a JSON object envelope");
            }
            checkEnvelopeFields(msg, "msgId " + msgId + " reassembled envelope");
        }
        if ("GZIP".equals(msg.path("msgCompressionKind").asText("NONE"))) {
            String where = "compressed envelope" + (msg.path("msgId").isTextual() ? " msgId "
                    + msg.path("msgId").asText() : "");
            if (!msg.path("message").isTextual()) {
                throw new Dropped(where + ": 'message' must be the Base64(gzip) string");
            }
            String text = new String(gunzip(base64(msg.path("message").asText(), where), where), StandardCharsets.UTF_8);
            msg = parse(text, where + " after gunzip");
            if (!msg.isObject()) {
                throw new Dropped(where + ": decompressed text is not a JSON object envelope");
            }
            checkEnvelopeFields(msg, where + " after gunzip");
        }
        JsonNode inner = msg;
        if (isAbsent(inner.get("version"))) {
            throw new Dropped("final envelope has no version (Atlas: NullPointerException in compareVersion)");
        }
        checkVersion(inner, "envelope");
        JsonNode message = inner.get("message");
        if (isAbsent(message)) {
            throw new Dropped("envelope has no message (Atlas would hand on null and skip the record)");
        }
        return checkHookNotification(message);
    }

    private static boolean isAbsent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static JsonNode parse(String text, String what) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new Dropped(what + " is empty");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Dropped(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Field types AtlasNotificationBaseMessage binds. An unknown msgCompressionKind makes Jackson, and so Atlas,
     * fail the parse (dropped). Other mistyped fields Jackson coerces ("3" or 2.5 for an int, a bare string for
     * version): Atlas accepts those, we report them as "[strict]" problems and go on with the coerced value.
     */
    private void checkEnvelopeFields(JsonNode env, String where) {
        JsonNode kind = env.get("msgCompressionKind");
        if (!isAbsent(kind) && !(kind.isTextual() && Set.of("NONE", "GZIP").contains(kind.asText()))) {
            throw new Dropped(where + ": msgCompressionKind " + kind + " is not NONE or GZIP");
        }
        for (String f : List.of("msgSplitIdx", "msgSplitCount")) {
            JsonNode n = env.get(f);
            if (!isAbsent(n) && !n.isInt()) {
                strict(where + ": " + f + " " + n + " is not a JSON int (Atlas's Jackson coerces it to "
                        + n.asInt() + ")");
            }
        }
        JsonNode created = env.get("msgCreationTime");
        if (!isAbsent(created) && !created.isIntegralNumber()) {
            strict(where + ": msgCreationTime " + created + " is not an integral epoch-millis number");
        }
        JsonNode v = env.get("version");
        if (!isAbsent(v)) {
            if (v.isTextual()) {
                strict(where + ": version is a bare string " + v + "; Atlas writes {\"version\":\"1.0.0\"}"
                        + " (its Jackson accepts the string through MessageVersion(String))");
            } else if (!v.isObject() || !v.path("version").isTextual()) {
                throw new Dropped(where + ": version must be {\"version\":\"1.0.0\"}, got " + v);
            }
        }
    }

    private void strict(String msg) {
        problems.add("record #" + recordNo + ": [strict] " + msg);
    }

    private static void checkVersion(JsonNode env, String where) {
        JsonNode v = env.get("version");
        String version = v.isTextual() ? v.asText() : v.path("version").asText();
        int cmp;
        try {
            cmp = compareVersions(version, EXPECTED_VERSION);
        } catch (NumberFormatException e) {
            throw new Dropped(where + ": version '" + version + "' is not numeric (Atlas: NumberFormatException)");
        }
        if (cmp > 0) {
            throw new Dropped(where + ": version " + version + " is newer than " + EXPECTED_VERSION
                    + ": rejected (Atlas: IncompatibleVersionException)");
        }
    }

    /** MessageVersion.compareTo: numeric parts, trailing zero parts dropped, missing parts count as 0. */
    static int compareVersions(String a, String b) {
        int[] pa = versionParts(a);
        int[] pb = versionParts(b);
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            int c = (i < pa.length ? pa[i] : 0) - (i < pb.length ? pb[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int[] versionParts(String v) {
        List<Integer> parts = new ArrayList<>();
        int zeros = 0;
        for (String s : v.split("\\.")) {
            int p = Integer.parseInt(s);
            if (p == 0) {
                zeros++;
            } else {
                for (; zeros > 0; zeros--) {
                    parts.add(0);
                }
                parts.add(p);
            }
        }
        return parts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static JsonNode checkHookNotification(JsonNode message) {
        if (!message.isObject()) {
            throw new Dropped("message is not a JSON object");
        }
        JsonNode type = message.get("type");
        if (type == null || !type.isTextual() || !HOOK_TYPES.contains(type.asText())) {
            throw new Dropped("message type " + type + " is not a HookNotificationType");
        }
        return message;
    }

    private static byte[] base64(String s, String where) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new Dropped(where + ": message is not standard Base64 (" + e.getMessage() + ")");
        }
    }

    private static byte[] gunzip(byte[] data, String where) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new Dropped(where + ": not valid gzip data (" + e.getMessage() + ")");
        }
    }

    // ------------------------------------------------------------------------------------------------ statics

    /**
     * Decodes a sequence of record values (one partition, in order). Fails with an AssertionError listing the
     * reasons if Atlas would drop or reject anything, or if a split message is left incomplete.
     */
    public static List<JsonNode> decodeAll(List<String> values) {
        AtlasHookDecoder d = new AtlasHookDecoder();
        List<JsonNode> out = new ArrayList<>();
        for (String v : values) {
            d.accept(v).ifPresent(out::add);
        }
        List<String> issues = new ArrayList<>(d.problems());
        for (Aggregator a : d.buffer.values()) {
            issues.add("msgId " + a.msgId + ": incomplete, " + a.received() + " of " + a.parts.length
                    + " parts received");
        }
        if (!issues.isEmpty()) {
            throw new AssertionError("Atlas would not get every message:\n  " + String.join("\n  ", issues));
        }
        return out;
    }

    /** The record's envelope JSON as sent (not decompressed). */
    public static JsonNode envelopeOf(String value) {
        try {
            return MAPPER.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("record value is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
