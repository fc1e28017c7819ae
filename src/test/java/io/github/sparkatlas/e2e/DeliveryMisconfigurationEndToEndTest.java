package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.harness.AgentCommand;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A destination the user got wrong costs neither the job nor its lineage: the job succeeds, the driver log says
 * once what is wrong and how to fix it (and no secret), the messages wait in the spool, and once the user has
 * fixed the configuration {@code java -jar <agent jar> replay} delivers every one of them.
 */
class DeliveryMisconfigurationEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(3);
    private static final String KEPT = "; the messages are kept in the spool and sent when this is fixed";

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-misconfig"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void wrongSaslPasswordKeepsTheLineageUntilReplayWithTheRightOne() {
        String topic = "ATLAS_HOOK_misconfig_password";
        broker.createTopic(topic, 1);
        String wrongPassword = "Endpoint=sb://wrong.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey="
                + "WrOnG" + Long.toHexString(System.nanoTime());
        Map<String, String> wrong = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
        wrong.put("atlas.kafka.sasl.jaas.config",
                wrong.get("atlas.kafka.sasl.jaas.config").replace(broker.saslPassword(), wrongPassword));

        misconfiguredThenReplayed("misconfig-password", topic, wrong, List.of(
                "SASL authentication to " + broker.saslSslBootstrap() + " failed",
                "user name or password in atlas.kafka.sasl.jaas.config"), List.of(wrongPassword, "WrOnG"), () -> {
                });
    }

    @Test
    void untrustedBrokerCertificateKeepsTheLineageUntilReplayWithTheRightTruststore() {
        String topic = "ATLAS_HOOK_misconfig_tls";
        broker.createTopic(topic, 1);
        Path tlsDir = WorkDirs.newDir("misconfig-other-tls");
        String otherPassword = "other-" + Long.toHexString(System.nanoTime());
        Path otherTruststore = KafkaBroker.truststoreOfAnotherCertificate(tlsDir, otherPassword);
        Map<String, String> wrong = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
        wrong.put("atlas.kafka.ssl.truststore.location", otherTruststore.toString());
        wrong.put("atlas.kafka.ssl.truststore.password", otherPassword);

        misconfiguredThenReplayed("misconfig-tls", topic, wrong, List.of(
                "TLS handshake with " + broker.saslSslBootstrap() + " failed: the broker's certificate is not trusted",
                "atlas.kafka.ssl.truststore.location"), List.of(otherPassword), () -> {
                });
    }

    @Test
    void missingTopicKeepsTheLineageUntilReplayOnceTheTopicExists() {
        String topic = "ATLAS_HOOK_misconfig_missing_topic";
        Map<String, String> props = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);

        misconfiguredThenReplayed("misconfig-topic", topic, props, List.of(
                "no metadata for topic " + topic + " from " + broker.saslSslBootstrap(),
                "the topic does not exist (create it"), List.of(), () -> broker.createTopic(topic, 1));
    }

    /**
     * Runs the sample job with {@code wrongProps}, checks the job, the one ERROR (naming each of
     * {@code problemWords}), the spool and the log's secrecy; then applies {@code fix} and replays the spool with
     * the broker's right properties, and checks that the topic holds exactly the job's messages.
     */
    private static void misconfiguredThenReplayed(String name, String topic, Map<String, String> wrongProps,
                                                  List<String> problemWords, List<String> secrets, Runnable fix) {
        Path runDir = WorkDirs.newDir(name);
        Path spoolBase = runDir.resolve("spool");
        SampleEtl.writeAtlasProperties(runDir, wrongProps);

        SparkSubmitRun.Result result = SampleEtl.submit(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        String log = result.log();
        List<String> errors = DriverLog.agentLines(log, "ERROR");
        assertEquals(1, errors.size(), () -> "one agent ERROR:\n" + String.join("\n", errors));
        String error = errors.get(0);
        assertTrue(error.contains("spark-atlas-agent could not deliver lineage to Kafka: ") && error.endsWith(KEPT),
                error);
        for (String words : problemWords) {
            assertTrue(error.contains(words), () -> error + "\n should say: " + words);
        }
        List<String> allSecrets = new ArrayList<>(secrets);
        allSecrets.add(broker.saslPassword());
        allSecrets.add(broker.truststorePassword());
        for (String secret : allSecrets) {
            assertFalse(log.contains(secret), () -> "a password appears in the driver log: " + secret);
        }
        Map<String, Long> summary = DriverLog.summary(log);
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES, summary.get("messages"),
                () -> "one message per write and per DDL: " + summary);
        assertEquals(0, summary.get("sent"), () -> "nothing acknowledged: " + summary);
        assertEquals(1 + SampleEtl.CATALOG_CHANGES, summary.get("spooled"),
                () -> "the newest state and the DDL (never superseded) kept in the spool: " + summary);
        assertEquals(SampleEtl.WRITES - 1, summary.get("superseded"), () -> "it holds the older ones: " + summary);
        List<Path> spools = Spools.directories(spoolBase);
        assertEquals(1, spools.size(), () -> Spools.listing(spoolBase));
        List<JsonNode> captured = Spools.pendingMessages(spools.get(0));
        assertEquals(1 + SampleEtl.CATALOG_CHANGES, captured.size(), "messages in the spool still to be sent");

        fix.run();
        Path fixedConfig = runDir.resolve("fixed");
        SampleEtl.writeAtlasProperties(fixedConfig, SampleEtl.saslSslProperties(broker, topic, NAMESPACE));
        AgentCommand.Result replay = AgentCommand.replay(spoolBase, fixedConfig.resolve("atlas-application.properties"),
                runDir, REPLAY_TIMEOUT);

        assertEquals(0, replay.exitCode(), replay::toString);
        assertTrue(replay.output().contains("replay: " + captured.size() + " message(s) sent to topic " + topic),
                replay::toString);
        assertFalse(replay.output().contains(broker.saslPassword()), "the SASL password appears in replay's output");
        List<ConsumedRecord> records = broker.consumeAll(topic, captured.size(), Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        assertEquals(captured.size(), records.size(), () -> "the topic holds exactly the job's messages: " + records);
        assertTrue(records.stream().allMatch(HookMessages::spooled), "replayed messages are marked as spooled");
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        assertEquals(captured, messages, "the messages arrive as the agent captured them, in order");
        String appId = SampleEtl.assertStates(messages, SampleEtl.workDir(runDir), NAMESPACE);
        SampleEtl.assertRecords(records, appId, NAMESPACE, captured.size());
        assertEquals(List.of(), Spools.directories(spoolBase),
                () -> "replay leaves no spool behind:\n" + Spools.listing(spoolBase));
    }
}
