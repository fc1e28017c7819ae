package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.fsPath;
import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.sparkTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code atlas.spark.process.granularity=query} with the sample ETL job, over SASL_SSL to a real broker: one
 * spark_application for the application and one spark_process per write, each message on its own (the application
 * inside it, linked through spark_application_processes), each process with only its own write's inputs and outputs.
 */
class QueryGranularityEndToEndTest {

    private static final String TOPIC = "ATLAS_HOOK";
    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-query-mode"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void eachWriteOfABatchJobIsAProcessOfItsApplication() {
        Path runDir = WorkDirs.newDir("query-mode");
        Map<String, String> props = SampleEtl.saslSslProperties(broker, TOPIC, NAMESPACE);
        props.put("atlas.spark.process.granularity", "query");
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = SampleEtl.submit(runDir).inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER).run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        List<ConsumedRecord> all = broker.consumeAll(TOPIC, SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES,
                Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl",
                all.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> allMessages = AtlasHookDecoder.decodeAll(all.stream().map(ConsumedRecord::value).toList());
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES, allMessages.size(),
                () -> "one message per distinct write and per DDL: " + allMessages);
        List<JsonNode> messages = new ArrayList<>();
        List<ConsumedRecord> records = new ArrayList<>();
        for (int i = 0; i < allMessages.size(); i++) {
            if (HookMessages.isProcessMessage(allMessages.get(i))) {
                messages.add(allMessages.get(i));
                records.add(all.get(i));
            } else {
                HookMessages.assertValidForAtlasAndPurview(allMessages.get(i));
                String key = all.get(i).key();
                assertTrue(Pattern.matches("local-\\d+@" + NAMESPACE, key),
                        () -> "a catalog change is keyed by its application: " + key);
            }
        }
        assertEquals(SampleEtl.WRITES, messages.size(), () -> "one message per distinct write: " + messages);

        Path work = SampleEtl.workDir(runDir);
        DatasetRef landingCustomers = fsPath(SampleEtl.localUri(work.resolve("landing/customers")) + "@" + NAMESPACE);
        DatasetRef landingOrders = fsPath(SampleEtl.localUri(work.resolve("landing/orders")) + "@" + NAMESPACE);
        DatasetRef lakeCustomers = fsPath(SampleEtl.localUri(work.resolve("lake/customers")) + "@" + NAMESPACE);
        DatasetRef orders = sparkTable("sales.orders@" + NAMESPACE);
        DatasetRef totals = sparkTable("sales.customer_totals@" + NAMESPACE);
        List<Set<DatasetRef>> expectedInputs = List.of(Set.of(landingCustomers), Set.of(landingOrders),
                Set.of(lakeCustomers, orders));
        List<Set<DatasetRef>> expectedOutputs = List.of(Set.of(lakeCustomers), Set.of(orders), Set.of(totals));

        Set<String> applications = new HashSet<>();
        List<String> processNames = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            int write = i + 1;
            HookMessages.assertValidForAtlasAndPurview(message);
            ProcessView process = HookMessages.onlyProcess(message);
            JsonNode application = onlyApplication(message);
            String applicationName = application.path("attributes").path("qualifiedName").asText();
            applications.add(applicationName);
            assertTrue(Pattern.matches("local-\\d+@" + NAMESPACE, applicationName), applicationName);
            String appId = applicationName.substring(0, applicationName.indexOf('@'));
            assertTrue(Pattern.matches(Pattern.quote(appId) + "/write/[0-9a-f]{16}@" + NAMESPACE,
                    process.qualifiedName()), process.qualifiedName());
            assertEquals(application.path("guid").asText(), processEntity(message)
                    .path("relationshipAttributes").path("application").path("guid").asText(),
                    "the process is linked to the application of its own message");
            assertEquals(expectedInputs.get(i), process.inputs(), () -> "inputs of write " + write);
            assertEquals(expectedOutputs.get(i), process.outputs(), () -> "outputs of write " + write);
            assertEquals(process.qualifiedName(), records.get(i).key(), "the record key is the process's name");
            processNames.add(process.qualifiedName());
        }
        assertEquals(1, applications.size(), "one spark_application: " + applications);
        assertEquals(SampleEtl.WRITES, new HashSet<>(processNames).size(), "a process per write: " + processNames);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        SampleEtl.assertOnlyUncapturedCommandWarnings(result.log());
    }

    private static JsonNode onlyApplication(JsonNode message) {
        List<JsonNode> found = new ArrayList<>();
        message.path("entities").path("entities").forEach(e -> {
            if ("spark_application".equals(e.path("typeName").asText())) {
                found.add(e);
            }
        });
        assertEquals(1, found.size(), () -> "one top-level spark_application in " + message);
        return found.get(0);
    }

    private static JsonNode processEntity(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_process".equals(entity.path("typeName").asText())) {
                return entity;
            }
        }
        throw new AssertionError("no spark_process in " + message);
    }
}
