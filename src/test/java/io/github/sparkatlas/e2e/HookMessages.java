package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;

/**
 * Reads decoded ENTITY_CREATE_V2 notifications (as {@link io.github.sparkatlas.atlasrules.AtlasHookDecoder} hands
 * them out, i.e. as Atlas's own HookMessageDeserializer read the consumed records) the way a test wants them: the
 * spark_process of a message with its inputs and outputs resolved to type and qualifiedName, and the checks of
 * Atlas 2.4.0's own type registry and entity validation plus ours (see {@link AtlasTypeSystem}), and that nothing
 * is used that Purview's posted spark model lacks.
 */
final class HookMessages {

    private HookMessages() {
    }

    /** A dataset a process points at, as Atlas would resolve the reference. */
    record DatasetRef(String typeName, String qualifiedName) {
        static DatasetRef fsPath(String qualifiedName) {
            return new DatasetRef("fs_path", qualifiedName);
        }

        static DatasetRef sparkTable(String qualifiedName) {
            return new DatasetRef("spark_table", qualifiedName);
        }

        @Override
        public String toString() {
            return typeName + ":" + qualifiedName;
        }
    }

    /** The spark_process of one message. */
    record ProcessView(String qualifiedName, long executionId, Set<DatasetRef> inputs, Set<DatasetRef> outputs) {
    }

    /** The one spark_process among the top-level entities of an ENTITY_CREATE_V2 message (fails if not one). */
    static ProcessView onlyProcess(JsonNode message) {
        assertEquals("ENTITY_CREATE_V2", message.path("type").asText(), () -> "message type of " + message);
        JsonNode body = message.path("entities");
        Map<String, JsonNode> byGuid = new HashMap<>();
        List<JsonNode> processes = new ArrayList<>();
        for (JsonNode entity : body.path("entities")) {
            byGuid.put(entity.path("guid").asText(), entity);
            if ("spark_process".equals(entity.path("typeName").asText())) {
                processes.add(entity);
            }
        }
        body.path("referredEntities").forEach(entity -> byGuid.put(entity.path("guid").asText(), entity));
        assertEquals(1, processes.size(), () -> "spark_process entities in one message: " + processes);
        JsonNode process = processes.get(0);
        JsonNode attributes = process.path("attributes");
        JsonNode executionId = attributes.path("executionId");
        assertTrue(executionId.isIntegralNumber(), () -> "spark_process.executionId " + executionId);
        return new ProcessView(attributes.path("qualifiedName").asText(null), executionId.asLong(),
                resolve(attributes.path("inputs"), byGuid), resolve(attributes.path("outputs"), byGuid));
    }

    private static Set<DatasetRef> resolve(JsonNode ids, Map<String, JsonNode> byGuid) {
        assertTrue(ids.isArray(), () -> "inputs/outputs must be an array: " + ids);
        Set<DatasetRef> refs = new LinkedHashSet<>();
        for (JsonNode id : ids) {
            DatasetRef ref;
            if (id.has("uniqueAttributes")) {
                ref = new DatasetRef(id.path("typeName").asText(), id.path("uniqueAttributes").path("qualifiedName").asText());
            } else {
                JsonNode entity = byGuid.get(id.path("guid").asText());
                assertNotNull(entity, () -> "reference " + id + " does not resolve inside the message");
                ref = new DatasetRef(entity.path("typeName").asText(), entity.path("attributes").path("qualifiedName").asText());
            }
            assertTrue(refs.add(ref), () -> "dataset listed twice: " + ref);
        }
        return refs;
    }

    /** Whether a message is a process's (an ENTITY_CREATE_V2 with a spark_process), not a catalog change. */
    static boolean isProcessMessage(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_process".equals(entity.path("typeName").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The processes' messages among {@code messages}, in order: without the catalog changes (DDL, DROP). */
    static List<JsonNode> processMessages(List<JsonNode> messages) {
        return messages.stream().filter(HookMessages::isProcessMessage).toList();
    }

    /** The catalog changes (DDL, DROP) among {@code messages}, in order. */
    static List<JsonNode> catalogMessages(List<JsonNode> messages) {
        return messages.stream().filter(m -> !isProcessMessage(m)).toList();
    }

    /**
     * Every entity a message names, top-level and referred, as {@code typeName:qualifiedName}: what Atlas uses to
     * tell one entity from another. A message sent twice must name exactly the same ones.
     */
    static Set<String> entityNames(JsonNode message) {
        Set<String> names = new LinkedHashSet<>();
        JsonNode body = message.path("entities");
        List<JsonNode> entities = new ArrayList<>();
        body.path("entities").forEach(entities::add);
        body.path("referredEntities").forEach(entities::add);
        for (JsonNode entity : entities) {
            String qualifiedName = entity.path("attributes").path("qualifiedName").asText(null);
            assertNotNull(qualifiedName, () -> "entity without qualifiedName: " + entity);
            names.add(entity.path("typeName").asText() + ":" + qualifiedName);
        }
        return names;
    }

    /**
     * Waits until a message on {@code topic} is one {@code expected} accepts, and returns it; fails after the
     * timeout, with {@code driverLog} in the message. For a test that holds a job at a gate until a state is on the
     * topic, before a newer state of the process could supersede it.
     */
    static JsonNode awaitMessage(KafkaBroker broker, String topic, Predicate<JsonNode> expected, Duration timeout,
            Supplier<String> driverLog) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumedRecord> records = broker.consumeAll(topic, 1, Duration.ofSeconds(5));
            for (JsonNode message : AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList())) {
                if (expected.test(message)) {
                    return message;
                }
            }
        }
        throw new AssertionError("no expected message on " + topic + " within " + timeout
                + "\n--- driver log ---\n" + driverLog.get());
    }

    /** The envelope's {@code spooled} flag: true for a message sent later than it was made (Atlas 2.2+ reads it). */
    static boolean spooled(ConsumedRecord record) {
        return AtlasHookDecoder.envelopeOf(record.value()).path("spooled").asBoolean(false);
    }

    /**
     * No violation of Atlas 2.4.0's typedefs (Atlas's own validation, and our checks for what it lets through), and
     * nothing outside the spark model Microsoft's Purview guide posts (Atlas 2.1.0-rc3's model file, no server
     * patches).
     */
    static void assertValidForAtlasAndPurview(JsonNode message) {
        List<String> violations = AtlasTypeSystem.atlas240().validate(message);
        assertEquals(List.of(), violations, () -> "Atlas 2.4.0 typedef violations in " + message);
        List<String> older = AtlasTypeSystem.atlas240()
                .validateAgainstOlderModel(message, AtlasTypeSystem.sparkModel210rc3());
        assertEquals(List.of(), older, () -> "not in Purview's spark model (2.1.0-rc3): " + message);
    }
}
