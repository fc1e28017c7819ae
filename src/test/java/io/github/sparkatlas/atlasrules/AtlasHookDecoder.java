package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test support: reads Kafka record values with Apache Atlas's own hook consumer code ({@code HookMessageDeserializer},
 * i.e. {@code AtlasNotificationMessageDeserializer}: envelope version check, GZIP and Base64, reassembly of split
 * messages), so a test gets exactly what an Atlas server would get, or learns why the server would drop a record:
 * what Atlas threw or logged at WARN and above (Atlas's classes run in {@link AtlasClassLoader}, the work is done by
 * {@code atlasrules.inatlas.HookRecords}).
 *
 * <p>On top, our own checks of the envelope, for what Atlas silently accepts ({@code [strict]} problems): fields
 * Jackson coerces ("1" or 2.5 for an int, a bare string for the version) and Base64 outside the standard alphabet
 * (Atlas's commons-codec decoder skips characters it does not know, which can corrupt data).
 */
public final class AtlasHookDecoder {

    public static final String EXPECTED_VERSION = "1.0.0";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Object records;
    private final List<String> problems = new ArrayList<>();
    private int recordNo;

    /** Atlas's HookMessageDeserializer with Atlas's defaults (15 min segment wait, 5 min purge interval). */
    public AtlasHookDecoder() {
        this.records = AtlasClassLoader.newInstance("HookRecords");
    }

    /** The same steps with other split-buffer settings (Atlas: atlas.notification.split.message.*). */
    public AtlasHookDecoder(Duration segmentsWait, Duration purgeInterval) {
        this.records = AtlasClassLoader.newInstance("HookRecords", segmentsWait.toMillis(), purgeInterval.toMillis());
    }

    /** Problems so far: every record or split message Atlas would drop or reject, with the reason. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** msgIds of split messages Atlas still holds, waiting for parts. */
    public Set<String> pendingMsgIds() {
        return pending().keySet();
    }

    @SuppressWarnings("unchecked")
    private Map<String, List<Long>> pending() {
        return (Map<String, List<Long>>) AtlasClassLoader.call(records, "pending");
    }

    /**
     * Feeds one Kafka record value. Returns the HookNotification JSON ({@code {"type":..., "user":..., ...}}) when
     * this record completes a message; empty when it is a non-final part or was dropped (see {@link #problems()}).
     */
    @SuppressWarnings("unchecked")
    public Optional<JsonNode> accept(String recordValue) {
        recordNo++;
        checkEnvelope(recordValue);
        List<Object> result = (List<Object>) AtlasClassLoader.call(records, "accept", recordValue);
        for (String problem : (List<String>) result.get(1)) {
            problems.add("record #" + recordNo + ": " + problem);
        }
        return Optional.ofNullable((String) result.get(0)).map(AtlasHookDecoder::envelopeOf);
    }

    /** Atlas's MessageVersion order: numeric parts compared in turn, trailing zero parts ignored. */
    public static int compareVersions(String a, String b) {
        return (Integer) AtlasClassLoader.call("HookRecords", "compareVersions", a, b);
    }

    // ------------------------------------------------------------------------------------------------ strict

    /**
     * Envelope fields whose JSON type Jackson coerces when Atlas binds them (so Atlas accepts them), and payload text
     * that is not standard Base64: reported as "[strict]" problems; Atlas's verdict on the record stands.
     */
    private void checkEnvelope(String recordValue) {
        JsonNode env;
        try {
            env = topLevelFields(recordValue);
        } catch (Exception e) {
            return; // Atlas reports it
        }
        if (env == null) {
            return;
        }
        for (String f : List.of("msgSplitIdx", "msgSplitCount")) {
            JsonNode n = env.get(f);
            if (present(n) && !n.isInt()) {
                strict(f + " " + n + " is not a JSON int (Atlas's Jackson coerces it to " + n.asInt() + ")");
            }
        }
        JsonNode created = env.get("msgCreationTime");
        if (present(created) && !created.isIntegralNumber()) {
            strict("msgCreationTime " + created + " is not an integral epoch-millis number");
        }
        JsonNode version = env.get("version");
        if (present(version) && version.isTextual()) {
            strict("version is a bare string " + version + "; Atlas writes {\"version\":\"1.0.0\"} (its Jackson"
                    + " accepts the string through MessageVersion(String))");
        }
        int count = env.path("msgSplitCount").asInt(1);
        boolean encoded = count > 1 || "GZIP".equals(env.path("msgCompressionKind").asText());
        if (encoded && env.path("message").isTextual()) {
            boolean last = count <= 1 || env.path("msgSplitIdx").asInt(-1) == count - 1;
            if (!isStandardBase64(env.path("message").asText(), last)) {
                strict("message is not standard Base64 (Atlas's decoder skips the characters it does not know)");
            }
        }
    }

    /** The envelope's fields, with the message itself only when it is a string (the encoded form). */
    private static JsonNode topLevelFields(String recordValue) throws java.io.IOException {
        ObjectNode fields = MAPPER.createObjectNode();
        try (JsonParser parser = MAPPER.getFactory().createParser(recordValue)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    if ("version".equals(field)) {
                        fields.set(field, MAPPER.readTree(parser));
                    } else {
                        parser.skipChildren();
                        fields.putObject(field);
                    }
                } else {
                    fields.set(field, MAPPER.readTree(parser));
                }
            }
        }
        return fields;
    }

    /** The standard alphabet; padding only at the end of the whole text (the last part). */
    private static boolean isStandardBase64(String text, boolean last) {
        int end = text.length();
        if (last) {
            for (int pads = 0; pads < 2 && end > 0 && text.charAt(end - 1) == '='; pads++) {
                end--;
            }
        }
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private void strict(String msg) {
        problems.add("record #" + recordNo + ": [strict] " + msg);
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
        d.pending().forEach((msgId, counts) -> issues.add("msgId " + msgId + ": incomplete, " + counts.get(0) + " of "
                + counts.get(1) + " parts received"));
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
