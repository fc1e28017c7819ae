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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever goes wrong on the agent's side, the Spark job succeeds and the driver log says once, in words a user
 * can act on, what went wrong, without echoing a secret: a rejected password, an invalid setting, no Kafka at all
 * (offline files instead), an unreachable broker (bounded delay, no hang).
 */
class FailureEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    /** An unreachable broker may cost the job the agent's bounded flush waits, never an open-ended hang. */
    private static final Duration UNREACHABLE_RUN_LIMIT = Duration.ofSeconds(90);

    private static final Pattern UNREACHABLE_WORDS = Pattern.compile(
            "(?i)unreachable|not reachable|(cannot|can not|could not|unable to) (connect|reach)");

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-failures"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void wrongSaslPasswordIsReportedOnceWithoutFailingTheJobOrLeakingThePassword() {
        String topic = "ATLAS_HOOK_wrong_password";
        broker.createTopic(topic, 1);
        String wrongPassword = "Endpoint=sb://wrong.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey="
                + "WrOnG" + Long.toHexString(System.nanoTime());
        Path runDir = WorkDirs.newDir("fail-wrong-password");
        Map<String, String> props = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> props.put("atlas.kafka." + k, v));
        props.put("atlas.kafka.sasl.jaas.config",
                props.get("atlas.kafka.sasl.jaas.config").replace(broker.saslPassword(), wrongPassword));
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", NAMESPACE);
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = runJob(runDir, SampleEtl.submit(runDir));

        String log = result.log();
        List<String> saslErrors = DriverLog.linesAt(log, "ERROR").stream()
                .filter(line -> line.contains("SASL authentication")).toList();
        assertEquals(1, saslErrors.size(), () -> "ERROR lines naming SASL authentication:\n" + log);
        assertEquals(saslErrors, DriverLog.agentLines(log, "ERROR").stream()
                .filter(line -> line.contains("SASL authentication")).toList(), "logged by the agent");
        assertTrue(saslErrors.get(0).contains(broker.saslSslBootstrap()), saslErrors.get(0));
        assertFalse(log.contains(wrongPassword), "the (wrong) SASL password appears in the driver log");
        assertFalse(log.contains("SharedAccessKey=WrOnG"), "part of the SASL password appears in the driver log");
        assertFalse(log.contains(broker.truststorePassword()), "the truststore password appears in the driver log");
        assertTrue(log.contains(", sent=0, spooled="), "the summary counts nothing as sent:\n" + log);
        assertFalse(log.contains(", spooled=0,"), "the undelivered messages are kept in the spool:\n" + log);
        assertEquals(0, broker.consumeAll(topic, 0, Duration.ofSeconds(20)).size(), "nothing reached the topic");
    }

    @Test
    void unknownClientTypeInPropertiesFileDisablesTheAgentWithOneClearError() {
        String topic = "ATLAS_HOOK_client_rest";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("fail-client-type");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("atlas.client.type", "rest");
        props.put("atlas.kafka.bootstrap.servers", broker.plaintextBootstrap());
        props.put("atlas.notification.hook.topic.name", topic);
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = runJob(runDir, SampleEtl.submit(runDir));

        assertDisabledBy(result, "invalid value 'rest' for atlas.client.type; accepted: kafka | file");
        assertEquals(0, broker.consumeAll(topic, 0, Duration.ofSeconds(20)).size(), "nothing reached the topic");
        assertFalse(Files.exists(runDir.resolve("spark-atlas-lineage")), "no offline files either");
    }

    @Test
    void nonNumericMessageMaxLengthInSparkConfDisablesTheAgentWithOneClearError() {
        String topic = "ATLAS_HOOK_max_length";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("fail-max-length");

        SparkSubmitRun.Result result = runJob(runDir, SampleEtl.submit(runDir)
                .conf("spark.atlas.kafka.bootstrap.servers", broker.plaintextBootstrap())
                .conf("spark.atlas.notification.hook.topic.name", topic)
                .conf("spark.atlas.notification.message.max.length.bytes", "big"));

        assertDisabledBy(result, "invalid value 'big' for atlas.notification.message.max.length.bytes; "
                + "accepted: a whole number from 4096 to 100000000");
        assertEquals(0, broker.consumeAll(topic, 0, Duration.ofSeconds(20)).size(), "nothing reached the topic");
        assertFalse(Files.exists(runDir.resolve("spark-atlas-lineage")), "no offline files either");
    }

    @Test
    void withoutAnyKafkaConfigurationLineageGoesToOfflineFiles() throws IOException {
        Path runDir = WorkDirs.newDir("fail-offline");

        SparkSubmitRun.Result result = runJob(runDir, SampleEtl.submit(runDir));

        String log = result.log();
        Path sinkDir = runDir.resolve("spark-atlas-lineage");
        List<String> offlineWarnings = DriverLog.agentLines(log, "WARN").stream()
                .filter(line -> line.contains("offline mode")).toList();
        assertEquals(1, offlineWarnings.size(), () -> "WARN lines about offline mode:\n" + log);
        assertTrue(offlineWarnings.get(0).contains("no Kafka configured") && offlineWarnings.get(0).contains(
                sinkDir.toString()), offlineWarnings.get(0));
        assertEquals(List.of(), DriverLog.agentLines(log, "ERROR"), "no agent errors");

        List<Path> appDirs;
        try (Stream<Path> list = Files.list(sinkDir)) {
            appDirs = list.toList();
        }
        assertEquals(1, appDirs.size(), () -> "one folder per application: " + appDirs);
        Path file = appDirs.get(0).resolve("atlas-hook.jsonl");
        assertTrue(Files.isRegularFile(file), () -> "missing " + file);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(lines);
        // No namespace configured: Atlas's default cluster name.
        String appId = SampleEtl.assertLineage(messages, SampleEtl.workDir(runDir), "primary");
        assertEquals(appId, appDirs.get(0).getFileName().toString(), "the folder is named after the application");
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES, lines.size(),
                "one line per record, one record per message");
    }

    @Test
    void unreachableBrokerDoesNotHoldTheJobAndIsReported() {
        String bootstrap = "127.0.0.1:" + closedPort();
        Path runDir = WorkDirs.newDir("fail-unreachable");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("atlas.kafka.bootstrap.servers", bootstrap);
        props.put("atlas.metadata.namespace", NAMESPACE);
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = runJob(runDir, SampleEtl.submit(runDir));

        assertTrue(result.duration().compareTo(UNREACHABLE_RUN_LIMIT) < 0,
                () -> "the job took " + result.duration() + " with an unreachable broker");
        List<String> errors = DriverLog.agentLines(result.log(), "ERROR");
        List<String> unreachable = errors.stream()
                .filter(line -> line.contains(bootstrap) && UNREACHABLE_WORDS.matcher(line).find()).toList();
        assertEquals(1, unreachable.size(),
                () -> "one agent ERROR saying that " + bootstrap + " could not be reached:\n" + String.join("\n", errors));
        for (String error : errors) {
            // Interrupting a blocked send is the agent's own shutdown; reporting it says nothing a user can act on.
            assertFalse(error.contains("InterruptedException") || error.contains("InterruptException")
                    || error.endsWith(": null"), () -> "meaningless agent ERROR: " + error);
        }
    }

    /** The job with the agent as a Purview user adds it; it must succeed whatever the agent meets. */
    private static SparkSubmitRun.Result runJob(Path runDir, SparkSubmitRun submit) {
        SparkSubmitRun.Result result = submit
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        return result;
    }

    private static void assertDisabledBy(SparkSubmitRun.Result result, String problem) {
        String log = result.log();
        List<String> errors = DriverLog.agentLines(log, "ERROR");
        assertEquals(1, errors.size(), () -> "agent ERROR lines:\n" + log);
        assertTrue(errors.get(0).contains(problem), () -> errors.get(0) + "\n should name: " + problem);
        assertTrue(errors.get(0).contains("spark-atlas-agent disabled"), errors.get(0));
        assertEquals(List.of(), DriverLog.agentLines(log, "INFO").stream()
                .filter(line -> line.contains(" enabled: sink=")).toList(), "no start line of an enabled agent");
    }

    /** A local port nothing listens on: bound, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
