package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * How a driver ends is the job's business, not the agent's: a job that never calls {@code spark.stop()} (it calls
 * {@code System.exit(0)} or returns from {@code main}) still gets every write's lineage onto the topic before the
 * JVM is gone, and a destination already known to refuse the agent does not make the driver wait at exit.
 */
class DriverExitEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    /** Writes in a row right before the end. */
    private static final int WRITES_BEFORE_EXIT = 5;
    /**
     * Another listener on the agent's listener queue takes this long over every SQL execution end, so the last
     * writes reach the agent only while Spark's shutdown hook is already stopping the SparkContext: the race is
     * real, not a matter of luck.
     */
    private static final long BUSY_LISTENER_MS = 1_000;
    private static final String QUEUE_FULL = "queue is full";
    private static final String SENDER_ERROR = "spark-atlas-agent could not deliver lineage to Kafka";
    private static final Pattern WAITED = Pattern.compile("\\(waited (\\d+) ms");
    /** What the agent may add to a driver's exit once it knows the destination refuses it. */
    private static final long REFUSED_EXIT_ALLOWANCE_MS = 1_000;
    /**
     * Scheduling noise between the two runs compared, both of which share two cores with other builds. It is
     * well below what the agent cost before it stopped waiting for a refusing destination (up to 7 s).
     */
    private static final long MACHINE_NOISE_MS = 1_000;
    /** After the refusal is known, the job runs on a while, so the sender stands somewhere in its back-off. */
    private static final long RUN_ON_AFTER_REFUSAL_MS = 8_000;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-exit"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyWriteOfAJobEndingWithSystemExitReachesTheTopic() {
        deliveredWithoutSparkStop("exit");
    }

    @Test
    void everyWriteOfAJobReturningFromMainWithoutSparkStopReachesTheTopic() {
        deliveredWithoutSparkStop("return");
    }

    /**
     * Runs {@link ScriptedWritesApp} ending by {@code how} right after its last write, without
     * {@code spark.stop()}, and checks the job's own result, the agent's summary and the topic.
     */
    private static void deliveredWithoutSparkStop(String how) {
        String topic = "ATLAS_HOOK_exit_" + how;
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("exit-" + how);
        Path spoolBase = runDir.resolve("spool");
        SampleEtl.writeAtlasProperties(runDir, SampleEtl.saslSslProperties(broker, topic, NAMESPACE));

        SparkSubmitRun.Result result = ScriptedWrites.submit(runDir, WRITES_BEFORE_EXIT, "--end", how,
                        "--busy-listener-ms", Long.toString(BUSY_LISTENER_MS))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        String log = result.log();
        for (int i = 1; i <= WRITES_BEFORE_EXIT; i++) {
            int write = i;
            assertTrue(log.lines().anyMatch(line -> line.equals(ScriptedWritesApp.WROTE_PREFIX + write)),
                    () -> "the job made write " + write + ":\n" + result);
            assertWritten(ScriptedWritesApp.output(ScriptedWrites.workDir(runDir), write));
        }
        assertTrue(log.contains(ScriptedWritesApp.ENDING_PREFIX + how), result::toString);
        assertFalse(log.contains(QUEUE_FULL), () -> "nothing is dropped as if the queue were full:\n" + result);
        assertEquals(List.of(), DriverLog.agentLines(log, "ERROR"), "no agent errors");
        assertEquals(List.of(), DriverLog.agentLines(log, "WARN"), "no agent warnings");
        Map<String, Long> summary = DriverLog.summary(log);
        assertEquals(WRITES_BEFORE_EXIT, summary.get("captured"), () -> "every write captured: " + summary);
        assertEquals(WRITES_BEFORE_EXIT, summary.get("messages"), () -> "one message per write: " + summary);
        // a state the sender had not picked up yet when a newer one came is superseded by it, not sent
        assertEquals(WRITES_BEFORE_EXIT, summary.get("sent") + summary.get("superseded"),
                () -> "every message acknowledged or superseded: " + summary);
        assertEquals(0, summary.get("spooled"), () -> "nothing left in the spool: " + summary);

        List<ConsumedRecord> records = broker.consumeAll(topic, summary.get("sent").intValue(),
                Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> distinct = ScriptedWrites.withoutRepeats(messages);
        assertEquals(summary.get("sent"), (long) distinct.size(), "one message per state sent");
        ScriptedWrites.assertStates(distinct, runDir, WRITES_BEFORE_EXIT, NAMESPACE);
        assertEquals(List.of(), Spools.directories(spoolBase),
                () -> "the topic has it all, so no spool is left:\n" + Spools.listing(spoolBase));
    }

    /**
     * With a wrong password the agent has reported the refusal long before the job ends; from then on the driver's
     * exit (from the job's last line to the process being gone) takes at most about a second longer than the same
     * job's exit without the agent, wherever the sender stood in its back-off, and the spool still holds every
     * message for {@code replay}.
     */
    @Test
    void aDestinationKnownToRefuseAddsAtMostASecondToTheDriversExit() {
        int writes = 3;
        String topic = "ATLAS_HOOK_exit_refused";
        broker.createTopic(topic, 1);
        Map<String, String> wrong = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
        wrong.put("atlas.kafka.sasl.jaas.config", wrong.get("atlas.kafka.sasl.jaas.config")
                .replace(broker.saslPassword(), "wrong-" + Long.toHexString(System.nanoTime())));

        Path baselineDir = WorkDirs.newDir("exit-refused-baseline");
        Path baselineGate = baselineDir.resolve("end-gate");
        touch(baselineGate);
        TimedExit baseline = runTimed(ScriptedWrites.submit(baselineDir, writes, "--end-gate", baselineGate.toString())
                .withoutAgent(), baselineGate, null);

        Path runDir = WorkDirs.newDir("exit-refused");
        Path spoolBase = runDir.resolve("spool");
        Path gate = runDir.resolve("end-gate");
        SampleEtl.writeAtlasProperties(runDir, wrong);
        TimedExit withAgent = runTimed(ScriptedWrites.submit(runDir, writes, "--end-gate", gate.toString())
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString()), gate, SENDER_ERROR);

        for (TimedExit run : List.of(baseline, withAgent)) {
            assertEquals(0, run.result.exitCode(), run.result::toString);
            assertTrue(run.result.log().contains(ScriptedWritesApp.doneLine(writes)), run.result::toString);
        }
        String log = withAgent.result.log();
        System.out.println("driver exit: " + baseline.exitMillis + " ms without the agent, " + withAgent.exitMillis
                + " ms with it");
        long limit = baseline.exitMillis + REFUSED_EXIT_ALLOWANCE_MS + MACHINE_NOISE_MS;
        assertTrue(withAgent.exitMillis <= limit, () -> "the driver's exit took " + withAgent.exitMillis
                + " ms with the agent, " + baseline.exitMillis + " ms without (limit " + limit + " ms)\n" + log);
        List<String> errors = DriverLog.agentLines(log, "ERROR");
        assertEquals(1, errors.size(), () -> "one agent ERROR:\n" + String.join("\n", errors));
        assertTrue(errors.get(0).contains("SASL authentication to " + broker.saslSslBootstrap() + " failed"),
                errors.get(0));
        List<String> keptWarnings = DriverLog.agentLines(log, "WARN").stream()
                .filter(line -> line.contains("at application end")).toList();
        assertEquals(1, keptWarnings.size(), () -> "one WARN at application end:\n" + log);
        String kept = keptWarnings.get(0);
        assertTrue(kept.contains("refuses") && kept.contains("replay " + spoolBase), kept);
        Matcher waited = WAITED.matcher(kept);
        assertTrue(waited.find(), () -> "no wait time in: " + kept);
        assertTrue(Long.parseLong(waited.group(1)) <= REFUSED_EXIT_ALLOWANCE_MS,
                () -> "application end waited for a destination known to refuse: " + kept);

        Map<String, Long> summary = DriverLog.summary(log);
        assertEquals(writes, summary.get("messages"), () -> "one message per write: " + summary);
        assertEquals(1, summary.get("spooled"), () -> "the newest state kept in the spool: " + summary);
        assertEquals(writes - 1, summary.get("superseded"), () -> "it holds the older ones: " + summary);
        List<Path> spools = Spools.directories(spoolBase);
        assertEquals(1, spools.size(), () -> Spools.listing(spoolBase));
        List<JsonNode> captured = Spools.pendingMessages(spools.get(0));
        assertEquals(1, captured.size(), "messages in the spool still to be sent");
        Path fixedConfig = runDir.resolve("fixed");
        SampleEtl.writeAtlasProperties(fixedConfig, SampleEtl.saslSslProperties(broker, topic, NAMESPACE));
        AgentCommand.Result replay = AgentCommand.replay(spoolBase, fixedConfig.resolve("atlas-application.properties"),
                runDir, RUN_TIMEOUT);
        assertEquals(0, replay.exitCode(), replay::toString);
        List<ConsumedRecord> records = broker.consumeAll(topic, captured.size(), Duration.ofSeconds(30));
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        assertEquals(captured, messages, "replay delivers what the spool kept, in order");
        ScriptedWrites.assertStates(messages, runDir, writes, NAMESPACE);
    }

    /**
     * @param exitMillis from the moment the job starts to end (its {@link ScriptedWritesApp#ENDING_PREFIX} line,
     *                   {@code spark.stop()} and the JVM's exit follow) to the moment the process is gone
     */
    private record TimedExit(SparkSubmitRun.Result result, long exitMillis) {
    }

    /**
     * Runs the job; once the driver log has {@code awaitLine} (if not null), lets it run on for
     * {@link #RUN_ON_AFTER_REFUSAL_MS} before opening its end gate, and measures its exit.
     */
    private static TimedExit runTimed(SparkSubmitRun submit, Path gate, String awaitLine) {
        SparkSubmitRun.Running running = submit.start();
        long exitedAt;
        try {
            if (awaitLine != null) {
                assertTrue(running.awaitLogLine(awaitLine, Duration.ofMinutes(2)),
                        () -> "the agent reported the refusal while the job ran:\n" + running.log());
                Thread.sleep(RUN_ON_AFTER_REFUSAL_MS);
                touch(gate);
            }
            assertTrue(running.process().waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    () -> "the driver ended:\n" + running.log());
            exitedAt = System.currentTimeMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            touch(gate);
        }
        SparkSubmitRun.Result result = running.await(Duration.ofSeconds(30));
        long endingAt = result.log().lines()
                .filter(line -> line.startsWith(ScriptedWritesApp.ENDING_PREFIX))
                .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the job never started to end:\n" + result));
        return new TimedExit(result, exitedAt - endingAt);
    }

    private static void assertWritten(Path output) {
        assertTrue(Files.isRegularFile(output.resolve("_SUCCESS")), () -> "the job's output " + output);
    }

    private static void touch(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
