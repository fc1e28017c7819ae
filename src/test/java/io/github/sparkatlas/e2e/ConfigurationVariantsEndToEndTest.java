package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ways users wire the agent in give the same lineage, each write once: only the SQL listener setting, all
 * three listener settings at once (Spark then makes one instance per setting), and configuration by Spark conf
 * alone (cluster config, Databricks secrets) with no properties file. In-memory catalog; each test has its own
 * topic, so the records of one run are exactly what it sent.
 */
class ConfigurationVariantsEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-variants"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void onlyQueryExecutionListenersSettingReportsEachWriteOnce() {
        String topic = "ATLAS_HOOK_qel_only";
        Path runDir = WorkDirs.newDir("variant-qel-only");
        SampleEtl.writeAtlasProperties(runDir, plaintextProperties(topic));

        SparkSubmitRun.Result result = runJob(runDir, topic, SampleEtl.submit(runDir)
                .conf("spark.sql.queryExecutionListeners", SampleEtl.LISTENER));

        assertStartedOnce(result.log(), "sink=kafka, topic=" + topic + ", bootstrap.servers=" + broker.plaintextBootstrap());
    }

    @Test
    void allThreeListenerSettingsAtOnceReportEachWriteOnce() {
        String topic = "ATLAS_HOOK_all_three";
        Path runDir = WorkDirs.newDir("variant-all-three");
        SampleEtl.writeAtlasProperties(runDir, plaintextProperties(topic));

        SparkSubmitRun.Result result = runJob(runDir, topic, SampleEtl.submit(runDir)
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.sql.queryExecutionListeners", SampleEtl.LISTENER)
                .conf("spark.sql.streaming.streamingQueryListeners", SampleEtl.STREAMING_LISTENER));

        assertStartedOnce(result.log(), "sink=kafka, topic=" + topic + ", bootstrap.servers=" + broker.plaintextBootstrap());
    }

    @Test
    void sparkConfAloneConfiguresSaslSslWithoutPropertiesFile() {
        String topic = "ATLAS_HOOK_spark_conf";
        Path runDir = WorkDirs.newDir("variant-spark-conf");
        SparkSubmitRun submit = SampleEtl.submit(runDir).conf("spark.extraListeners", SampleEtl.LISTENER);
        Map<String, String> atlas = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> atlas.put("atlas.kafka." + k, v));
        atlas.put("atlas.notification.hook.topic.name", topic);
        atlas.put("atlas.metadata.namespace", NAMESPACE);
        atlas.forEach((k, v) -> submit.conf("spark." + k, v));

        SparkSubmitRun.Result result = runJob(runDir, topic, submit);

        assertFalse(Files.exists(runDir.resolve("atlas-application.properties")));
        String startLine = assertStartedOnce(result.log(), "sink=kafka, topic=" + topic + ", bootstrap.servers="
                + broker.saslSslBootstrap() + ", security.protocol=SASL_SSL");
        assertTrue(startLine.contains("config from " + atlas.size() + " spark.atlas.* Spark conf entries"), startLine);
        assertFalse(result.log().contains(broker.saslPassword()), "the SASL password appears in the driver log");
        assertFalse(result.log().contains(broker.truststorePassword()),
                "the truststore password appears in the driver log");
    }

    /** Runs the job against its own topic and checks the job's success and the lineage on that topic. */
    private static SparkSubmitRun.Result runJob(Path runDir, String topic, SparkSubmitRun submit) {
        broker.createTopic(topic, 1);
        SparkSubmitRun.Result result = submit.inMemoryCatalog(runDir.resolve("warehouse")).run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        // Each write captured once (a second listener instance would make more messages), each message sent or,
        // having waited while a newer state of the process was made, superseded.
        int sent = DriverLog.assertSentOrSuperseded(DriverLog.summary(result.log()),
                SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES);
        List<ConsumedRecord> records = broker.consumeAll(topic, sent, Duration.ofSeconds(30));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl", values);
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(values);
        String appId = SampleEtl.assertStates(messages, SampleEtl.workDir(runDir), NAMESPACE);
        SampleEtl.assertRecords(records, appId, NAMESPACE, sent);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        SampleEtl.assertOnlyUncapturedCommandWarnings(result.log());
        return result;
    }

    /** One agent per JVM, whatever the number of listener instances Spark made: one start line. */
    private static String assertStartedOnce(String log, String expected) {
        List<String> startLines = DriverLog.agentLines(log, "INFO").stream()
                .filter(line -> line.contains(" enabled: sink="))
                .toList();
        assertEquals(1, startLines.size(), () -> "agent start lines:\n" + String.join("\n", startLines));
        assertTrue(startLines.get(0).contains(expected), () -> startLines.get(0) + "\n should contain: " + expected);
        return startLines.get(0);
    }

    private static Map<String, String> plaintextProperties(String topic) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("atlas.kafka.bootstrap.servers", broker.plaintextBootstrap());
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", NAMESPACE);
        return props;
    }
}
