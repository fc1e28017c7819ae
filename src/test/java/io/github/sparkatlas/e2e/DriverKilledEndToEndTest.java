package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
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
 * A driver killed outright (SIGKILL: no listener callback, no shutdown hook, no flush) while Kafka has
 * acknowledged nothing loses no lineage: what the agent captured is in its spool on disk (the newest state of the
 * application's process, which holds the older ones), and either the next application with the same destination
 * or the replay command delivers it, marked as spooled.
 *
 * <p>One driver is killed for the class; each test delivers its own copy of the spool it left (the files exactly
 * as the killed driver left them), so the two ways of delivering do not depend on each other.
 */
class DriverKilledEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final String TOPIC_NEXT_APP = "ATLAS_HOOK_killed_next";
    private static final String TOPIC_REPLAY = "ATLAS_HOOK_killed_replay";
    private static final int KILLED_WRITES = 3;
    private static final int NEXT_WRITES = 2;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;
    /** The spool the killed driver left, never sent itself: the tests send copies. */
    private static Path killedSpool;
    /** What it held: the messages the agent captured and Kafka never acknowledged. */
    private static List<JsonNode> captured;

    @BeforeAll
    static void killADriverWhileTheBrokerIsDown() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-killed"));
        broker.createTopic(TOPIC_NEXT_APP, 1);
        broker.createTopic(TOPIC_REPLAY, 1);
        broker.stop();

        Path runDir = WorkDirs.newDir("killed-driver");
        Path spoolBase = runDir.resolve("spool");
        SampleEtl.writeAtlasProperties(runDir, properties(TOPIC_NEXT_APP));
        SparkSubmitRun.Running driver = ScriptedWrites.submit(runDir, KILLED_WRITES, "--hang-seconds", "300")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .start();
        SparkSubmitRun.Result killed;
        try {
            assertTrue(driver.awaitLogLine(ScriptedWritesApp.HANG_LINE, STEP_TIMEOUT),
                    () -> "the job made its writes:\n" + driver.log());
            // The listeners have seen the writes; the agent's own thread appends them to the spool moments later,
            // each state of the process superseding the one before.
            Spools.awaitLastPending(spoolBase, m -> HookMessages.onlyProcess(m).outputs()
                    .equals(ScriptedWrites.outputs(runDir, KILLED_WRITES, NAMESPACE)), Duration.ofSeconds(30));
        } finally {
            killed = driver.killForcibly();
        }

        assertEquals(137, killed.exitCode(), () -> "killed by SIGKILL: " + killed);
        assertTrue(DriverLog.agentLines(killed.log(), "INFO").stream().noneMatch(line -> line.contains("summary")),
                "a killed driver never reaches application end");
        List<Path> spools = Spools.directories(spoolBase);
        assertEquals(1, spools.size(), () -> Spools.listing(spoolBase));
        killedSpool = spools.get(0);
        captured = Spools.pendingMessages(killedSpool);
        assertEquals(1, captured.size(), "the newest state of the process, which holds every write");
        ScriptedWrites.assertStates(captured, runDir, KILLED_WRITES, NAMESPACE);
        broker.restart();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void pendingLineageOfAKilledDriverIsSentByTheNextApplication() {
        Path spoolBase = WorkDirs.newDir("killed-next-spool").resolve("spool");
        Spools.copy(killedSpool, spoolBase);
        Path runDir = WorkDirs.newDir("killed-next-app");
        SampleEtl.writeAtlasProperties(runDir, properties(TOPIC_NEXT_APP));

        SparkSubmitRun.Result next = ScriptedWrites.submit(runDir, NEXT_WRITES)
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .run(RUN_TIMEOUT);

        assertEquals(0, next.exitCode(), next::toString);
        assertTrue(next.log().contains(ScriptedWritesApp.doneLine(NEXT_WRITES)), next::toString);
        Map<String, Long> summary = DriverLog.summary(next.log());
        assertEquals(captured.size(), summary.get("replayed"), () -> "the killed driver's messages: " + summary);
        assertEquals(0, summary.get("spooled"), () -> "nothing left: " + summary);
        List<ConsumedRecord> records = broker.consumeAll(TOPIC_NEXT_APP, summary.get("sent").intValue(),
                Duration.ofSeconds(60));
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC_NEXT_APP + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        String killedProcess = HookMessages.onlyProcess(captured.get(0)).qualifiedName();
        List<ConsumedRecord> killedRecords = records.stream().filter(r -> killedProcess.equals(r.key())).toList();
        List<ConsumedRecord> nextRecords = records.stream().filter(r -> !killedProcess.equals(r.key())).toList();
        assertEquals(killedRecords, records.subList(0, killedRecords.size()), "the killed driver's messages first");
        assertTrue(killedRecords.stream().allMatch(HookMessages::spooled), "sent late, so marked as spooled");
        assertTrue(nextRecords.stream().noneMatch(HookMessages::spooled), "the next application's own are not");
        assertEquals(captured, ScriptedWrites.withoutRepeats(decode(killedRecords)),
                "the killed driver's messages arrive as it captured them");
        List<JsonNode> nextMessages = ScriptedWrites.withoutRepeats(decode(nextRecords));
        ScriptedWrites.assertStates(nextMessages, runDir, NEXT_WRITES, NAMESPACE);
        // the killed driver's superseded states are left unsent by this application too
        assertEquals(Spools.supersededPending(killedSpool) + NEXT_WRITES - nextMessages.size(),
                summary.get("superseded"), () -> "superseded: " + summary);
        assertEquals(List.of(), Spools.directories(spoolBase),
                () -> "no undelivered spool is left:\n" + Spools.listing(spoolBase));
    }

    @Test
    void pendingLineageOfAKilledDriverIsSentByReplay() {
        Path spoolBase = WorkDirs.newDir("killed-replay-spool").resolve("spool");
        Spools.copy(killedSpool, spoolBase);
        Path configDir = WorkDirs.newDir("killed-replay-config");
        SampleEtl.writeAtlasProperties(configDir, properties(TOPIC_REPLAY));

        AgentCommand.Result replay = AgentCommand.replay(spoolBase, configDir.resolve("atlas-application.properties"),
                configDir, RUN_TIMEOUT);

        assertEquals(0, replay.exitCode(), replay::toString);
        assertTrue(replay.output().contains("replay: " + captured.size() + " message(s) sent to topic " + TOPIC_REPLAY),
                replay::toString);
        List<ConsumedRecord> records = broker.consumeAll(TOPIC_REPLAY, captured.size(), Duration.ofSeconds(30));
        SampleEtl.saveRecords(configDir, "consumed-" + TOPIC_REPLAY + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        assertEquals(captured.size(), records.size(), () -> "exactly the killed driver's messages: " + records);
        assertTrue(records.stream().allMatch(HookMessages::spooled), "sent late, so marked as spooled");
        assertEquals(captured, decode(records), "the killed driver's messages arrive as it captured them");
        assertEquals(List.of(), Spools.directories(spoolBase),
                () -> "replay leaves no spool behind:\n" + Spools.listing(spoolBase));
    }

    private static Map<String, String> properties(String topic) {
        return SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
    }

    private static List<JsonNode> decode(List<ConsumedRecord> records) {
        return AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
    }
}
