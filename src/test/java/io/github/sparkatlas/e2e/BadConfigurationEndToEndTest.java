package io.github.sparkatlas.e2e;

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

import io.github.sparkatlas.e2e.harness.HarnessProbeApp;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Settings of the spool, the capture budget and redaction that cannot work switch the agent off with one ERROR
 * naming the setting, and the job (a table write, over a SASL_SSL configuration that is otherwise right) runs as if
 * the agent were not there. FailureEndToEndTest covers the Kafka-side failures and the older settings.
 */
class BadConfigurationEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final String TABLE = "probe_table";
    private static final String JOB_OUTPUT = "HARNESS_PROBE count=10 catalog=in-memory table=true";

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-bad-config"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void spoolDirectoryBelowARegularFileDisablesTheAgentWithOneErrorNamingTheSetting() throws IOException {
        String topic = "ATLAS_HOOK_bad_spool_dir";
        Path runDir = WorkDirs.newDir("bad-spool-dir");
        // Not a permission problem: the tests may run as root, who can write anywhere.
        Path regularFile = Files.writeString(Files.createDirectories(runDir).resolve("not-a-directory"), "x");
        Path spoolDir = regularFile.resolve("spool");

        SparkSubmitRun.Result result = runJob(runDir, topic, "spark.atlas.spark.spool.dir", spoolDir.toString());

        String error = onlyAgentError(result);
        assertTrue(error.contains("spark-atlas-agent disabled") && error.contains("atlas.spark.spool.dir")
                && error.contains(spoolDir.toString()), () -> "the ERROR names the setting and the directory: " + error);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"),
                "nothing more from a disabled agent (no word of messages kept in a spool)");
        assertTrue(summary(result).contains(", messages=0, sent=0, spooled=0,"), summary(result));
        assertTrue(Files.isRegularFile(regularFile), "left as it was");
        assertNothingSent(result, topic);
    }

    @Test
    void invalidAgentRedactionRegexDisablesTheAgentWithOneErrorNamingTheSetting() {
        String topic = "ATLAS_HOOK_bad_redaction_regex";
        Path runDir = WorkDirs.newDir("bad-redaction-regex");

        SparkSubmitRun.Result result = runJob(runDir, topic, "spark.atlas.spark.redaction.regex", "([");

        String error = onlyAgentError(result);
        assertTrue(error.contains("spark-atlas-agent disabled")
                && error.contains("atlas.spark.redaction.regex is not a valid regular expression"), error);
        assertNotStarted(result);
        assertNothingSent(result, topic);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "spark.atlas.spark.spool.max.bytes, -5, "
                + "invalid value '-5' for atlas.spark.spool.max.bytes; accepted: a whole number from 1048576 to",
        "spark.atlas.spark.capture.budget.ms, abc, "
                + "invalid value 'abc' for atlas.spark.capture.budget.ms; accepted: a whole number from 1 to 60000",
    })
    void invalidNumberDisablesTheAgentWithOneErrorNamingTheKey(String key, String value, String problem) {
        String topic = "ATLAS_HOOK_bad_" + key.replaceAll("[^a-z]", "_");
        Path runDir = WorkDirs.newDir("bad-number");

        SparkSubmitRun.Result result = runJob(runDir, topic, key, value);

        String error = onlyAgentError(result);
        assertTrue(error.contains("spark-atlas-agent disabled") && error.contains(problem),
                () -> error + "\n should name: " + problem);
        assertNotStarted(result);
        assertNothingSent(result, topic);
    }

    /** A table write with a valid SASL_SSL configuration plus one bad setting; the job itself must not notice. */
    private static SparkSubmitRun.Result runJob(Path runDir, String topic, String key, String value) {
        broker.createTopic(topic, 1);
        Map<String, String> props = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> props.put("atlas.kafka." + k, v));
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", NAMESPACE);
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = SparkSubmitRun.app(HarnessProbeApp.class.getName())
                .workingDir(runDir)
                .args(TABLE)
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf(key, value)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(JOB_OUTPUT), result::toString);
        assertFalse(result.log().contains(broker.saslPassword()), "the SASL password appears in the driver log");
        assertFalse(result.log().contains(broker.truststorePassword()),
                "the truststore password appears in the driver log");
        return result;
    }

    private static String onlyAgentError(SparkSubmitRun.Result result) {
        List<String> errors = DriverLog.agentLines(result.log(), "ERROR");
        assertEquals(1, errors.size(), () -> "one agent ERROR line:\n" + result.log());
        return errors.get(0);
    }

    /** Invalid configuration is found before anything starts: no start line, no summary. */
    private static void assertNotStarted(SparkSubmitRun.Result result) {
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "INFO").stream()
                .filter(line -> line.contains("spark-atlas-agent")).toList(), "no INFO line of the agent");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"), "no agent warnings");
    }

    private static String summary(SparkSubmitRun.Result result) {
        List<String> lines = DriverLog.agentLines(result.log(), "INFO").stream()
                .filter(line -> line.contains("spark-atlas-agent summary at application end:")).toList();
        assertEquals(1, lines.size(), () -> "one summary line:\n" + result.log());
        return lines.get(0);
    }

    private static void assertNothingSent(SparkSubmitRun.Result result, String topic) {
        assertEquals(0, broker.consumeAll(topic, 0, Duration.ofSeconds(20)).size(), "nothing reached the topic");
        assertFalse(result.log().contains("spark-atlas-agent summary") && !result.log().contains(", sent=0,"),
                "nothing counted as sent");
    }
}
