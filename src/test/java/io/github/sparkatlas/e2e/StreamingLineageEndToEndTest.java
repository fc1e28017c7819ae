package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.fsPath;
import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.sparkTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.StreamingLineageApp;
import io.github.sparkatlas.testsupport.MessageSummary;
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
 * Structured Streaming end to end: {@link StreamingLineageApp} submitted with spark-sql-kafka-0-10 from Maven
 * Central on its classpath and only {@code spark.extraListeners} configured, reading and writing the real broker's
 * plaintext listener while the agent publishes over SASL_SSL. A topic created while the pattern query runs must
 * show up as its input; the foreachBatch query's table and the Kafka sinks' topics (micro-batch and continuous) as
 * outputs; the restart and the failing query must add nothing.
 */
class StreamingLineageEndToEndTest {

    private static final String HOOK_TOPIC = "ATLAS_HOOK";
    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    private static final int ROWS_PER_TOPIC = 3;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-streaming"));
        broker.createTopic(HOOK_TOPIC, 1);
    }

    /** The topics a run of the app reads and writes, created before it starts, with rows in those it reads. */
    private static void createTopics(String prefix) {
        for (String topic : List.of("events.a", "orders", "orders.out", "orders.cont", "orders.batch", "audit")) {
            broker.createTopic(prefix + topic, 1);
        }
        produce(prefix + "events.a", prefix + "orders", prefix + "audit");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static void produce(String... topics) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.plaintextBootstrap());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (String topic : topics) {
                for (int i = 0; i < ROWS_PER_TOPIC; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, topic + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private static DatasetRef kafkaTopic(String topic) {
        return new DatasetRef("kafka_topic", topic.toLowerCase(java.util.Locale.ROOT) + "@" + NAMESPACE);
    }

    /**
     * {@code spark.extraListeners} alone: our SparkListener sees the streaming events of every session and adds our
     * StreamingQueryListener to the session of the first query. The job's CREATE TABLE is sent on its own.
     */
    @Test
    void withTheSparkListenerAloneStreamingQueriesShowTheirRealSourcesAndSinks() throws IOException {
        runAndCheck("a_", "spark.extraListeners", SampleEtl.LISTENER, List.of());
    }

    /**
     * {@code spark.sql.streaming.streamingQueryListeners} alone: Spark creates our listener with the first query, and
     * it attaches our SparkListener for the foreachBatch writes. The CREATE TABLE ran before: the agent did not exist.
     */
    @Test
    void withTheStreamingQueryListenerAloneStreamingQueriesShowTheirRealSourcesAndSinks() throws IOException {
        runAndCheck("b_", "spark.sql.streaming.streamingQueryListeners", SampleEtl.STREAMING_LISTENER, List.of());
    }

    /**
     * {@code atlas.spark.process.granularity=query}: one spark_process per streaming query, named after the query's
     * id, each with only its own sources and sink (the foreachBatch query's table as its output, the restarted query
     * under the name it had before the restart), each linked to the one spark_application.
     */
    @Test
    void inQueryGranularityEachStreamingQueryIsAProcessWithItsOwnSourcesAndSink() throws IOException {
        runAndCheck("c_", "spark.extraListeners", SampleEtl.LISTENER, List.of(), true);
    }

    private static void runAndCheck(String prefix, String listenerKey, String listener, List<String> warned)
            throws IOException {
        runAndCheck(prefix, listenerKey, listener, warned, false);
    }

    private static void runAndCheck(String prefix, String listenerKey, String listener, List<String> warned,
            boolean perQuery) throws IOException {
        createTopics(prefix);
        Path runDir = WorkDirs.newDir("streaming-lineage-" + prefix);
        Path work = runDir.resolve("work").toAbsolutePath();
        Path gate = runDir.resolve("gate");
        Files.createDirectories(gate);
        Map<String, String> properties = new LinkedHashMap<>(SampleEtl.saslSslProperties(broker, HOOK_TOPIC, NAMESPACE));
        if (perQuery) {
            properties.put("atlas.spark.process.granularity", "query");
        }
        SampleEtl.writeAtlasProperties(runDir, properties);
        int before = broker.consumeAll(HOOK_TOPIC, 0, Duration.ofSeconds(10)).size();

        SparkSubmitRun.Running running = SparkSubmitRun.app(StreamingLineageApp.class.getName())
                .workingDir(runDir)
                .args(work.toString(), broker.plaintextBootstrap(), gate.toString(), prefix)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .jobJars("spark-sql-kafka")
                .conf(listenerKey, listener)
                .start();
        boolean waiting = running.awaitLogLine(StreamingLineageApp.WAITING_LINE, RUN_TIMEOUT);
        if (waiting) {
            broker.createTopic(prefix + "events.late", 1);
            produce(prefix + "events.late");
            Files.createFile(gate.resolve("late-topic"));
        }
        boolean continuous = waiting && running.awaitLogLine(StreamingLineageApp.CONTINUOUS_LINE, RUN_TIMEOUT);
        int continuousCopies = 0;
        if (continuous) {
            continuousCopies = broker.consumeAll(prefix + "orders.cont", ROWS_PER_TOPIC, Duration.ofSeconds(60))
                    .size();
            Files.createFile(gate.resolve("continuous-read"));
        }
        SparkSubmitRun.Result result = running.await(RUN_TIMEOUT);

        assertTrue(waiting, result::toString);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(continuous, result::toString);
        assertEquals(ROWS_PER_TOPIC, continuousCopies, "the continuous query's own output");
        String log = result.log();
        assertTrue(log.contains(StreamingLineageApp.LATE_READ_LINE), result::toString);
        assertTrue(log.contains(StreamingLineageApp.RESTARTED_PREFIX + "true"), result::toString);
        assertTrue(log.contains(StreamingLineageApp.FAILED_LINE), result::toString);
        assertTrue(log.contains(StreamingLineageApp.DONE_PREFIX + "pattern-out rows=" + 2 * ROWS_PER_TOPIC
                + ", fb_orders rows=" + ROWS_PER_TOPIC), result::toString);

        List<ConsumedRecord> all = broker.consumeAll(HOOK_TOPIC, before + 1, Duration.ofSeconds(30));
        List<String> values = all.subList(Math.min(before, all.size()), all.size()).stream()
                .map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + HOOK_TOPIC + ".jsonl", values);
        List<JsonNode> allMessages = AtlasHookDecoder.decodeAll(values);
        // With only the streaming listener configured the agent starts with the first query, after the CREATE TABLE.
        List<String> ddl = SampleEtl.LISTENER.equals(listener)
                ? List.of("define spark_table:default.fb_orders@" + NAMESPACE + " columns=[value string]") : List.of();
        assertEquals(ddl, HookMessages.catalogMessages(allMessages).stream().map(MessageSummary::of).toList(),
                "the job's CREATE TABLE, on its own");
        List<JsonNode> messages = HookMessages.processMessages(allMessages);
        assertFalse(messages.isEmpty(), result::toString);
        for (JsonNode message : allMessages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            assertFalse(message.toString().contains(StreamingLineageApp.PLANTED_SECRET), "a Kafka option's secret "
                    + "was sent: " + message);
        }

        Set<DatasetRef> patternOut = Set.of(fsPath(SampleEtl.localUri(work.resolve("pattern-out")) + "@" + NAMESPACE));
        if (perQuery) {
            // The last state of each process, by its name: exactly the four queries that read something, and the
            // batch write.
            Map<String, ProcessView> lastByProcess = new LinkedHashMap<>();
            Set<String> applications = new java.util.HashSet<>();
            for (JsonNode message : messages) {
                ProcessView process = HookMessages.onlyProcess(message);
                assertTrue(process.qualifiedName().startsWith("spark-streaming-query/")
                        || process.outputs().equals(Set.of(kafkaTopic(prefix + "orders.batch"))), process::toString);
                lastByProcess.put(process.qualifiedName(), process);
                for (JsonNode entity : message.path("entities").path("entities")) {
                    if ("spark_application".equals(entity.path("typeName").asText())) {
                        applications.add(entity.path("attributes").path("qualifiedName").asText());
                    }
                }
            }
            assertEquals(1, applications.size(), () -> "one spark_application: " + applications);
            Map<Set<DatasetRef>, Set<DatasetRef>> ioByOutputs = new LinkedHashMap<>();
            lastByProcess.values().forEach(p -> ioByOutputs.put(p.outputs(), p.inputs()));
            Map<Set<DatasetRef>, Set<DatasetRef>> expected = new LinkedHashMap<>();
            expected.put(patternOut, Set.of(kafkaTopic(prefix + "events.a"), kafkaTopic(prefix + "events.late")));
            expected.put(Set.of(sparkTable("default.fb_orders@" + NAMESPACE)), Set.of(kafkaTopic(prefix + "orders")));
            expected.put(Set.of(kafkaTopic(prefix + "orders.out")), Set.of(kafkaTopic(prefix + "orders")));
            expected.put(Set.of(kafkaTopic(prefix + "orders.cont")), Set.of(kafkaTopic(prefix + "orders")));
            expected.put(Set.of(kafkaTopic(prefix + "orders.batch")), Set.of(kafkaTopic(prefix + "orders")));
            assertEquals(expected, ioByOutputs, () -> "outputs -> inputs of each query's last message; all: "
                    + messages);
            assertEquals(5, lastByProcess.size(), lastByProcess::toString);
        } else {
            ProcessView last = HookMessages.onlyProcess(messages.get(messages.size() - 1));
            assertEquals(Set.of(kafkaTopic(prefix + "events.a"), kafkaTopic(prefix + "events.late"),
                    kafkaTopic(prefix + "orders")), last.inputs(),
                    () -> "inputs of the application's last message; all messages: " + messages);
            Set<DatasetRef> outputs = new java.util.HashSet<>(patternOut);
            outputs.addAll(Set.of(sparkTable("default.fb_orders@" + NAMESPACE), kafkaTopic(prefix + "orders.out"),
                    kafkaTopic(prefix + "orders.cont"), kafkaTopic(prefix + "orders.batch")));
            assertEquals(outputs, last.outputs(),
                    () -> "outputs of the application's last message; all messages: " + messages);
        }
        // The topic of the failing query was never read into anything: no lineage invented for it.
        for (JsonNode message : messages) {
            assertFalse(HookMessages.entityNames(message).contains("kafka_topic:" + prefix + "audit@" + NAMESPACE),
                    () -> "the failing query's topic is in a message: " + message);
        }
        // Each query is news once, the pattern query once more for its new topic, the batch copy once; micro-batches,
        // the restart and the failing query are not.
        assertTrue(messages.size() <= 6, () -> messages.size() + " messages: " + messages);

        assertEquals(List.of(), DriverLog.agentLines(log, "ERROR"), "no agent errors");
        List<String> warnings = DriverLog.agentLines(log, "WARN");
        assertEquals(warned.size(), warnings.size(), () -> "agent warnings: " + warnings);
        for (int i = 0; i < warned.size(); i++) {
            assertTrue(warnings.get(i).contains(warned.get(i)), warnings::toString);
        }
        assertEquals(0L, DriverLog.summary(log).get("internal errors"), log);
        assertEquals(ROWS_PER_TOPIC, broker.consumeAll(prefix + "orders.out", ROWS_PER_TOPIC, Duration.ofSeconds(20))
                .size(), "the Kafka sink's own output");
    }
}
