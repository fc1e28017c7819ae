package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.fsPath;
import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.sparkTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.DeltaApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.testsupport.MessageSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Delta Lake job with delta-spark 3.3.3 from Maven Central on the job's classpath and Delta's catalog as the session
 * catalog, publishing over SASL_SSL with {@code atlas.spark.process.granularity=query}: every operation of
 * {@link DeltaApp} (writes by path and by name, CTAS and RTAS, MERGE, UPDATE, DELETE, and two streaming queries from
 * one Delta table to another) is a process of its own whose inputs and outputs are exactly the Delta tables it read
 * and wrote: a table known by name as its {@code spark_table}, a table known by path as the {@code fs_path} of its
 * root directory; never a data file or {@code _delta_log}.
 */
class DeltaLineageEndToEndTest {
    private static final String TOPIC = "ATLAS_HOOK_delta";
    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-delta"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyDeltaOperationIsAProcessOfExactlyTheDeltaTablesItReadAndWrote() {
        Path runDir = WorkDirs.newDir("delta");
        Path lake = runDir.resolve("lake").toAbsolutePath();
        Path warehouse = runDir.resolve("warehouse").toAbsolutePath();
        Map<String, String> properties = SampleEtl.saslSslProperties(broker, TOPIC, NAMESPACE);
        properties.put("atlas.spark.process.granularity", "query");
        SampleEtl.writeAtlasProperties(runDir, properties);

        SparkSubmitRun.Result result = SparkSubmitRun.app(DeltaApp.class.getName())
                .workingDir(runDir)
                .args(lake.toString())
                .jobJars("delta")
                .conf("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .conf("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.sql.streaming.streamingQueryListeners", SampleEtl.STREAMING_LISTENER)
                .inMemoryCatalog(warehouse)
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(DeltaApp.DONE_LINE + ": 3 rows streamed by name"), result::toString);
        Map<String, Long> summary = DriverLog.summary(result.log());
        int sent = DriverLog.assertSentOrSuperseded(summary, summary.get("messages").intValue());
        List<ConsumedRecord> records = broker.consumeAll(TOPIC, sent, Duration.ofSeconds(30));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl", values);
        assertEquals(sent, records.size(), "one record per message sent");
        List<JsonNode> all = AtlasHookDecoder.decodeAll(values);
        List<JsonNode> messages = HookMessages.processMessages(all);
        assertCatalogChanges(all, HookMessages.catalogMessages(all), warehouse);

        Map<String, ProcessView> batch = new LinkedHashMap<>();
        Map<String, ProcessView> streams = new LinkedHashMap<>();
        int streamMessages = 0;
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            assertNoDeltaInternals(message);
            ProcessView process = HookMessages.onlyProcess(message);
            if (process.qualifiedName().startsWith("spark-streaming-query/")) {
                streamMessages++;
                ProcessView before = streams.put(process.qualifiedName(), process);
                assertTrue(before == null || process.inputs().containsAll(before.inputs())
                        && process.outputs().containsAll(before.outputs()), () -> "a query only grows: " + process);
            } else {
                assertFalse(batch.containsKey(process.qualifiedName()), () -> "a write sent twice: " + process);
                batch.put(process.qualifiedName(), process);
            }
        }

        long streamRecords = summary.get("captured") - batch.size();
        assertEquals(streamMessages + summary.get("superseded"), streamRecords, () -> "every batch operation captured"
                + " once, none of the executions Delta runs inside them; the rest are the queries' states: " + summary);

        List<String> expected = new ArrayList<>();
        for (DeltaApp.Operation operation : DeltaApp.OPERATIONS) {
            expected.add(describe(operation.name(), refs(operation.reads(), lake), refs(operation.writes(), lake)));
        }
        expected.add(describe(DeltaApp.AFTER_DROP.name(), refs(DeltaApp.AFTER_DROP.reads(), lake),
                refs(DeltaApp.AFTER_DROP.writes(), lake)));
        List<String> actual = new ArrayList<>();
        for (ProcessView process : batch.values()) {
            actual.add(describe(nameOf(process, allOperations(), lake), process.inputs(), process.outputs()));
        }
        assertEquals(expected, actual, "each batch operation, in order, with exactly its inputs and outputs");

        Set<String> expectedStreams = new LinkedHashSet<>();
        for (DeltaApp.Operation stream : DeltaApp.STREAMS) {
            expectedStreams.add(describe(stream.name(), refs(stream.reads(), lake), refs(stream.writes(), lake)));
        }
        Set<String> actualStreams = streams.values().stream()
                .map(p -> describe(nameOf(p, DeltaApp.STREAMS, lake), p.inputs(), p.outputs()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        assertEquals(expectedStreams, actualStreams, "each streaming query: its Delta source and its Delta sink");

        for (JsonNode message : messages) {
            assertTableLocations(message, HookMessages.onlyProcess(message), warehouse);
        }
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"), "no agent warnings: nothing left out");
    }

    private static List<DeltaApp.Operation> allOperations() {
        List<DeltaApp.Operation> operations = new ArrayList<>(DeltaApp.OPERATIONS);
        operations.add(DeltaApp.AFTER_DROP);
        return operations;
    }

    /**
     * {@link DeltaApp#DDL}: a CREATE TABLE without a query and an ALTER define the table on their own, with the
     * columns Delta's log has (the metastore keeps an empty schema for a Delta table) and its location in the
     * warehouse; the DROP deletes the table, after which no message names it; all after the last stream's state,
     * before the write that follows them.
     */
    private static void assertCatalogChanges(List<JsonNode> all, List<JsonNode> changes, Path warehouse) {
        List<String> summaries = new ArrayList<>();
        for (JsonNode change : changes) {
            HookMessages.assertValidForAtlasAndPurview(change);
            assertNoDeltaInternals(change);
            summaries.add(MessageSummary.of(change).replaceAll(" parameters=\\{[^}]*\\}", ""));
        }
        String returns = "spark_table:default.returns@" + NAMESPACE;
        assertEquals(List.of(
                "define " + returns + " columns=[id bigint, reason string]",
                "define " + returns + " columns=[id bigint, reason string, amount double]",
                "delete spark_table:default.customers@e2e, spark_storagedesc:default.customers@e2e_storage"),
                summaries, "CREATE TABLE, ALTER TABLE ADD COLUMNS, DROP TABLE, each on its own");
        for (JsonNode change : changes.subList(0, 2)) {
            JsonNode table = change.path("entities").path("entities").get(0);
            assertEquals("delta", table.path("attributes").path("provider").asText(), () -> "provider: " + change);
            for (JsonNode entity : change.path("entities").path("referredEntities")) {
                if ("spark_storagedesc".equals(entity.path("typeName").asText())) {
                    assertEquals(SampleEtl.localUri(warehouse.resolve("returns")),
                            entity.path("attributes").path("location").asText(), () -> "location: " + change);
                }
            }
        }
        int create = all.indexOf(changes.get(0));
        int drop = all.indexOf(changes.get(2));
        assertEquals(create + 2, drop, "the three changes one after another");
        assertEquals(all.size() - 2, drop, () -> "only the write after the DROP follows it: " + all);
        for (JsonNode later : all.subList(drop + 1, all.size())) {
            assertFalse(HookMessages.entityNames(later).stream().anyMatch(n -> n.contains("default.customers@")),
                    () -> "the dropped table came back: " + later);
        }
    }

    /** The datasets of {@link DeltaApp.Operation}'s short names, as the agent names them. */
    private static Set<DatasetRef> refs(List<String> names, Path lake) {
        Set<DatasetRef> refs = new LinkedHashSet<>();
        for (String name : names) {
            String local = name.substring(name.indexOf(':') + 1);
            refs.add(name.startsWith("path:") ? fsPath(SampleEtl.localUri(lake.resolve(local)) + "@" + NAMESPACE)
                    : sparkTable("default." + local + "@" + NAMESPACE));
        }
        return refs;
    }

    /** The operation whose datasets the process has, or "unexpected", to read failures by. */
    private static String nameOf(ProcessView process, List<DeltaApp.Operation> operations, Path lake) {
        for (DeltaApp.Operation operation : operations) {
            if (refs(operation.reads(), lake).equals(process.inputs())
                    && refs(operation.writes(), lake).equals(process.outputs())) {
                return operation.name();
            }
        }
        return "unexpected";
    }

    private static String describe(String name, Set<DatasetRef> inputs, Set<DatasetRef> outputs) {
        return name + ": " + new java.util.TreeSet<>(inputs.stream().map(DatasetRef::toString).toList()) + " -> "
                + new java.util.TreeSet<>(outputs.stream().map(DatasetRef::toString).toList());
    }

    /** No entity names a Delta table's log or one of its files. */
    private static void assertNoDeltaInternals(JsonNode message) {
        for (String name : HookMessages.entityNames(message)) {
            assertFalse(name.contains("_delta_log") || name.matches(".*part-\\d{5}.*") || name.contains(".parquet")
                    || name.contains("checkpoints"), () -> "a Delta internal named in " + name);
        }
    }

    /**
     * A Delta table's storage descriptor holds its location in the warehouse: always where the table is read (it
     * exists), else where the plan knew it (a table an operation creates has none in that operation's message).
     */
    private static void assertTableLocations(JsonNode message, ProcessView process, Path warehouse) {
        JsonNode body = message.path("entities");
        List<JsonNode> entities = new ArrayList<>();
        body.path("entities").forEach(entities::add);
        body.path("referredEntities").forEach(entities::add);
        for (JsonNode entity : entities) {
            if (!"spark_storagedesc".equals(entity.path("typeName").asText())) {
                continue;
            }
            String qualifiedName = entity.path("attributes").path("qualifiedName").asText();
            String tableName = qualifiedName.substring(0, qualifiedName.indexOf('@'));
            String table = tableName.substring("default.".length());
            String expected = SampleEtl.localUri(warehouse.resolve(table));
            JsonNode location = entity.path("attributes").path("location");
            if (process.inputs().contains(sparkTable(tableName + "@" + NAMESPACE))) {
                assertEquals(expected, location.asText(), () -> "the location of " + qualifiedName + ", read");
            } else {
                assertTrue(location.isMissingNode() || location.isNull() || location.asText().equals(expected),
                        () -> "the location of " + qualifiedName + ": " + location);
            }
        }
    }
}
