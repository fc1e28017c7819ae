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
 * The Purview recipe end to end: spark-submit with {@code --jars <agent>} and {@code spark.extraListeners}, an
 * atlas-application.properties in the driver's working directory pointing at an Event Hubs-like SASL_SSL/PLAIN
 * listener ({@code $ConnectionString}, self-signed certificate, no topic auto-creation), and a real ETL job. What
 * lands on ATLAS_HOOK is decoded the way Atlas's consumer does and checked against Atlas's typedefs: a state of the
 * job's lineage after each write, unless the driver's summary counts it as superseded by a newer one.
 */
class SaslSslLineageEndToEndTest {

    private static final String TOPIC = "ATLAS_HOOK";
    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-sasl"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void jobWithHiveCatalogPublishesItsLineageOverSaslSsl() {
        Path runDir = WorkDirs.newDir("sasl-hive");
        runAndCheck(runDir, SampleEtl.submit(runDir).hive(runDir.resolve("warehouse")));
        assertTrue(Files.isDirectory(runDir.resolve("metastore_db")), "the job used the Hive (Derby) metastore");
    }

    @Test
    void jobWithInMemoryCatalogPublishesItsLineageOverSaslSsl() {
        Path runDir = WorkDirs.newDir("sasl-inmemory");
        runAndCheck(runDir, SampleEtl.submit(runDir).inMemoryCatalog(runDir.resolve("warehouse")));
    }

    private static void runAndCheck(Path runDir, SparkSubmitRun submit) {
        SampleEtl.writeAtlasProperties(runDir, purviewStyleProperties());
        int before = broker.consumeAll(TOPIC, 0, Duration.ofSeconds(20)).size();

        SparkSubmitRun.Result result = submit.conf("spark.extraListeners", SampleEtl.LISTENER).run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        String log = result.log();
        // A state that waited while a newer one of the same process was made is superseded, not sent.
        int sent = DriverLog.assertSentOrSuperseded(DriverLog.summary(log),
                SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES);
        List<ConsumedRecord> all = broker.consumeAll(TOPIC, before + sent, Duration.ofSeconds(30));
        List<ConsumedRecord> records = all.subList(Math.min(before, all.size()), all.size());
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl", values);
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(values);
        String appId = SampleEtl.assertStates(messages, SampleEtl.workDir(runDir), NAMESPACE);

        SampleEtl.assertRecords(records, appId, NAMESPACE, sent);

        List<String> startLines = DriverLog.agentLines(log, "INFO").stream()
                .filter(line -> line.contains(" enabled: sink=kafka, topic=" + TOPIC
                        + ", bootstrap.servers=" + broker.saslSslBootstrap() + ", security.protocol=SASL_SSL"))
                .toList();
        assertEquals(1, startLines.size(), () -> "one start line with sink=kafka:\n" + log);
        assertTrue(startLines.get(0).contains(runDir.resolve("atlas-application.properties").toString()),
                () -> "the start line names the properties file it read: " + startLines.get(0));
        assertFalse(log.contains(broker.saslPassword()), "the SASL password appears in the driver log");
        assertFalse(log.contains(broker.truststorePassword()), "the truststore password appears in the driver log");
        assertEquals(List.of(), DriverLog.agentLines(log, "ERROR"), "no agent errors");
        SampleEtl.assertOnlyUncapturedCommandWarnings(log);
    }

    /** What a Purview user writes, pointed at the SASL_SSL listener of the test broker. */
    private static Map<String, String> purviewStyleProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("atlas.kafka.bootstrap.servers", broker.saslSslBootstrap());
        props.put("atlas.kafka.security.protocol", "SASL_SSL");
        props.put("atlas.kafka.sasl.mechanism", "PLAIN");
        props.put("atlas.kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"$ConnectionString\" password=\"" + broker.saslPassword() + "\";");
        props.put("atlas.kafka.ssl.truststore.location", broker.truststorePath().toString());
        props.put("atlas.kafka.ssl.truststore.password", broker.truststorePassword());
        props.put("atlas.kafka.ssl.truststore.type", "PKCS12");
        props.put("atlas.metadata.namespace", NAMESPACE);
        return props;
    }
}
