package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.Test;

/**
 * Figure 3 of docs/benchmarks.md: driver heap retained by the agent after many writes. {@link RetainedHeapApp} runs
 * the same writes with the agent (publishing over SASL_SSL) and without; at each checkpoint both print their live
 * objects (class histogram) and heap in use after forced full collections, and the difference is what the agent
 * keeps. At the end the two histograms are subtracted class by class. Spark's own retention limits are set
 * alike (and low) in both runs, so that Spark's part levels off early and does not drown the agent's.
 *
 * <p>System properties: {@code bench.writes} (default 10000; checkpoints at 10%, 25%, 50% and 100%),
 * {@code bench.distinct=true} to write every time to a new directory.
 */
class RetainedHeapBenchmark {

    private static final int WRITES = Integer.getInteger("bench.writes", 10_000);
    private static final boolean DISTINCT = Boolean.getBoolean("bench.distinct");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(90);
    private static final Pattern HEAP = Pattern.compile(
            "BENCH heap writes=(\\d+) usedAfterGc=(\\d+) liveBytes=(\\d+) agentClassBytes=(\\d+) elapsedMs=(\\d+)");
    private static final Map<String, String> SPARK_RETENTION = Map.of(
            "spark.sql.ui.retainedExecutions", "100",
            "spark.ui.retainedJobs", "100",
            "spark.ui.retainedStages", "100",
            "spark.ui.retainedTasks", "1000");

    private record Checkpoint(long usedAfterGc, long liveBytes, long agentClassBytes, long elapsedMs) {
    }

    @Test
    void heapRetainedByTheAgentAfterManyWrites() {
        BenchReport report = BenchReport.create("retained-heap" + (DISTINCT ? "-distinct" : ""));
        String checkpoints = IntStream.of(WRITES / 10, WRITES / 4, WRITES / 2, WRITES)
                .mapToObj(Integer::toString).collect(Collectors.joining(","));
        report.format("workload: RetainedHeapApp, %d tiny parquet writes to %s, local[2], -Xmx1g, %s", WRITES,
                DISTINCT ? "a new directory each" : "16 rotating directories", SPARK_RETENTION);
        String withLog;
        try (KafkaBroker broker = KafkaBroker.start(WorkDirs.newDir("bench-broker"))) {
            broker.createTopic(BenchAgent.TOPIC, 1);
            withLog = run(report, broker, true, checkpoints);
        }
        String withoutLog = run(report, null, false, checkpoints);
        Map<Integer, Checkpoint> with = checkpoints(withLog);
        Map<Integer, Checkpoint> without = checkpoints(withoutLog);

        report.line("");
        report.line("| writes | live objects, with agent | without | difference | heap used after System.gc(), "
                + "with / without / difference | agent classes' own instances (shallow) | elapsed with / without |");
        report.line("|---|---|---|---|---|---|---|");
        for (Map.Entry<Integer, Checkpoint> entry : with.entrySet()) {
            Checkpoint w = entry.getValue();
            Checkpoint wo = without.get(entry.getKey());
            report.format("| %d | %.1f MB | %.1f MB | %+.1f MB | %.1f / %.1f / %+.1f MB | %.2f MB | %d / %d s |",
                    entry.getKey(), mb(w.liveBytes()), mb(wo.liveBytes()), mb(w.liveBytes() - wo.liveBytes()),
                    mb(w.usedAfterGc()), mb(wo.usedAfterGc()), mb(w.usedAfterGc() - wo.usedAfterGc()),
                    mb(w.agentClassBytes()), w.elapsedMs() / 1000, wo.elapsedMs() / 1000);
        }
        report.line("");
        withLog.lines().filter(line -> line.startsWith("BENCH histogram") || line.startsWith("BENCH gc"))
                .forEach(report::line);
        report.line("");
        report.line("classes with the most more live bytes at the end, with agent minus without (>= 16 KB in a run):");
        Map<String, Long> withClasses = classBytes(withLog);
        Map<String, Long> withoutClasses = classBytes(withoutLog);
        Set<String> names = new HashSet<>(withClasses.keySet());
        names.addAll(withoutClasses.keySet());
        names.stream()
                .map(name -> Map.entry(name, withClasses.getOrDefault(name, 0L) - withoutClasses.getOrDefault(name, 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> report.format("  %+8.1f KB %s", e.getValue() / 1024.0, e.getKey()));
        report.line("results: " + report.file());
    }

    private static String run(BenchReport report, KafkaBroker broker, boolean withAgent, String checkpoints) {
        report.load(withAgent ? "with agent" : "without agent");
        Path runDir = WorkDirs.newDir(withAgent ? "bench-heap-with" : "bench-heap-without");
        SparkSubmitRun submit = SparkSubmitRun.app(RetainedHeapApp.class.getName())
                .workingDir(runDir)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .args(runDir.resolve("work").toString(), Integer.toString(WRITES), checkpoints,
                        DISTINCT ? "distinct" : "rotating");
        SPARK_RETENTION.forEach(submit::conf);
        if (withAgent) {
            BenchAgent.attach(submit, runDir, broker);
        } else {
            submit.withoutAgent();
        }
        SparkSubmitRun.Result result = submit.run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        report.format("  %s: driver %d s, log %s", withAgent ? "with agent" : "without agent",
                result.duration().toSeconds(), result.logFile());
        if (withAgent) {
            BenchAgent.Summary summary = BenchAgent.Summary.in(result.log())
                    .orElseThrow(() -> new AssertionError("no agent summary line\n" + result));
            report.line("  agent: " + summary);
            assertEquals(summary.messages(), summary.sent(), () -> "all lineage acknowledged by Kafka: " + summary);
        }
        return result.log();
    }

    private static Map<Integer, Checkpoint> checkpoints(String log) {
        Map<Integer, Checkpoint> out = new LinkedHashMap<>();
        Matcher m = HEAP.matcher(log);
        while (m.find()) {
            out.put(Integer.parseInt(m.group(1)), new Checkpoint(Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
        }
        assertTrue(out.containsKey(WRITES), () -> "a checkpoint after all writes:\n" + log);
        return out;
    }

    /** {@code BENCH class <instances> <bytes> <class>} lines: live bytes per class at the end of a run. */
    private static Map<String, Long> classBytes(String log) {
        Map<String, Long> out = new HashMap<>();
        log.lines().filter(line -> line.startsWith("BENCH class ")).forEach(line -> {
            String[] cols = line.split(" ");
            out.put(cols[4], Long.parseLong(cols[3]));
        });
        return out;
    }

    private static double mb(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
