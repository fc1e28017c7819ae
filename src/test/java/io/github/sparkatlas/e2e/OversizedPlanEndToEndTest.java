package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.e2e.apps.OversizedPlanApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A write whose plan text is many megabytes (one huge string literal). Kept on request, the message is compressed,
 * split into records Event Hubs accepts and reassembled whole by Atlas's consumer logic. With the defaults the
 * message stays one small record holding at most the first 20,000 characters, and the listener thread is held up
 * no longer than Spark's own building of the literal's line. Either way the job's own result is untouched.
 */
class OversizedPlanEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    /**
     * Characters of the literal when its plan text is kept whole: 15 MB rather than 50 MB, because Jackson 2.15+
     * refuses a JSON string over 20,000,000 characters (StreamReadConstraints): Atlas's own consumer (Jackson 2.12)
     * would read more, but the test could not read back what it decoded. Random alphanumerics gzip to about 75 %, so
     * the message is still more than a dozen records.
     */
    private static final int KEPT_BLOB_CHARS = 15_000_000;
    /** When the text is cut at the default limit nothing reads it whole, so the literal can be the full 50 MB. */
    private static final int CUT_BLOB_CHARS = 50_000_000;
    private static final long SEED = 20_240_611L;
    /** Room for the rest of the plan text around the literal. */
    private static final String KEEP_ALL = "60000000";
    private static final String DEFAULT_MAX_LENGTH = "20000";
    private static final Pattern END_LATENCY = Pattern.compile(
            "listener thread per SQL execution end: p50=([0-9.]+)ms p99=([0-9.]+)ms max=([0-9.]+)ms \\(n=(\\d+)\\)");
    /**
     * Rendering stops at the limit, and redaction, encoding and delivery happen on the agent's own thread. What the
     * listener thread cannot avoid is Spark building the one line that holds the 50 MB literal (0.2-0.5 s here, more
     * while the JIT warms up); generous, as the machine is shared.
     */
    private static final double MAX_LISTENER_MILLIS = 2_000;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-oversized"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void planTextOfManyMegabytesKeptOnRequestIsSplitIntoAcceptableRecordsAndReassembledWhole() {
        String topic = "ATLAS_HOOK_oversized_kept";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("oversized-kept");
        SampleEtl.writeAtlasProperties(runDir, saslSslProperties(topic));

        SparkSubmitRun.Result result = runApp(KEPT_BLOB_CHARS, submit(runDir, KEPT_BLOB_CHARS)
                .conf("spark.atlas.spark.plan.text.max.length", KEEP_ALL)
                .conf("spark.atlas.spark.capture.budget.ms", "60000"));

        List<ConsumedRecord> records = broker.consumeAll(topic, 2, Duration.ofSeconds(60));
        assertTrue(records.size() > 1, () -> "a message this large is split: " + records.size() + " record(s)");
        int maxRequestSize = ProducerSettings.maxRequestSize(
                ProducerSettings.of(broker.saslSslClientProperties(), 900_000));
        Set<String> msgIds = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            ConsumedRecord record = records.get(i);
            JsonNode envelope = AtlasHookDecoder.envelopeOf(record.value());
            assertEquals(records.size(), envelope.path("msgSplitCount").asInt(), "msgSplitCount of part " + i);
            assertEquals(i, envelope.path("msgSplitIdx").asInt(), "parts in order");
            assertEquals("GZIP", envelope.path("msgCompressionKind").asText(), "compressed before it is split");
            msgIds.add(envelope.path("msgId").asText());
            keys.add(record.key());
            assertTrue(record.serializedValueSize() <= maxRequestSize && record.serializedValueSize()
                    <= SampleEtl.MAX_RECORD_BYTES, () -> "record at offset " + record.offset() + " has "
                    + record.serializedValueSize() + " bytes; max.request.size is " + maxRequestSize);
        }
        assertEquals(1, msgIds.size(), () -> "all parts share one msgId: " + msgIds);
        assertEquals(1, keys.size(), () -> "all parts share one Kafka key: " + keys);

        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        assertEquals(1, messages.size(), "one write, one message");
        JsonNode message = messages.get(0);
        HookMessages.assertValidForAtlasAndPurview(message);
        HookMessages.ProcessView process = assertWritesTheBlob(message, runDir);
        assertEquals(process.qualifiedName(), keys.iterator().next(), "the key is the spark_process qualifiedName");
        String planText = planText(message);
        String blob = OversizedPlanApp.blob(KEPT_BLOB_CHARS, SEED);
        assertTrue(planText.contains(blob), () -> "the reassembled plan text holds the whole literal: "
                + planText.length() + " characters, " + planText.substring(0, Math.min(300, planText.length())));
        assertFalse(planText.contains("plan text cut at"), "not cut");

        String summary = summaryLine(result.log());
        assertTrue(summary.contains("messages=1, sent=1, spooled=0,"), summary);
        assertTrue(summary.contains("dropped plan texts=0,"), summary);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
    }

    @Test
    void planTextOfManyMegabytesStaysWithinTheDefaultLimitWithoutHoldingUpTheListenerThread() {
        String topic = "ATLAS_HOOK_oversized_default";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("oversized-default");
        SampleEtl.writeAtlasProperties(runDir, saslSslProperties(topic));

        SparkSubmitRun.Result result = runApp(CUT_BLOB_CHARS, submit(runDir, CUT_BLOB_CHARS));

        List<ConsumedRecord> records = broker.consumeAll(topic, 1, Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        assertEquals(1, records.size(), () -> "a cut plan text fits in one record: " + records.size());
        JsonNode envelope = AtlasHookDecoder.envelopeOf(records.get(0).value());
        assertEquals(1, envelope.path("msgSplitCount").asInt(), "not split");
        assertTrue(records.get(0).serializedValueSize() <= SampleEtl.MAX_RECORD_BYTES,
                () -> records.get(0).serializedValueSize() + " bytes");
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(List.of(records.get(0).value()));
        assertEquals(1, messages.size());
        HookMessages.assertValidForAtlasAndPurview(messages.get(0));
        assertWritesTheBlob(messages.get(0), runDir);

        String summary = summaryLine(result.log());
        String planText = optionalPlanText(messages.get(0));
        if (planText != null) {
            String marker = "\n... (plan text cut at " + DEFAULT_MAX_LENGTH + " characters)";
            assertTrue(planText.endsWith(marker), () -> "cut with the marker: ..."
                    + planText.substring(Math.max(0, planText.length() - 200)));
            assertEquals(Integer.parseInt(DEFAULT_MAX_LENGTH) + marker.length(), planText.length(),
                    "kept up to the limit");
            assertTrue(planText.contains(OversizedPlanApp.HEAD), "the beginning of the literal is kept");
            assertFalse(planText.contains(OversizedPlanApp.TAIL), "the end of the literal is not");
            assertTrue(summary.contains("dropped plan texts=0,"), summary);
        } else {
            // The other documented outcome: the 100 ms budget was spent before rendering began. With 50 MB strings
            // churning through a 1 GB heap, a GC pause in the capture's first steps does that now and then; the
            // datasets are still reported and the loss is counted.
            assertTrue(summary.contains("dropped plan texts=1,"), () -> "a left-out plan text is counted: " + summary);
        }
        Matcher latency = END_LATENCY.matcher(summary);
        assertTrue(latency.find(), summary);
        double p99 = Double.parseDouble(latency.group(2));
        double max = Double.parseDouble(latency.group(3));
        assertTrue(max < MAX_LISTENER_MILLIS && p99 <= max, () -> "listener thread time per execution end: " + summary);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
    }

    private static SparkSubmitRun submit(Path runDir, int blobChars) {
        return SparkSubmitRun.app(OversizedPlanApp.class.getName())
                .workingDir(runDir)
                .args(blobDir(runDir).toString(), Integer.toString(blobChars),
                        Long.toString(SEED))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .inMemoryCatalog(runDir.resolve("warehouse"));
    }

    /** The job must do its own work in full, whatever the agent does with the plan. */
    private static SparkSubmitRun.Result runApp(int blobChars, SparkSubmitRun submit) {
        SparkSubmitRun.Result result = submit.run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains("OversizedPlanApp done: wrote a blob of " + blobChars + " characters"),
                result::toString);
        return result;
    }

    /** The lineage is reported whatever happens to the plan text: range (no dataset) to the blob's directory. */
    private static HookMessages.ProcessView assertWritesTheBlob(JsonNode message, Path runDir) {
        HookMessages.ProcessView process = HookMessages.onlyProcess(message);
        assertEquals(Set.of(), process.inputs(), "spark.range reads no dataset");
        assertEquals(Set.of(HookMessages.DatasetRef.fsPath(SampleEtl.localUri(blobDir(runDir)) + "@" + NAMESPACE)),
                process.outputs(), "the written directory");
        return process;
    }

    private static Path blobDir(Path runDir) {
        return runDir.toAbsolutePath().resolve("out/blob");
    }

    private static String planText(JsonNode message) {
        String text = optionalPlanText(message);
        assertTrue(text != null, "spark_process has a sparkPlanDescription");
        return text;
    }

    /** The spark_process's sparkPlanDescription, or null when the message has none. */
    private static String optionalPlanText(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_process".equals(entity.path("typeName").asText())) {
                JsonNode text = entity.path("attributes").path("sparkPlanDescription");
                return text.isTextual() ? text.asText() : null;
            }
        }
        throw new AssertionError("no spark_process in " + message);
    }

    private static String summaryLine(String log) {
        List<String> lines = DriverLog.agentLines(log, "INFO").stream()
                .filter(line -> line.contains("spark-atlas-agent summary at application end:")).toList();
        assertEquals(1, lines.size(), () -> "one summary line:\n" + log);
        return lines.get(0);
    }

    private static Map<String, String> saslSslProperties(String topic) {
        Map<String, String> props = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> props.put("atlas.kafka." + k, v));
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", NAMESPACE);
        return props;
    }
}
