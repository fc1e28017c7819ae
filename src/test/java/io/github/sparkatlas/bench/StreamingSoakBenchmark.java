package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.message.NotificationDecoder;
import org.junit.jupiter.api.Test;

/**
 * Row 6 of docs/benchmarks.md with real Spark: what a long Structured Streaming application costs the agent in
 * messages and driver heap. {@link StreamingSoakApp} runs, with spark-submit and the agent in offline mode (file
 * sink, so no broker), two queries of {@code bench.messageBatches} micro-batches each (one writing through
 * {@code foreachBatch}, one a parquet file sink), then a near-empty query for as many micro-batches as fit in
 * {@code bench.soakSeconds}; the same application runs again without the agent. The file sink's output gives the
 * messages and bytes per process; the checkpoints give heap after full collections, live bytes, the agent's own
 * classes' instances and the CPU of its threads, against micro-batches.
 *
 * <p>System properties: {@code bench.messageBatches} (1000), {@code bench.soakSeconds} (600),
 * {@code bench.soakBatches} (100000), {@code bench.granularity} ({@code query}; or {@code application}),
 * {@code bench.withoutAgent} (true: also the run without the agent).
 */
class StreamingSoakBenchmark {

    private static final long MESSAGE_BATCHES = Long.getLong("bench.messageBatches", 1_000);
    private static final long SOAK_SECONDS = Long.getLong("bench.soakSeconds", 600);
    private static final long SOAK_BATCHES = Long.getLong("bench.soakBatches", 100_000);
    private static final String GRANULARITY = System.getProperty("bench.granularity", "query");
    private static final boolean WITHOUT_AGENT = Boolean.parseBoolean(
            System.getProperty("bench.withoutAgent", "true"));
    private static final String CHECKPOINTS = "1000,2000,5000,10000,20000,50000,100000";
    private static final String NAMESPACE = "bench";
    private static final Pattern SOAK = Pattern.compile("BENCH soak batches=(\\d+) usedAfterGc=(\\d+) "
            + "liveBytes=(\\d+) agentClassBytes=(\\d+) agentQueueCpuMs=([-\\d.]+) agentThreadCpuMs=([-\\d.]+) "
            + "elapsedMs=(\\d+)");
    private static final Pattern QUERY = Pattern.compile(
            "BENCH query name=(\\S+) id=(\\S+) batches=(\\d+) elapsedMs=(\\d+)");
    /** As in figure 3: Spark's own retention low, so that its part levels off early. */
    private static final Map<String, String> SPARK_RETENTION = Map.of(
            "spark.sql.ui.retainedExecutions", "100",
            "spark.ui.retainedJobs", "100",
            "spark.ui.retainedStages", "100",
            "spark.ui.retainedTasks", "1000");

    private record Checkpoint(long batches, long usedAfterGc, long liveBytes, long agentClassBytes,
                              double agentQueueCpuMs, double agentThreadCpuMs, long elapsedMs) {
    }

    @Test
    void messagesAndHeapOfALongStreamingApplication() throws IOException {
        BenchReport report = BenchReport.create("streaming-soak");
        report.format("workload: StreamingSoakApp, local[2], -Xmx1g, %s; %d micro-batches each of a foreachBatch "
                + "query and a parquet file sink query, then a noop query for up to %d micro-batches or %d s; "
                + "agent: file sink, granularity %s", SPARK_RETENTION, MESSAGE_BATCHES, SOAK_BATCHES, SOAK_SECONDS,
                GRANULARITY);
        Path withDir = WorkDirs.newDir("bench-soak-with");
        String withLog = run(report, withDir, true);
        messages(report, withDir.resolve("lineage"), queries(withLog));
        List<Checkpoint> with = checkpoints(withLog);
        List<Checkpoint> without = WITHOUT_AGENT ? checkpoints(run(report, WorkDirs.newDir("bench-soak-without"),
                false)) : List.of();

        report.line("");
        report.line("## Heap and agent CPU against micro-batches of the soak query");
        report.line("| micro-batches | elapsed s | ms per micro-batch | heap used after System.gc(), with / without "
                + "/ difference | live objects, with / without / difference | agent classes' own instances "
                + "(shallow) | agent listener-queue thread CPU per micro-batch since previous | agent thread CPU "
                + "per micro-batch since previous |");
        report.line("|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < with.size(); i++) {
            Checkpoint w = with.get(i);
            // The last checkpoint of each run is its end, after however many micro-batches that run reached.
            boolean last = i == with.size() - 1;
            Checkpoint wo = without.isEmpty() ? null : last ? without.get(without.size() - 1)
                    : i < without.size() - 1 ? without.get(i) : null;
            Checkpoint previous = i == 0 ? null : with.get(i - 1);
            long batches = previous == null ? 0 : w.batches() - previous.batches();
            report.format("| %d | %d | %s | %s | %s | %.3f MB | %s | %s |", w.batches(), w.elapsedMs() / 1000,
                    w.batches() == 0 ? "" : String.format("%.1f", (double) w.elapsedMs() / w.batches()),
                    triple(w.usedAfterGc(), wo == null ? null : wo.usedAfterGc()),
                    triple(w.liveBytes(), wo == null ? null : wo.liveBytes()), mb(w.agentClassBytes()),
                    perBatch(batches, previous == null ? 0 : w.agentQueueCpuMs() - previous.agentQueueCpuMs()),
                    perBatch(batches, previous == null ? 0 : w.agentThreadCpuMs() - previous.agentThreadCpuMs()));
        }
        if (!without.isEmpty()) {
            report.line("without agent, micro-batches at its checkpoints: " + without.stream()
                    .map(c -> c.batches() + " (" + c.elapsedMs() / 1000 + " s)").toList());
        }
        report.line("");
        withLog.lines().filter(line -> line.startsWith("BENCH histogram") || line.startsWith("BENCH gc"))
                .forEach(report::line);
        report.line("results: " + report.file());
    }

    private static String run(BenchReport report, Path runDir, boolean withAgent) {
        report.load(withAgent ? "with agent" : "without agent");
        SparkSubmitRun submit = SparkSubmitRun.app(StreamingSoakApp.class.getName())
                .workingDir(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .args(runDir.resolve("work").toString(), Long.toString(MESSAGE_BATCHES),
                        Long.toString(SOAK_SECONDS), Long.toString(SOAK_BATCHES), CHECKPOINTS);
        SPARK_RETENTION.forEach(submit::conf);
        if (withAgent) {
            writeAgentProperties(runDir);
            submit.conf("spark.extraListeners", BenchAgent.LISTENER);
        } else {
            submit.withoutAgent();
        }
        SparkSubmitRun.Result result = submit.run(Duration.ofSeconds(SOAK_SECONDS).plusMinutes(30));
        assertEquals(0, result.exitCode(), result::toString);
        report.format("  %s: driver %d s, log %s", withAgent ? "with agent" : "without agent",
                result.duration().toSeconds(), result.logFile());
        result.log().lines().filter(line -> line.startsWith("BENCH query")).forEach(line -> report.line("  " + line));
        if (withAgent) {
            BenchAgent.Summary summary = BenchAgent.Summary.in(result.log())
                    .orElseThrow(() -> new AssertionError("no agent summary line\n" + result));
            report.line("  agent: " + summary);
            assertEquals(summary.messages(), summary.sent(), () -> "all lineage written: " + summary);
            assertEquals(0, summary.internalErrors(), () -> "no internal error: " + summary);
        }
        return result.log();
    }

    /** Offline mode, as an air-gapped site runs it: nothing but the file sink. */
    private static void writeAgentProperties(Path runDir) {
        String props = "atlas.client.type=file\n"
                + "atlas.spark.file.sink.dir=" + runDir.resolve("lineage") + "\n"
                + "atlas.metadata.namespace=" + NAMESPACE + "\n"
                + "atlas.spark.process.granularity=" + GRANULARITY + "\n";
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("atlas-application.properties"), props, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Query name to {id, micro-batches, elapsed ms}, from the app's {@code BENCH query} lines. */
    private static Map<String, String[]> queries(String log) {
        Map<String, String[]> out = new LinkedHashMap<>();
        Matcher m = QUERY.matcher(log);
        while (m.find()) {
            out.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
        }
        return out;
    }

    /**
     * Messages and bytes the agent wrote, per spark_process (and the spark_application entities beside them): read
     * back from the file sink exactly as Atlas would consume the records.
     */
    private static void messages(BenchReport report, Path lineageDir, Map<String, String[]> queries)
            throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(lineageDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty(), "the agent wrote its file sink under " + lineageDir);
        Map<String, Integer> messagesPerProcess = new LinkedHashMap<>();
        Map<String, Long> bytesPerProcess = new HashMap<>();
        long records = 0;
        long bytes = 0;
        int messages = 0;
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            NotificationDecoder decoder = new NotificationDecoder();
            long pending = 0;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                records++;
                long lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
                bytes += lineBytes;
                pending += lineBytes;
                JsonNode message = decoder.accept(line);
                if (message == null) {
                    continue;
                }
                messages++;
                for (String process : processes(message)) {
                    messagesPerProcess.merge(process, 1, Integer::sum);
                    bytesPerProcess.merge(process, pending, Long::sum);
                }
                pending = 0;
            }
        }
        report.line("");
        report.line("## Messages written by the agent (file sink, " + files.size() + " file(s))");
        report.format("records %d, messages %d, bytes %d (record values as they would go to Kafka)", records,
                messages, bytes);
        report.line("| process | query | micro-batches | messages | bytes |");
        report.line("|---|---|---|---|---|");
        Set<String> named = new HashSet<>();
        for (Map.Entry<String, String[]> query : queries.entrySet()) {
            String process = "spark-streaming-query/" + query.getValue()[0] + "@" + NAMESPACE;
            named.add(process);
            report.format("| %s | %s | %s | %d | %d |", process, query.getKey(), query.getValue()[1],
                    messagesPerProcess.getOrDefault(process, 0), bytesPerProcess.getOrDefault(process, 0L));
        }
        messagesPerProcess.forEach((process, count) -> {
            if (!named.contains(process)) {
                report.format("| %s | | | %d | %d |", process, count, bytesPerProcess.get(process));
            }
        });
        assertTrue(messages > 0, "the agent wrote lineage");
    }

    /** The qualifiedNames of the spark_process entities among a message's top-level entities. */
    private static Set<String> processes(JsonNode message) {
        Set<String> out = new HashSet<>();
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_process".equals(entity.path("typeName").asText())) {
                out.add(entity.path("attributes").path("qualifiedName").asText());
            }
        }
        return out;
    }

    private static List<Checkpoint> checkpoints(String log) {
        List<Checkpoint> out = new java.util.ArrayList<>();
        Matcher m = SOAK.matcher(log);
        while (m.find()) {
            out.add(new Checkpoint(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)),
                    Long.parseLong(m.group(7))));
        }
        assertTrue(out.size() >= 2, () -> "checkpoints at the soak's start and end:\n" + log);
        return out;
    }

    private static String triple(long with, Long without) {
        if (without == null) {
            return String.format("%.1f / - / -", mb(with));
        }
        return String.format("%.1f / %.1f / %+.1f MB", mb(with), mb(without), mb(with - without));
    }

    private static String perBatch(long batches, double cpuMs) {
        return batches <= 0 ? "" : String.format("%.3f ms", cpuMs / batches);
    }

    private static double mb(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
