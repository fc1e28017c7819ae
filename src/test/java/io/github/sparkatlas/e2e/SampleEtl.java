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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.testsupport.MessageSummary;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.examples.SampleEtlJob;

/**
 * {@link SampleEtlJob} as the e2e tests submit it, and the lineage the agent must report for it: three writes
 * (CSV to parquet directory, CTAS, INSERT of a join), so three states of one spark_process, each carrying the
 * application's lineage so far, each sent as an ENTITY_CREATE_V2 message unless a newer state superseded it while
 * it waited to be sent.
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
     * The job's commands the agent does not capture: none since its DDL and DROP are sent as catalog changes (a
     * command it did not capture would be named once at WARN).
     */
    static final List<String> UNCAPTURED_COMMANDS = List.of();
    /**
     * Messages of the job's DDL, besides its writes' (in a fresh catalog): CREATE DATABASE sales and CREATE TABLE
     * sales.customer_totals; its DROP TABLE IF EXISTS find nothing and its CTAS's table is in its process's message.
     */
    static final int CATALOG_CHANGES = 2;

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
     * Checks the decoded messages of one run of the job whose sender may have been behind (the broker down or
     * refusing, or only slower than the writes), in the order they were sent, and returns the application id. A
     * state of the application's process that a newer one superseded is never sent, so the messages are the states
     * after some of the writes, in order, none twice, the last one after every write; each is an ENTITY_CREATE_V2
     * message valid for Atlas 2.4.0 and Purview with one spark_process named {@code <appId>@<ns>}, whose inputs and
     * outputs are exactly those after its write and whose execution comes after the previous message's. How many
     * states were superseded the caller proves from the driver's summary ({@link DriverLog#assertSentOrSuperseded}).
     */
    static String assertStates(List<JsonNode> all, Path work, String ns) {
        for (JsonNode change : HookMessages.catalogMessages(all)) {
            HookMessages.assertValidForAtlasAndPurview(change);
        }
        List<JsonNode> messages = HookMessages.processMessages(all);
        assertTrue(!messages.isEmpty(), "at least the state after the last write");
        DatasetRef landingCustomers = fsPath(localUri(work.resolve("landing/customers")) + "@" + ns);
        DatasetRef landingOrders = fsPath(localUri(work.resolve("landing/orders")) + "@" + ns);
        DatasetRef lakeCustomers = fsPath(localUri(work.resolve("lake/customers")) + "@" + ns);
        DatasetRef orders = sparkTable("sales.orders@" + ns);
        List<Set<DatasetRef>> inputsAfter = List.of(Set.of(landingCustomers),
                Set.of(landingCustomers, landingOrders), finalInputs(work, ns));
        List<Set<DatasetRef>> outputsAfter = List.of(Set.of(lakeCustomers), Set.of(lakeCustomers, orders),
                finalOutputs(work, ns));

        String processName = HookMessages.onlyProcess(messages.get(0)).qualifiedName();
        assertTrue(processName != null && processName.endsWith("@" + ns), () -> "process name " + processName);
        int previousWrite = -1;
        long previousExecution = Long.MIN_VALUE;
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            ProcessView process = HookMessages.onlyProcess(message);
            int write = outputsAfter.indexOf(process.outputs());
            assertTrue(write > previousWrite, () -> "states in the order of the writes, none twice: "
                    + process.outputs() + " after " + messages);
            int writeNumber = write + 1;
            assertEquals(processName, process.qualifiedName(), "one spark_process per application");
            assertEquals(inputsAfter.get(write), process.inputs(), () -> "inputs after write " + writeNumber);
            long previous = previousExecution;
            assertTrue(process.executionId() > previous, () -> "write " + writeNumber + " reports execution "
                    + process.executionId() + ", not after the previous message's " + previous);
            previousWrite = write;
            previousExecution = process.executionId();
        }
        assertEquals(WRITES - 1, previousWrite, "the last state is the one after the last write");
        String appId = processName.substring(0, processName.length() - ns.length() - 1);
        assertTrue(LOCAL_APP_ID.matcher(appId).matches(), () -> "application id of a local[2] run: " + appId);
        return appId;
    }

    /**
     * Like {@link #assertStates}, where nothing can have been superseded (the offline file sink writes each message
     * as it comes): exactly {@link #WRITES} messages, so the state after every write, none repeated.
     */
    static String assertLineage(List<JsonNode> messages, Path work, String ns) {
        List<JsonNode> processes = HookMessages.processMessages(messages);
        assertEquals(WRITES, processes.size(), () -> "one message per write, none twice: " + messages);
        assertEquals(List.of("define spark_db:sales@" + ns, "define spark_table:sales.customer_totals@" + ns
                + " columns=[customer_id int, name string, total double]"),
                HookMessages.catalogMessages(messages).stream().map(MessageSummary::of).toList(),
                "the job's DDL, on its own");
        return assertStates(messages, work, ns);
    }

    /**
     * Kafka-side rules for one application's records: one record per message (all are small), each within what
     * Event Hubs accepts, all with the spark_process qualifiedName as key so that they stay in one partition, in
     * order.
     */
    static void assertRecords(List<ConsumedRecord> records, String appId, String ns) {
        assertRecords(records, appId, ns, WRITES + CATALOG_CHANGES);
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
