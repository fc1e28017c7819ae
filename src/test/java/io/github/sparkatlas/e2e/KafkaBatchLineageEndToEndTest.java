package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.apps.KafkaBatchApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch Kafka reads and writes with spark-sql-kafka from Maven Central on the job's classpath, against the real
 * broker: the job reads one cluster (the broker's plaintext listener as {@code 127.0.0.1:<port>}, mapped to its own
 * namespace) and writes "another" (the same listener as {@code localhost:<port>}, unmapped), while the agent
 * publishes over SASL_SSL. The published lineage names exactly the topics read (subscribe, and the pattern's topics
 * as read) and written (topic option, literal topic column); the planted Kafka credentials appear nowhere.
 */
class KafkaBatchLineageEndToEndTest {
    private static final String HOOK_TOPIC = "ATLAS_HOOK_kafka_batch";
    private static final String NAMESPACE = "e2e";
    private static final String READ_NAMESPACE = "kafka_east";
    /**
     * V1 and DSv2 each: the Parquet writes of the subscribed topic and of the pattern's topics, and the Kafka writes
     * (two V1, one DSv2); then the pattern read written to Kafka. The write whose topics come from the data sends
     * nothing.
     */
    private static final int CAPTURED = 8;
    /** A state of the process per captured write, but for the pattern read written to Kafka, which changes nothing. */
    private static final int MESSAGES = 7;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    /** For one write of the job to reach the topic while the job waits at its gate. */
    private static final Duration GATE_TIMEOUT = Duration.ofSeconds(90);
    private static final String MASK = "*********(redacted)";

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-kafka-batch"));
        for (String topic : List.of(HOOK_TOPIC, KafkaBatchApp.EU_TOPIC, KafkaBatchApp.US_TOPIC, KafkaBatchApp.APAC_TOPIC,
                KafkaBatchApp.AUDIT_TOPIC, KafkaBatchApp.ENRICHED_TOPIC, KafkaBatchApp.V2_AUDIT_TOPIC)) {
            broker.createTopic(topic, 1);
        }
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.plaintextBootstrap());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(KafkaBatchApp.EU_TOPIC, "k" + i, "eu-" + i));
                producer.send(new ProducerRecord<>(KafkaBatchApp.US_TOPIC, "k" + i, "us-" + i));
                producer.send(new ProducerRecord<>(KafkaBatchApp.APAC_TOPIC, "k" + i, "apac-" + i));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void batchKafkaReadsAndWritesAreTopicsOfTheirClustersNamespacesAndCredentialsAppearNowhere() {
        Path runDir = WorkDirs.newDir("kafka-batch");
        Map<String, String> properties = SampleEtl.saslSslProperties(broker, HOOK_TOPIC, NAMESPACE);
        Path out = runDir.resolve("out");
        DatasetRef euV2 = DatasetRef.fsPath(SampleEtl.localUri(out.resolve("eu_v2")) + "@" + NAMESPACE);
        DatasetRef patternV2 = DatasetRef.fsPath(SampleEtl.localUri(out.resolve("pattern_v2")) + "@" + NAMESPACE);
        DatasetRef auditV2 = topic("audit.v2@" + NAMESPACE);
        DatasetRef audit = topic("audit@" + NAMESPACE);
        DatasetRef enriched = topic("enriched@" + NAMESPACE);
        Predicate<JsonNode> afterV1Audit = m -> HookMessages.onlyProcess(m).outputs().contains(audit)
                && !HookMessages.onlyProcess(m).outputs().contains(enriched);
        Predicate<JsonNode> afterV2Subscribe = m -> HookMessages.onlyProcess(m).outputs().contains(euV2)
                && !HookMessages.onlyProcess(m).outputs().contains(patternV2);
        Predicate<JsonNode> afterV2Pattern = m -> HookMessages.onlyProcess(m).outputs().contains(patternV2)
                && !HookMessages.onlyProcess(m).outputs().contains(auditV2);
        Path gates = runDir.resolve("gates");
        SparkSubmitRun.Running driver = submit(runDir, properties).args(gates.toString()).start();
        SparkSubmitRun.Result result;
        try {
            // The states after the first V1 Kafka write and the DSv2 reads are taken off the topic before the job
            // goes on: made later, a newer state of the process could supersede them while they waited.
            HookMessages.awaitMessage(broker, HOOK_TOPIC, afterV1Audit, GATE_TIMEOUT, driver::log);
            openGate(gates, 3);
            HookMessages.awaitMessage(broker, HOOK_TOPIC, afterV2Subscribe, GATE_TIMEOUT, driver::log);
            openGate(gates, 5);
            HookMessages.awaitMessage(broker, HOOK_TOPIC, afterV2Pattern, GATE_TIMEOUT, driver::log);
            openGate(gates, 6);
            result = assertDone(driver.await(RUN_TIMEOUT));
        } finally {
            if (driver.process().isAlive()) {
                driver.killForcibly();
            }
        }

        // The other states may supersede one another; the summary counts each either sent or superseded.
        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(CAPTURED, summary.get("captured"), () -> "every write with lineage captured: " + summary);
        int sent = DriverLog.assertSentOrSuperseded(summary, MESSAGES);
        List<ConsumedRecord> records = broker.consumeAll(HOOK_TOPIC, sent, Duration.ofSeconds(30));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + HOOK_TOPIC + ".jsonl", values);
        assertEquals(sent, records.size(), "one record per message sent: a state per write unless superseded");
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(values);
        HookMessages.ProcessView previous = null;
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            HookMessages.ProcessView state = HookMessages.onlyProcess(message);
            if (previous != null) {
                HookMessages.ProcessView before = previous;
                assertTrue(state.executionId() > before.executionId() && state.inputs().containsAll(before.inputs())
                        && state.outputs().containsAll(before.outputs()),
                        () -> "states in the order of the writes, none twice: " + state + " after " + before);
            }
            previous = state;
        }
        HookMessages.ProcessView v2Subscribe = onlyStateWhere(messages, afterV2Subscribe);
        assertEquals(Set.of(topic("orders.eu@" + READ_NAMESPACE), topic("orders.us@" + READ_NAMESPACE)),
                v2Subscribe.inputs(), "the DSv2 subscribe read names its topic, never a table named KafkaTable");
        HookMessages.ProcessView v2Pattern = onlyStateWhere(messages, afterV2Pattern);
        assertTrue(v2Pattern.inputs().contains(topic("refunds.apac@" + READ_NAMESPACE)),
                "the DSv2 pattern read names the topic it read: " + v2Pattern.inputs());
        JsonNode lastMessage = messages.get(messages.size() - 1);
        HookMessages.ProcessView process = HookMessages.onlyProcess(lastMessage);
        assertEquals(Set.of(topic("orders.eu@" + READ_NAMESPACE), topic("orders.us@" + READ_NAMESPACE),
                        topic("refunds.apac@" + READ_NAMESPACE)),
                process.inputs(), "the subscribed topic and the topics the patterns matched, in the read cluster's"
                        + " namespace");
        assertEquals(Set.of(DatasetRef.fsPath(SampleEtl.localUri(out.resolve("eu")) + "@" + NAMESPACE),
                        DatasetRef.fsPath(SampleEtl.localUri(out.resolve("pattern")) + "@" + NAMESPACE),
                        DatasetRef.fsPath(SampleEtl.localUri(out.resolve("eu_v2")) + "@" + NAMESPACE),
                        DatasetRef.fsPath(SampleEtl.localUri(out.resolve("pattern_v2")) + "@" + NAMESPACE),
                        topic("audit@" + NAMESPACE), topic("enriched@" + NAMESPACE),
                        topic("audit.v2@" + NAMESPACE)),
                process.outputs(), "the Parquet outputs and the written topics, in the metadata namespace");
        assertTopicAttributes(lastMessage, "orders.eu@" + READ_NAMESPACE, KafkaBatchApp.EU_TOPIC);
        assertTopicAttributes(lastMessage, "audit@" + NAMESPACE, KafkaBatchApp.AUDIT_TOPIC);
        String v1PlanText = onlyMessageWhere(messages, afterV1Audit).toString();
        assertTrue(v1PlanText.contains("SaveIntoDataSourceCommand"), "the V1 Kafka write's plan text is sent");
        assertTrue(v1PlanText.contains("kafka.sasl.jaas.config -> " + MASK), "masked in place: " + v1PlanText);
        String planText = lastMessage.toString();
        assertTrue(planText.contains("AppendData"), "the DSv2 Kafka write's plan text is sent: " + planText);
        assertTrue(planText.contains("kafka.sasl.jaas.config=" + MASK), "masked in place: " + planText);

        for (ConsumedRecord record : records) {
            assertNoSecret(record.value(), "record at offset " + record.offset());
        }
        for (JsonNode message : messages) {
            assertNoSecret(message.toString(), "decoded message");
        }
        assertNoSecret(result.log(), "driver log");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        List<String> warnings = DriverLog.agentLines(result.log(), "WARN");
        assertEquals(2, warnings.size(), () -> "the two writes whose topics the plan does not tell: " + warnings);
        assertTrue(warnings.stream().anyMatch(line -> line.contains("a batch Kafka read with subscribePattern ran "
                + "where its plan does not show the topics it read")), warnings::toString);
        assertTrue(warnings.stream().anyMatch(line -> line.contains("a batch write to Kafka takes its topics from "
                + "the data's topic column")), warnings::toString);
    }

    @Test
    void whileTheAgentsBrokerIsUnreachableTheSpooledMessagesHoldTheTopicsAndNoCredential() throws IOException {
        Path runDir = WorkDirs.newDir("kafka-batch-spooled");
        Map<String, String> properties = SampleEtl.saslSslProperties(broker, HOOK_TOPIC, NAMESPACE);
        // Nothing listens there: every message stays in the spool.
        properties.put("atlas.kafka.bootstrap.servers", "127.0.0.1:" + closedPort());
        properties.put("atlas.spark.shutdown.flush.timeout.ms", "2000");
        SparkSubmitRun.Result result = runApp(runDir, properties);

        Path spoolBase = runDir.resolve("spool");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(spoolBase)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().anyMatch(file -> file.toString().endsWith(".seg")), () -> "spool files " + files);
        for (Path file : files) {
            assertNoSecret(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), "spool file " + file);
        }
        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(MESSAGES, summary.get("messages"), () -> "a state per write that changed it: " + summary);
        assertEquals(0, summary.get("sent"), () -> "nothing sent: " + summary);
        assertEquals(1, summary.get("spooled"), () -> "the newest state kept in the spool: " + summary);
        assertEquals(MESSAGES - 1, summary.get("superseded"), () -> "it holds the older ones: " + summary);
        List<Path> spools = Spool.directories(spoolBase);
        assertEquals(1, spools.size(), () -> "one spool for the application: " + spools);
        String last = Spools.assertOnlyNewestStateLeft(spools.get(0), MESSAGES).notification().body();
        for (String name : List.of("\"orders.eu@" + READ_NAMESPACE + "\"", "\"refunds.apac@" + READ_NAMESPACE + "\"",
                "\"audit.v2@" + NAMESPACE + "\"")) {
            assertTrue(last.contains(name), () -> "the spooled message lacks " + name + ": " + last);
        }
        assertNoSecret(result.log(), "driver log");
    }

    /**
     * Runs the job with the agent configured by {@code properties} plus the read cluster's namespace; it reads the
     * broker's plaintext listener as {@code 127.0.0.1:<port>} and writes it as {@code localhost:<port>}.
     */
    private static SparkSubmitRun.Result runApp(Path runDir, Map<String, String> properties) {
        return assertDone(submit(runDir, properties).run(RUN_TIMEOUT));
    }

    private static SparkSubmitRun submit(Path runDir, Map<String, String> properties) {
        String readServers = broker.plaintextBootstrap();
        String writeServers = readServers.replace("127.0.0.1", "localhost");
        assertTrue(readServers.startsWith("127.0.0.1:"), readServers);
        properties.put("atlas.spark.kafka.namespace." + READ_NAMESPACE, readServers);
        SampleEtl.writeAtlasProperties(runDir, properties);

        return SparkSubmitRun.app(KafkaBatchApp.class.getName())
                .workingDir(runDir)
                .args(readServers, writeServers, runDir.resolve("out").toString())
                .jobJars("spark-sql-kafka")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", runDir.resolve("spool").toString())
                .inMemoryCatalog(runDir.resolve("warehouse"));
    }

    private static SparkSubmitRun.Result assertDone(SparkSubmitRun.Result result) {
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(KafkaBatchApp.DONE_LINE + "3 EU records, 3 records matched the pattern"),
                result::toString);
        return result;
    }

    /** Lets the job go on after its write number {@code write}. */
    private static void openGate(Path gates, int write) {
        try {
            Files.createDirectories(gates);
            Files.createFile(gates.resolve("after-write-" + write));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spark_process of the one message {@code which} accepts. */
    private static HookMessages.ProcessView onlyStateWhere(List<JsonNode> messages, Predicate<JsonNode> which) {
        return HookMessages.onlyProcess(onlyMessageWhere(messages, which));
    }

    private static JsonNode onlyMessageWhere(List<JsonNode> messages, Predicate<JsonNode> which) {
        List<JsonNode> found = messages.stream().filter(which).toList();
        assertEquals(1, found.size(), () -> "one such state among " + messages);
        return found.get(0);
    }

    /** A local port nothing listens on: bound, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DatasetRef topic(String qualifiedName) {
        return new DatasetRef("kafka_topic", qualifiedName);
    }

    private static void assertTopicAttributes(JsonNode message, String qualifiedName, String topic) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            JsonNode attributes = entity.path("attributes");
            if (qualifiedName.equals(attributes.path("qualifiedName").asText())) {
                assertEquals(topic, attributes.path("name").asText(), "name of " + qualifiedName);
                assertEquals(topic, attributes.path("topic").asText(), "topic of " + qualifiedName);
                assertEquals(topic, attributes.path("uri").asText(), "uri of " + qualifiedName);
                return;
            }
        }
        throw new AssertionError("no entity " + qualifiedName + " in " + message);
    }

    private static void assertNoSecret(String text, String where) {
        if (text == null) {
            return;
        }
        for (String secret : List.of(KafkaBatchApp.JAAS_PASSWORD, KafkaBatchApp.TRUSTSTORE_PASSWORD,
                broker.saslPassword(), broker.truststorePassword())) {
            assertFalse(text.contains(secret), () -> "a secret appears in the " + where);
        }
    }
}
