package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.ScriptedWritesApp;
import io.github.sparkatlas.e2e.harness.AgentCommand;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * While the broker is down, every write of a job makes a new state of the application's spark_process, and each
 * state holds all the earlier ones: the agent sends only the newest once the broker is back, and that one names
 * every dataset the job touched. The same holds for the spool a driver killed with -9 leaves, whether the next
 * application or the replay command sends it.
 */
class SupersedingEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final int WRITES = 5;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-superseding"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void writesMadeWhileTheBrokerIsDownAreSentAsTheirNewestStateOnceItIsBack() throws Exception {
        String topic = "ATLAS_HOOK_superseding";
        broker.createTopic(topic, 1);
        broker.stop();
        Path runDir = WorkDirs.newDir("superseding-job");
        Path spoolBase = runDir.resolve("spool");
        Path endGate = runDir.resolve("end-gate");
        SampleEtl.writeAtlasProperties(runDir, properties(topic));
        SparkSubmitRun.Running driver = ScriptedWrites.submit(runDir, WRITES, "--end-gate", endGate.toString())
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .start();
        SparkSubmitRun.Result result;
        try {
            assertTrue(driver.awaitLogLine(ScriptedWritesApp.doneLine(WRITES), STEP_TIMEOUT),
                    () -> "the job made its writes:\n" + driver.log());
            // Every write's state is in the spool, each superseding the one before: only the newest is pending.
            List<JsonNode> pending = Spools.awaitLastPending(spoolBase, m -> isStateAfterEveryWrite(m, runDir),
                    Duration.ofSeconds(30));
            assertEquals(1, pending.size(), () -> "only the newest state waits to be sent: " + pending);
            broker.restart();
            // The sender retries on its own (backing off up to 10 s); the application ends once it has delivered.
            List<ConsumedRecord> delivered = broker.consumeAll(topic, 1, Duration.ofSeconds(60));
            assertEquals(1, delivered.size(), () -> "delivered after the broker came back: " + delivered);
            Files.createFile(endGate);
            result = driver.await(RUN_TIMEOUT);
        } finally {
            if (driver.process().isAlive()) {
                driver.killForcibly();
            }
        }

        assertEquals(0, result.exitCode(), result::toString);
        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(WRITES, summary.get("messages"), () -> "one state per write: " + summary);
        assertEquals(1, summary.get("sent"), () -> "only the newest state is sent: " + summary);
        assertEquals(WRITES - 1, summary.get("superseded"), () -> "the others are superseded: " + summary);
        assertEquals(0, summary.get("spooled"), () -> "nothing left: " + summary);
        assertEquals(0, summary.get("dropped messages"), () -> "superseded is not dropped: " + summary);

        List<ConsumedRecord> records = broker.consumeAll(topic, 1, Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> messages = decode(records);
        assertEquals(1, messages.size(), () -> "fewer messages than writes: " + messages);
        assertStateAfterEveryWrite(messages.get(0), runDir);
        assertTrue(Spools.directories(spoolBase).isEmpty(), () -> Spools.listing(spoolBase));
    }

    @Test
    void theSpoolOfADriverKilledWhileTheBrokerIsDownSendsTheNewestStateWholeByReplayOrTheNextApplication() {
        String topicNext = "ATLAS_HOOK_superseding_next";
        String topicReplay = "ATLAS_HOOK_superseding_replay";
        broker.createTopic(topicNext, 1);
        broker.createTopic(topicReplay, 1);
        broker.stop();
        Path runDir = WorkDirs.newDir("superseding-killed");
        Path spoolBase = runDir.resolve("spool");
        SampleEtl.writeAtlasProperties(runDir, properties(topicNext));
        SparkSubmitRun.Running driver = ScriptedWrites.submit(runDir, WRITES, "--hang-seconds", "300")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .start();
        SparkSubmitRun.Result killed;
        List<JsonNode> captured;
        try {
            assertTrue(driver.awaitLogLine(ScriptedWritesApp.HANG_LINE, STEP_TIMEOUT),
                    () -> "the job made its writes:\n" + driver.log());
            captured = Spools.awaitLastPending(spoolBase, m -> isStateAfterEveryWrite(m, runDir),
                    Duration.ofSeconds(30));
        } finally {
            killed = driver.killForcibly();
        }
        assertEquals(137, killed.exitCode(), () -> "killed by SIGKILL: " + killed);
        assertEquals(1, captured.size(), () -> "only the newest state waits to be sent: " + captured);
        List<Path> spools = Spools.directories(spoolBase);
        assertEquals(1, spools.size(), () -> Spools.listing(spoolBase));
        // The killed driver's sender may have acknowledged some superseded states already, in their turn before
        // an attempt that failed; the others wait in the spool, to be left unsent by whoever sends it.
        long superseded = Spools.supersededPending(spools.get(0));
        assertTrue(superseded <= WRITES - 1, () -> "superseded states waiting: " + superseded);
        broker.restart();

        // the replay command
        Path replaySpools = WorkDirs.newDir("superseding-replay-spool").resolve("spool");
        Spools.copy(spools.get(0), replaySpools);
        Path configDir = WorkDirs.newDir("superseding-replay-config");
        SampleEtl.writeAtlasProperties(configDir, properties(topicReplay));
        AgentCommand.Result replay = AgentCommand.replay(replaySpools,
                configDir.resolve("atlas-application.properties"), configDir, RUN_TIMEOUT);
        assertEquals(0, replay.exitCode(), replay::toString);
        assertTrue(replay.output().contains("replay: 1 message(s) sent to topic " + topicReplay + " at "
                + broker.saslSslBootstrap() + (superseded == 0 ? "; nothing left" : " (" + superseded
                + " superseded by a newer state of the same process); nothing left")), replay::toString);
        List<ConsumedRecord> replayed = broker.consumeAll(topicReplay, 1, Duration.ofSeconds(30));
        SampleEtl.saveRecords(configDir, "consumed-" + topicReplay + ".jsonl",
                replayed.stream().map(ConsumedRecord::value).toList());
        assertEquals(1, replayed.size(), () -> "the newest state only: " + replayed);
        assertTrue(HookMessages.spooled(replayed.get(0)), "sent late, so marked as spooled");
        assertEquals(captured, decode(replayed), "the newest state arrives as the agent captured it");
        assertStateAfterEveryWrite(decode(replayed).get(0), runDir);
        assertTrue(Spools.directories(replaySpools).isEmpty(), () -> Spools.listing(replaySpools));

        // the next application with the same destination
        Path nextSpools = WorkDirs.newDir("superseding-next-spool").resolve("spool");
        Spools.copy(spools.get(0), nextSpools);
        Path nextDir = WorkDirs.newDir("superseding-next-app");
        SampleEtl.writeAtlasProperties(nextDir, properties(topicNext));
        SparkSubmitRun.Result next = ScriptedWrites.submit(nextDir, 1)
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", nextSpools.toString())
                .run(RUN_TIMEOUT);
        assertEquals(0, next.exitCode(), next::toString);
        Map<String, Long> summary = DriverLog.summary(next.log());
        assertEquals(1, summary.get("replayed"), () -> "the killed driver's newest state: " + summary);
        assertEquals(superseded, summary.get("superseded"), () -> "its older states: " + summary);
        assertEquals(0, summary.get("spooled"), () -> "nothing left: " + summary);
        List<ConsumedRecord> records = broker.consumeAll(topicNext, 2, Duration.ofSeconds(30));
        SampleEtl.saveRecords(nextDir, "consumed-" + topicNext + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        String killedProcess = HookMessages.onlyProcess(captured.get(0)).qualifiedName();
        List<ConsumedRecord> killedRecords = records.stream().filter(r -> killedProcess.equals(r.key())).toList();
        assertEquals(1, killedRecords.size(), () -> "the killed driver's newest state only: " + records);
        assertEquals(killedRecords, records.subList(0, 1), "sent before the next application's own");
        assertStateAfterEveryWrite(decode(killedRecords).get(0), runDir);
        assertTrue(Spools.directories(nextSpools).isEmpty(), () -> Spools.listing(nextSpools));
    }

    /** The application's spark_process after its last write: the landing CSV in, every write's output out. */
    private static boolean isStateAfterEveryWrite(JsonNode message, Path runDir) {
        ProcessView process = HookMessages.onlyProcess(message);
        return process.outputs().equals(ScriptedWrites.outputs(runDir, WRITES, NAMESPACE));
    }

    private static void assertStateAfterEveryWrite(JsonNode message, Path runDir) {
        HookMessages.assertValidForAtlasAndPurview(message);
        ProcessView process = HookMessages.onlyProcess(message);
        assertEquals(ScriptedWrites.inputs(runDir, NAMESPACE), process.inputs(), "every input");
        assertEquals(ScriptedWrites.outputs(runDir, WRITES, NAMESPACE), process.outputs(), "every write's output");
    }

    private static Map<String, String> properties(String topic) {
        return SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
    }

    private static List<JsonNode> decode(List<ConsumedRecord> records) {
        return AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
    }
}
