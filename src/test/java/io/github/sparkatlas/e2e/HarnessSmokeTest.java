package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.HarnessProbeApp;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The e2e harness itself works: a real broker with Event Hubs-like SASL_SSL, and a real spark-submit. */
class HarnessSmokeTest {

    private static final String TOPIC = "ATLAS_HOOK";

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void recordProducedOverSaslSslIsConsumedOverPlaintext() throws Exception {
        String value = "{\"msg\":\"héllo atlas\"}";
        send(TOPIC, value);

        List<ConsumedRecord> records = broker.consumeAll(TOPIC, 1, Duration.ofSeconds(30));

        assertEquals(1, records.size(), records.toString());
        ConsumedRecord record = records.get(0);
        assertNull(record.key());
        assertEquals(value, record.value());
        assertEquals(0, record.partition());
        assertEquals(0L, record.offset());
        assertEquals(value.getBytes(StandardCharsets.UTF_8).length, record.serializedValueSize());
    }

    @Test
    void wrongPasswordFailsWithSaslAuthenticationException() {
        Map<String, String> props = new HashMap<>(broker.saslSslClientProperties());
        props.put("sasl.jaas.config", props.get("sasl.jaas.config").replace(broker.saslPassword(), "wrong"));

        try (KafkaProducer<String, String> producer = producer(props)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, "never")).get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SaslAuthenticationException, () -> "unexpected cause: " + e.getCause());
        }
    }

    @Test
    void restartKeepsPortsTopicsAndRecords() throws Exception {
        String topic = "restart-probe";
        broker.createTopic(topic, 1);
        send(topic, "before");

        broker.stop();
        assertFalse(broker.isRunning());
        broker.restart();
        send(topic, "after"); // same SASL_SSL port and credentials as before the stop

        List<String> values = broker.consumeAll(topic, 2, Duration.ofSeconds(30)).stream()
                .map(ConsumedRecord::value).toList();
        assertEquals(List.of("before", "after"), values);
    }

    @Test
    void sparkSubmitRunsAnApplicationWithHiveCatalog() throws Exception {
        Path runDir = WorkDirs.newDir("probe");

        SparkSubmitRun.Result result = SparkSubmitRun.app(HarnessProbeApp.class.getName())
                .withoutAgent()
                .workingDir(runDir)
                .hive(runDir.resolve("warehouse"))
                .systemProperty("harness.probe.sysprop", "sys-ok")
                .env("HARNESS_PROBE_ENV", "env-ok")
                .args("probe_table")
                .run(Duration.ofMinutes(3));

        assertTrue(result.succeeded(), result::toString);
        String log = result.log();
        assertTrue(log.contains("HARNESS_PROBE count=10 catalog=hive table=true cwd=" + runDir
                + " sysprop=sys-ok env=env-ok"), result::toString);
        assertTrue(log.contains("probe counted 10"), "io.github.sparkatlas loggers log at INFO");
        assertFalse(log.contains("Running Spark version"), "Spark's INFO lines are filtered");
        assertTrue(Files.isDirectory(runDir.resolve("metastore_db")), "Derby metastore in the working dir");
        assertTrue(Files.isDirectory(runDir.resolve("warehouse/probe_table")), "table data in the warehouse");
    }

    private static void send(String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = producer(broker.saslSslClientProperties())) {
            producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
