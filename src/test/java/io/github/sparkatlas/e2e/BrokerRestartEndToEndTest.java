package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.ScriptedWritesApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a job and comes back while the job still runs: the writes made while it
 * was away reach Kafka once it is back, as the newest state of the application's process, which holds the states
 * it superseded; none is lost, and the job does not notice.
 */
class BrokerRestartEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final String TOPIC = "ATLAS_HOOK_restart";
    private static final int WRITES = 8;
    /** Writes 1..3 with the broker up, 4..6 with it down, 7..8 after it is back. */
    private static final int LAST_BEFORE_STOP = 3;
    private static final int LAST_WHILE_DOWN = 6;
    /** How long the broker stays down after the writes made meanwhile: a short outage such as a broker restart. */
    private static final Duration DOWNTIME = Duration.ofSeconds(3);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-restart"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void brokerStoppedAndRestartedDuringTheJobLosesNoWrite() throws InterruptedException {
        Path runDir = WorkDirs.newDir("restart-job");
        Path gate = runDir.resolve("gate");
        SampleEtl.writeAtlasProperties(runDir, SampleEtl.saslSslProperties(broker, TOPIC, NAMESPACE));
        SparkSubmitRun.Running job = ScriptedWrites.submit(runDir, WRITES, "--gate", gate.toString())
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .start();

        SparkSubmitRun.Result result;
        try {
            openGates(gate, 1, LAST_BEFORE_STOP);
            awaitRecords(job, LAST_BEFORE_STOP, "the writes before the outage");
            broker.stop();
            openGates(gate, LAST_BEFORE_STOP + 1, LAST_WHILE_DOWN);
            assertTrue(job.awaitLogLine(ScriptedWritesApp.WROTE_PREFIX + LAST_WHILE_DOWN, STEP_TIMEOUT),
                    () -> "the job goes on while the broker is down:\n" + job.log());
            Thread.sleep(DOWNTIME.toMillis());
            broker.restart();
            // Delivery resumes while the job still runs, not only at its end: the state after write 6 arrives
            // (those of writes 4 and 5 may be superseded by it, which holds them).
            awaitStateAfter(job, runDir, LAST_WHILE_DOWN, "the writes made while the broker was down");
            openGates(gate, LAST_WHILE_DOWN + 1, WRITES);
            result = job.await(RUN_TIMEOUT);
        } finally {
            // A failed step must not leave the driver waiting at its gate while the next tests run.
            if (job.process().isAlive()) {
                job.killForcibly();
            }
        }

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(ScriptedWritesApp.doneLine(WRITES)), result::toString);
        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(WRITES, summary.get("messages"), () -> "one message per write: " + summary);
        assertEquals(WRITES, summary.get("sent") + summary.get("superseded"),
                () -> "all acknowledged or superseded: " + summary);
        // The state of write 4 may already be in the producer, waiting for the broker (it knows the topic's
        // metadata): a record handed over is not taken back. That of write 5 waits behind it in the spool, and
        // write 6's supersedes it.
        assertTrue(summary.get("superseded") >= 1,
                () -> "a state made while the broker was down is superseded: " + summary);
        assertEquals(0, summary.get("spooled"), () -> "nothing left in the spool: " + summary);

        List<ConsumedRecord> records = broker.consumeAll(TOPIC, summary.get("sent").intValue(),
                Duration.ofSeconds(60));
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        Set<Long> executions = new TreeSet<>();
        for (JsonNode message : messages) {
            executions.add(HookMessages.onlyProcess(message).executionId());
        }
        assertEquals(summary.get("sent"), (long) executions.size(),
                () -> "distinct executionId values received: " + executions);
        List<JsonNode> distinct = ScriptedWrites.withoutRepeats(messages);
        String process = ScriptedWrites.assertStates(distinct, runDir, WRITES, NAMESPACE);
        ProcessView last = HookMessages.onlyProcess(distinct.get(distinct.size() - 1));
        assertEquals(ScriptedWrites.outputs(runDir, WRITES, NAMESPACE), last.outputs(), "every write's output");
        assertTrue(records.stream().allMatch(r -> process.equals(r.key())), "all records keyed by the process");
        ScriptedWrites.assertNoOtherEntities(messages, List.of(distinct.get(distinct.size() - 1)));
    }

    /** Lets writes {@code from..to} of the job go. */
    private static void openGates(Path gate, int from, int to) {
        try {
            Files.createDirectories(gate);
            for (int i = from; i <= to; i++) {
                Files.createFile(gate.resolve("write-" + i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a message on the topic holds the outputs of writes 1..{@code write}. */
    private static void awaitStateAfter(SparkSubmitRun.Running job, Path runDir, int write, String what) {
        Set<HookMessages.DatasetRef> outputs = ScriptedWrites.outputs(runDir, write, NAMESPACE);
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumedRecord> records = broker.consumeAll(TOPIC, 1, Duration.ofSeconds(5));
            List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value)
                    .toList());
            if (messages.stream().anyMatch(m -> HookMessages.onlyProcess(m).outputs().equals(outputs))) {
                return;
            }
        }
        throw new AssertionError(what + ": no state after write " + write + " on the topic\n--- driver log ---\n"
                + job.log());
    }

    private static void awaitRecords(SparkSubmitRun.Running job, int count, String what) {
        List<ConsumedRecord> records = broker.consumeAll(TOPIC, count, STEP_TIMEOUT);
        assertTrue(records.size() >= count, () -> what + ": " + records.size() + " of " + count
                + " records on the topic\n--- driver log ---\n" + job.log());
    }
}
