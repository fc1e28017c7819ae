package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.apps.ScriptedWritesApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker that is down while a job runs costs neither the job's time nor its lineage: the agent keeps the
 * messages in its spool (each newer state of the application's process superseding the older ones, which it holds
 * whole), the driver exits within the bounded flush wait, and the next application on the machine with the same
 * destination delivers them before its own, marked as spooled.
 */
class BrokerOutageEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    private static final String LEFT_IN_SPOOL = "Kafka has not acknowledged all lineage at application end";
    private static final Pattern WAITED = Pattern.compile("\\(waited (\\d+) ms");
    private static final long FLUSH_AFTER_FAILURE_LIMIT_MS = 7_500;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-outage"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void lineageOfAJobRunWhileTheBrokerIsDownIsDeliveredFirstByTheNextJob() {
        String topic = "ATLAS_HOOK_outage";
        broker.createTopic(topic, 1);
        Map<String, String> props = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
        Path spoolBase = WorkDirs.newDir("outage-spool").resolve("spool");
        broker.stop();

        Path runA = WorkDirs.newDir("outage-job-a");
        SparkSubmitRun.Result a = runSampleEtl(runA, props, spoolBase);

        Map<String, Long> summaryA = DriverLog.summary(a.log());
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES, summaryA.get("messages"),
                () -> "messages of job A: " + summaryA);
        assertEquals(0, summaryA.get("sent"), () -> "nothing can be sent while the broker is down: " + summaryA);
        assertEquals(1 + SampleEtl.CATALOG_CHANGES, summaryA.get("spooled"),
                () -> "the newest state and the DDL (never superseded) kept in the spool: " + summaryA);
        assertEquals(SampleEtl.WRITES - 1, summaryA.get("superseded"), () -> "the older ones superseded: " + summaryA);
        List<Path> spoolsA = Spools.directories(spoolBase);
        assertEquals(1, spoolsA.size(), () -> "job A leaves its spool:\n" + Spools.listing(spoolBase));
        List<String> leftoverWarnings = DriverLog.agentLines(a.log(), "WARN").stream()
                .filter(line -> line.contains(LEFT_IN_SPOOL)).toList();
        assertEquals(1, leftoverWarnings.size(), () -> "WARN lines about lineage left in the spool:\n" + a.log());
        assertTrue(leftoverWarnings.get(0).contains("replay " + spoolBase),
                () -> "the warning says how to send the spool: " + leftoverWarnings.get(0));
        assertFlushEndedAtTheFailure(leftoverWarnings.get(0));
        List<String> errorsA = DriverLog.agentLines(a.log(), "ERROR");
        assertEquals(1, errorsA.size(), () -> "one agent ERROR in job A:\n" + String.join("\n", errorsA));
        assertTrue(errorsA.get(0).contains("no metadata for topic " + topic + " from " + broker.saslSslBootstrap())
                && errorsA.get(0).contains("the broker is unreachable"), errorsA.get(0));
        List<JsonNode> capturedA = Spools.pendingMessages(spoolsA.get(0));
        assertEquals(1 + SampleEtl.CATALOG_CHANGES, capturedA.size(), "messages of job A in its spool still to be sent");

        // job A's superseded states still waiting in its spool count in job B's summary: job B leaves them unsent
        long supersededInA = Spools.supersededPending(spoolsA.get(0));

        broker.restart();
        Path runB = WorkDirs.newDir("outage-job-b");
        SparkSubmitRun.Result b = runSampleEtl(runB, props, spoolBase);

        Map<String, Long> summaryB = DriverLog.summary(b.log());
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES, summaryB.get("messages"),
                () -> "messages of job B: " + summaryB);
        assertEquals(capturedA.size(), summaryB.get("replayed"), () -> "job B sends job A's spool: " + summaryB);
        assertEquals(summaryB.get("messages") + summaryB.get("replayed") + supersededInA,
                summaryB.get("sent") + summaryB.get("superseded"),
                () -> "job B sends its own and job A's messages, or leaves superseded ones: " + summaryB);
        assertEquals(0, summaryB.get("spooled"), () -> "nothing left at the end of job B: " + summaryB);
        assertEquals(List.of(), DriverLog.agentLines(b.log(), "ERROR"), "no agent errors in job B");

        List<ConsumedRecord> records = broker.consumeAll(topic, summaryB.get("sent").intValue(),
                Duration.ofSeconds(60));
        SampleEtl.saveRecords(runB, "consumed-" + topic + ".jsonl", records.stream().map(ConsumedRecord::value).toList());
        String keyA = HookMessages.onlyProcess(HookMessages.processMessages(capturedA).get(0)).qualifiedName();
        List<ConsumedRecord> recordsA = records.stream().filter(r -> keyA.equals(r.key())).toList();
        List<ConsumedRecord> recordsB = records.stream().filter(r -> !keyA.equals(r.key())).toList();
        assertTrue(records.subList(0, recordsA.size()).equals(recordsA),
                () -> "job A's messages arrive before job B's: " + records);
        assertTrue(recordsA.stream().allMatch(HookMessages::spooled), "job A's messages are marked as spooled");
        assertTrue(recordsB.stream().noneMatch(HookMessages::spooled), "job B's own messages are not spooled");

        List<JsonNode> messagesA = decode(recordsA);
        List<JsonNode> messagesB = decode(recordsB);
        assertEquals(capturedA, ScriptedWrites.withoutRepeats(messagesA),
                "job A's messages arrive exactly as the agent captured them");
        String appA = SampleEtl.assertStates(capturedA, SampleEtl.workDir(runA), NAMESPACE);
        String appB = SampleEtl.assertStates(ScriptedWrites.withoutRepeats(messagesB), SampleEtl.workDir(runB),
                NAMESPACE);
        long supersededOfB = summaryB.get("superseded") - supersededInA;
        assertEquals(SampleEtl.WRITES + SampleEtl.CATALOG_CHANGES - supersededOfB,
                ScriptedWrites.withoutRepeats(messagesB).size(),
                () -> "job B's own states, but those it superseded itself: " + summaryB);
        assertFalse(appA.equals(appB), "two applications");
        List<JsonNode> all = new ArrayList<>(messagesA);
        all.addAll(messagesB);
        ScriptedWrites.assertNoOtherEntities(all,
                List.of(capturedA.get(capturedA.size() - 1), messagesB.get(messagesB.size() - 1)));

        assertEquals(List.of(), Spools.directories(spoolBase),
                () -> "no undelivered spool is left:\n" + Spools.listing(spoolBase));
    }

    /**
     * The agent's share of the job's time is on Spark's listener thread and its own threads, never on the thread
     * that runs the job's queries: with the broker down, the job's workload takes no longer than without the agent.
     * The limits are generous (half again plus 3 s for the workload, 10 s for the whole driver, the agent's bounded
     * wait for Kafka at application end) because both runs share two cores with other builds; an agent that sent on
     * the job's thread would block max.block.ms (5 s) on every write, far beyond them.
     */
    @Test
    void withTheBrokerDownTheJobTakesNoLongerThanWithoutTheAgent() {
        int writes = 4;
        broker.stop();
        Path agentRunDir = WorkDirs.newDir("outage-timed-agent");
        SampleEtl.writeAtlasProperties(agentRunDir, SampleEtl.saslSslProperties(broker, "ATLAS_HOOK", NAMESPACE));
        SparkSubmitRun.Result withAgent = ScriptedWrites.submit(agentRunDir, writes)
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .run(RUN_TIMEOUT);
        Path baselineRunDir = WorkDirs.newDir("outage-timed-baseline");
        SparkSubmitRun.Result baseline = ScriptedWrites.submit(baselineRunDir, writes).withoutAgent().run(RUN_TIMEOUT);

        for (SparkSubmitRun.Result result : List.of(withAgent, baseline)) {
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.log().contains(ScriptedWritesApp.doneLine(writes)), result::toString);
        }
        Map<String, Long> summary = DriverLog.summary(withAgent.log());
        assertEquals(writes, summary.get("messages"), () -> "the agent captured every write: " + summary);
        assertEquals(1, summary.get("spooled"), () -> "and kept its newest state, the broker being down: " + summary);
        assertEquals(writes - 1, summary.get("superseded"), () -> "which holds the older ones: " + summary);

        long agentWorkload = workloadMillis(withAgent);
        long baselineWorkload = workloadMillis(baseline);
        long workloadLimit = baselineWorkload * 3 / 2 + 3_000;
        assertTrue(agentWorkload <= workloadLimit, () -> "workload took " + agentWorkload + " ms with the agent, "
                + baselineWorkload + " ms without (limit " + workloadLimit + " ms)");
        assertFlushEndedAtTheFailure(DriverLog.agentLines(withAgent.log(), "WARN").stream()
                .filter(line -> line.contains(LEFT_IN_SPOOL)).findFirst()
                .orElseThrow(() -> new AssertionError("no WARN about lineage left in the spool:\n" + withAgent)));
        Duration exitLimit = baseline.duration().plusSeconds(10);
        assertTrue(withAgent.duration().compareTo(exitLimit) <= 0, () -> "the driver took " + withAgent.duration()
                + " with the agent, " + baseline.duration() + " without (limit " + exitLimit + ")");
    }

    /**
     * The flush at application end stops waiting at the first failed attempt after it began: one max.block.ms
     * (5 s) of the producer, plus scheduling slack on a busy machine, well before its 10 s deadline.
     */
    private static void assertFlushEndedAtTheFailure(String leftoverWarning) {
        Matcher m = WAITED.matcher(leftoverWarning);
        assertTrue(m.find(), () -> "no wait time in: " + leftoverWarning);
        long waited = Long.parseLong(m.group(1));
        assertTrue(waited <= FLUSH_AFTER_FAILURE_LIMIT_MS, () -> "the flush at application end waited " + waited
                + " ms with the broker down, more than one max.block.ms allows: " + leftoverWarning);
    }

    private static SparkSubmitRun.Result runSampleEtl(Path runDir, Map<String, String> props, Path spoolBase) {
        SampleEtl.writeAtlasProperties(runDir, props);
        SparkSubmitRun.Result result = SampleEtl.submit(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SampleEtl.DONE_LINE), result::toString);
        assertFalse(result.log().contains(broker.saslPassword()), "the SASL password appears in the driver log");
        return result;
    }

    private static List<JsonNode> decode(List<ConsumedRecord> records) {
        return AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
    }

    private static long workloadMillis(SparkSubmitRun.Result result) {
        return result.log().lines()
                .filter(line -> line.startsWith(ScriptedWritesApp.WORKLOAD_PREFIX))
                .mapToLong(line -> Long.parseLong(line.substring(ScriptedWritesApp.WORKLOAD_PREFIX.length()).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no workload time in the log:\n" + result));
    }
}
