package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.fsPath;
import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.sparkTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.examples.SampleEtlJob;

/**
 * {@link SampleEtlJob} as the e2e tests submit it, and the lineage the agent must report for it: three writes
 * (CSV to parquet directory, CTAS, INSERT of a join), so three ENTITY_CREATE_V2 messages whose spark_process
 * carries the application's lineage so far.
 */
final class SampleEtl {

    static final String DONE_LINE = "SampleEtlJob done: sales.customer_totals has 3 rows";
    static final String LISTENER = "io.github.sparkatlas.SparkAtlasListener";
    static final String STREAMING_LISTENER = "io.github.sparkatlas.SparkAtlasStreamingListener";
    /** parquet save, CTAS, INSERT. */
    static final int WRITES = 3;
    /** The producer's max.request.size, Microsoft's recommendation for Event Hubs. */
    static final int MAX_RECORD_BYTES = 1_000_000;

    private static final Pattern LOCAL_APP_ID = Pattern.compile("local-\\d+");
    /**
     * The job's commands the agent does not capture yet (CREATE DATABASE, DROP TABLE, CREATE TABLE without a query),
     * as Spark 3.5 plans them: each is named once at WARN, as a capability the lineage is missing.
     */
    static final List<String> UNCAPTURED_COMMANDS = List.of(
            "org.apache.spark.sql.catalyst.plans.logical.CreateNamespace",
            "org.apache.spark.sql.catalyst.plans.logical.DropTable",
            "org.apache.spark.sql.execution.command.CreateDataSourceTableCommand");

    private SampleEtl() {
    }

    /** The job in {@code runDir} (the driver's working directory); its own files go to {@link #workDir}. */
    static SparkSubmitRun submit(Path runDir) {
        return SparkSubmitRun.app(SampleEtlJob.class.getName())
                .workingDir(runDir)
                .args(workDir(runDir).toString());
    }

    /** The agent's only warnings in a run of the job: one per command class it does not capture, nothing else. */
    static void assertOnlyUncapturedCommandWarnings(String log) {
        List<String> warnings = DriverLog.agentLines(log, "WARN");
        assertEquals(UNCAPTURED_COMMANDS.size(), warnings.size(), () -> "agent warnings: " + warnings);
        for (String command : UNCAPTURED_COMMANDS) {
            assertEquals(1, warnings.stream().filter(w -> w.contains("does not capture command " + command + " "))
                    .count(), () -> command + " named once in " + warnings);
        }
    }

    static Path workDir(Path runDir) {
        return runDir.toAbsolutePath().resolve("etl");
    }

    /**
     * The name the agent gives a local directory: Hadoop's form with the empty authority dropped
     * ({@code file:/abs/path}), as Atlas's own hooks name the same path, whether Spark read or wrote it.
     */
    static String localUri(Path path) {
        return "file:" + path.toAbsolutePath();
    }

    /** The inputs of the application as a whole: what it read and did not write itself. */
    static Set<DatasetRef> finalInputs(Path work, String ns) {
        return Set.of(fsPath(localUri(work.resolve("landing/customers")) + "@" + ns),
                fsPath(localUri(work.resolve("landing/orders")) + "@" + ns));
    }

    static Set<DatasetRef> finalOutputs(Path work, String ns) {
        return Set.of(fsPath(localUri(work.resolve("lake/customers")) + "@" + ns),
                sparkTable("sales.orders@" + ns), sparkTable("sales.customer_totals@" + ns));
    }

    /**
     * Like {@link #assertLineage}, for a run whose sender was behind (the broker down or refusing): a state of the
     * application's process that a newer one superseded is never sent, so the messages are states after some of the
     * writes, in order, none twice, the last one after every write. Returns the application id.
     */
    static String assertStates(List<JsonNode> messages, Path work, String ns) {
        assertTrue(!messages.isEmpty(), "at least the state after the last write");
        List<Set<DatasetRef>> outputsAfter = List.of(
                Set.of(fsPath(localUri(work.resolve("lake/customers")) + "@" + ns)),
                Set.of(fsPath(localUri(work.resolve("lake/customers")) + "@" + ns), sparkTable("sales.orders@" + ns)),
                finalOutputs(work, ns));
        List<JsonNode> full = new ArrayList<>();
        int previousWrite = -1;
        for (JsonNode message : messages) {
            Set<DatasetRef> outputs = HookMessages.onlyProcess(message).outputs();
            int write = outputsAfter.indexOf(outputs);
            assertTrue(write > previousWrite, () -> "states in the order of the writes, none twice: " + outputs
                    + " after " + messages);
            previousWrite = write;
            full.add(message);
        }
        assertEquals(WRITES - 1, previousWrite, "the last state is the one after the last write");
        JsonNode last = full.get(full.size() - 1);
        HookMessages.assertValidForAtlasAndPurview(last);
        ProcessView process = HookMessages.onlyProcess(last);
        assertEquals(finalInputs(work, ns), process.inputs(), "inputs of the last spark_process");
        for (JsonNode message : full) {
            assertEquals(process.qualifiedName(), HookMessages.onlyProcess(message).qualifiedName(),
                    "one spark_process per application");
            HookMessages.assertValidForAtlasAndPurview(message);
        }
        String processName = process.qualifiedName();
        String appId = processName.substring(0, processName.length() - ns.length() - 1);
        assertTrue(LOCAL_APP_ID.matcher(appId).matches(), () -> "application id of a local[2] run: " + appId);
        return appId;
    }

    /**
     * Checks the decoded messages of one run of the job, in the order they were sent, and returns the application
     * id: exactly {@link #WRITES} ENTITY_CREATE_V2 messages (none repeated), each valid for Atlas 2.4.0 and
     * Purview, each with one spark_process named {@code <appId>@<ns>}, whose inputs and outputs grow write by write
     * to exactly {@link #finalInputs} and {@link #finalOutputs}.
     */
    static String assertLineage(List<JsonNode> messages, Path work, String ns) {
        assertEquals(WRITES, messages.size(), () -> "one message per write, none twice: " + messages);
        DatasetRef landingCustomers = fsPath(localUri(work.resolve("landing/customers")) + "@" + ns);
        DatasetRef landingOrders = fsPath(localUri(work.resolve("landing/orders")) + "@" + ns);
        DatasetRef lakeCustomers = fsPath(localUri(work.resolve("lake/customers")) + "@" + ns);
        DatasetRef orders = sparkTable("sales.orders@" + ns);
        DatasetRef totals = sparkTable("sales.customer_totals@" + ns);
        List<Set<DatasetRef>> expectedInputs = List.of(Set.of(landingCustomers),
                Set.of(landingCustomers, landingOrders), Set.of(landingCustomers, landingOrders));
        List<Set<DatasetRef>> expectedOutputs = List.of(Set.of(lakeCustomers),
                Set.of(lakeCustomers, orders), Set.of(lakeCustomers, orders, totals));

        List<ProcessView> processes = new ArrayList<>();
        for (JsonNode message : messages) {
            assertEquals("ENTITY_CREATE_V2", message.path("type").asText(), () -> "message type: " + message);
            HookMessages.assertValidForAtlasAndPurview(message);
            processes.add(HookMessages.onlyProcess(message));
        }
        String processName = processes.get(0).qualifiedName();
        assertTrue(processName != null && processName.endsWith("@" + ns), () -> "process name " + processName);
        String appId = processName.substring(0, processName.length() - ns.length() - 1);
        assertTrue(LOCAL_APP_ID.matcher(appId).matches(), () -> "application id of a local[2] run: " + appId);
        for (int i = 0; i < processes.size(); i++) {
            ProcessView process = processes.get(i);
            int write = i + 1;
            assertEquals(processName, process.qualifiedName(), "one spark_process per application");
            assertEquals(expectedInputs.get(i), process.inputs(), () -> "inputs after write " + write);
            assertEquals(expectedOutputs.get(i), process.outputs(), () -> "outputs after write " + write);
            if (i > 0) {
                long previous = processes.get(i - 1).executionId();
                assertTrue(process.executionId() > previous,
                        () -> "write " + write + " reports execution " + process.executionId()
                                + ", not after the previous one's " + previous);
            }
        }
        ProcessView last = processes.get(processes.size() - 1);
        assertEquals(finalInputs(work, ns), last.inputs(), "inputs of the last spark_process");
        assertEquals(finalOutputs(work, ns), last.outputs(), "outputs of the last spark_process");
        return appId;
    }

    /**
     * Kafka-side rules for one application's records: one record per message (all are small), each within what
     * Event Hubs accepts, all with the spark_process qualifiedName as key so that they stay in one partition, in
     * order.
     */
    static void assertRecords(List<ConsumedRecord> records, String appId, String ns) {
        assertRecords(records, appId, ns, WRITES);
    }

    /** Like {@link #assertRecords(List, String, String)}, for {@code count} records. */
    static void assertRecords(List<ConsumedRecord> records, String appId, String ns, int count) {
        assertEquals(count, records.size(), () -> "records: " + records);
        for (ConsumedRecord record : records) {
            assertEquals(appId + "@" + ns, record.key(), () -> "key of the record at offset " + record.offset());
            assertTrue(record.serializedValueSize() <= MAX_RECORD_BYTES,
                    () -> "record at offset " + record.offset() + " has " + record.serializedValueSize() + " bytes");
        }
    }

    /** Keeps what a run produced beside its driver log, for reading after a failure. */
    static void saveRecords(Path runDir, String fileName, List<String> values) {
        try {
            Files.write(runDir.resolve(fileName), values, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a Purview user writes for the broker's SASL_SSL listener ({@code $ConnectionString}, self-signed
     * certificate), sending to {@code topic} with namespace {@code ns}.
     */
    static Map<String, String> saslSslProperties(KafkaBroker broker, String topic, String ns) {
        Map<String, String> props = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> props.put("atlas.kafka." + k, v));
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", ns);
        return props;
    }

    /** An atlas-application.properties as a user writes it: plain {@code key=value} lines, nothing escaped. */
    static void writeAtlasProperties(Path dir, Map<String, String> properties) {
        StringBuilder text = new StringBuilder("# written by ").append(SampleEtl.class.getSimpleName()).append('\n');
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("atlas-application.properties"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
