package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

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
 * A spool directory another user could write to is not used: the driver log says so once at ERROR, naming the
 * directory and why, the job runs as usual, and its lineage reaches Kafka through the agent's private fallback in
 * the user's home, with nothing written to the refused directory.
 */
class UntrustedSpoolDirectoryEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-untrusted-spool"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void worldWritableSpoolDirectoryIsRefusedOnceAndTheLineageGoesThroughThePrivateFallback() throws IOException {
        String topic = "ATLAS_HOOK_untrusted_spool";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("untrusted-spool");
        Path shared = Files.createDirectories(runDir.resolve("shared-spool"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path home = Files.createDirectories(runDir.resolve("home"));
        Path fallback = home.resolve(".spark-atlas-agent").resolve("spool");
        SampleEtl.writeAtlasProperties(runDir, SampleEtl.saslSslProperties(broker, topic, NAMESPACE));

        SparkSubmitRun.Result result = SampleEtl.submit(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", shared.toString())
                .systemProperty("user.home", home.toString())
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        assertFalse(result.log().contains(broker.saslPassword()), "the SASL password appears in the driver log");
        List<String> errors = DriverLog.agentLines(result.log(), "ERROR");
        assertEquals(1, errors.size(), () -> "one agent ERROR:\n" + result.log());
        assertTrue(errors.get(0).contains("refuses the spool directory " + shared
                + ": it is writable by all users (rwxrwxrwx)")
                && errors.get(0).contains("uses its private directory " + fallback + " instead"), errors.get(0));
        // No warning about the spool: the only ones are the sample job's commands the agent does not capture yet.
        SampleEtl.assertOnlyUncapturedCommandWarnings(result.log());

        // Every write captured, and each message sent or superseded by a newer state while it waited; nothing left.
        int sent = DriverLog.assertSentOrSuperseded(DriverLog.summary(result.log()),
                SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES);
        List<ConsumedRecord> records = broker.consumeAll(topic, sent, Duration.ofSeconds(60));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl", values);
        List<JsonNode> distinct = ScriptedWrites.withoutRepeats(AtlasHookDecoder.decodeAll(values));
        assertEquals(sent, distinct.size(), () -> "one distinct message per message sent: " + distinct);
        SampleEtl.assertStates(distinct, SampleEtl.workDir(runDir), NAMESPACE);

        try (Stream<Path> files = Files.list(shared)) {
            assertEquals(List.of(), files.toList(), "nothing written to the refused directory");
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback)));
        assertEquals(List.of(), Spools.directories(fallback), () -> "delivered, so no spool left in the fallback:\n"
                + Spools.listing(fallback));
    }
}
