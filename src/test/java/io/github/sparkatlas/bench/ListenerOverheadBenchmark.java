package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.Test;

/**
 * Figures 1, 2 and 5 of docs/benchmarks.md: the time the agent spends on Spark's listener thread per SQL execution,
 * and the wall time of the same workload ({@link SqlWorkloadApp}) with and without the agent, the agent publishing
 * to a local broker over SASL_SSL. Figure 5 compares the CPU time of Spark's shared listener thread with and without
 * the agent ({@link ListenerThreadCpu}), per SQL execution, and reads Spark's own timer of the agent's listener.
 *
 * <p>Runs alternate, and the order flips every pair (with/without, without/with, ...) so that a load trend on the
 * shared machine weighs on both sides alike; one unmeasured run first brings the Spark, Hive and Kafka jars into the
 * OS page cache. System properties: {@code bench.pairs} (default 10), {@code bench.rounds} (default 17,
 * about twelve SQL executions each: over 200 per run).
 */
class ListenerOverheadBenchmark {

    private static final int PAIRS = Integer.getInteger("bench.pairs", 10);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 17);
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern WORKLOAD = Pattern.compile("BENCH workload rounds=\\d+ millis=(\\d+)");
    private static final Pattern CPU = Pattern.compile("BENCH cpu processMs=(\\d+)");
    private static final Pattern THREAD_CPU = Pattern.compile("(?m)^BENCH threadCpu (\\d+) (.+)$");
    private static final Pattern LISTENER_CPU = Pattern.compile(
            "BENCH listenerThreadCpu cpuMs=(-?[\\d.]+) sqlExecutions=(\\d+) agentQueueCpuMs=(-?[\\d.]+)");
    private static final Pattern TIMER = Pattern.compile("BENCH listenerTimer " + Pattern.quote(BenchAgent.LISTENER)
            + " count=(\\d+) p50=([\\d.]+)ms p99=([\\d.]+)ms max=([\\d.]+)ms");

    /**
     * @param driverCpuMillis CPU time of the driver JVM, much less disturbed by other jobs on the machine than wall
     *                        time
     * @param brokerCpuMillis CPU time the local broker used during the run: in production on another machine, here
     *                        it competes with the driver for the same two cores
     */
    /**
     * @param listenerCpuMillis   CPU time of Spark's shared listener thread
     * @param agentQueueCpuMillis CPU time of the thread of the agent's own listener queue, where the agent's listener
     *                            runs; -1 without the agent
     * @param sparkTimerP99       p99 of Spark's listenerProcessingTime timer of the agent's listener (ms); NaN without
     */
    private record Run(boolean withAgent, double load, long workloadMillis, long driverMillis, long driverCpuMillis,
                       long brokerCpuMillis, Map<String, Long> threadCpuMillis, BenchAgent.Summary summary,
                       String sparkTimer, double listenerCpuMillis, long sqlExecutions, double sparkTimerP99,
                       double agentQueueCpuMillis) {
    }

    @Test
    void listenerThreadTimeAndWallTimeWithAndWithoutTheAgent() {
        BenchReport report = BenchReport.create("listener-overhead");
        report.format("workload: SqlWorkloadApp, %d rounds of 9 statements, Hive catalog, local[2], -Xmx1g; "
                + "%d pairs of runs", ROUNDS, PAIRS);
        List<Run> runs = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start(WorkDirs.newDir("bench-broker"))) {
            broker.createTopic(BenchAgent.TOPIC, 1);
            run(report, broker, false, "warm-up (not counted)");
            for (int pair = 0; pair < PAIRS; pair++) {
                boolean agentFirst = pair % 2 == 0;
                runs.add(run(report, broker, agentFirst, "pair " + (pair + 1)));
                runs.add(run(report, broker, !agentFirst, "pair " + (pair + 1)));
            }
        }
        summarise(report, runs);
    }

    private static Run run(BenchReport report, KafkaBroker broker, boolean withAgent, String label) {
        double load = report.load(label + (withAgent ? ", with agent" : ", without agent"));
        Path runDir = WorkDirs.newDir(withAgent ? "bench-with" : "bench-without");
        SparkSubmitRun submit = SparkSubmitRun.app(SqlWorkloadApp.class.getName())
                .workingDir(runDir)
                .hive(runDir.resolve("warehouse"))
                .args(runDir.resolve("work").toString(), Integer.toString(ROUNDS));
        if (withAgent) {
            BenchAgent.attach(submit, runDir, broker);
        } else {
            submit.withoutAgent();
        }
        long brokerCpuBefore = brokerCpuMillis(broker);
        SparkSubmitRun.Result result = submit.run(RUN_TIMEOUT);
        long brokerCpu = brokerCpuMillis(broker) - brokerCpuBefore;
        assertEquals(0, result.exitCode(), result::toString);
        Matcher workload = WORKLOAD.matcher(result.log());
        assertTrue(workload.find(), result::toString);
        Matcher cpu = CPU.matcher(result.log());
        assertTrue(cpu.find(), result::toString);
        long driverCpu = Long.parseLong(cpu.group(1));
        Matcher listenerCpu = LISTENER_CPU.matcher(result.log());
        assertTrue(listenerCpu.find(), result::toString);
        double listenerCpuMillis = Double.parseDouble(listenerCpu.group(1));
        long sqlExecutions = Long.parseLong(listenerCpu.group(2));
        double agentQueueCpuMillis = Double.parseDouble(listenerCpu.group(3));
        assertTrue(listenerCpuMillis >= 0, () -> "Spark's shared listener thread was found\n" + result);
        Map<String, Long> threadCpu = new HashMap<>();
        Matcher thread = THREAD_CPU.matcher(result.log());
        while (thread.find()) {
            threadCpu.put(thread.group(2), Long.parseLong(thread.group(1)));
        }
        Run run;
        if (withAgent) {
            BenchAgent.Summary summary = BenchAgent.Summary.in(result.log())
                    .orElseThrow(() -> new AssertionError("no agent summary line\n" + result));
            // A run whose lineage was not all delivered, or that lost any, would not measure the real path.
            assertEquals(summary.messages(), summary.sent(), () -> "all lineage acknowledged by Kafka: " + summary);
            assertEquals(0, summary.droppedExecutions() + summary.internalErrors(), summary::toString);
            Matcher timer = TIMER.matcher(result.log());
            assertTrue(timer.find(), () -> "Spark's listener timer for the agent\n" + result);
            run = new Run(true, load, Long.parseLong(workload.group(1)), result.duration().toMillis(), driverCpu,
                    brokerCpu, threadCpu, summary, timer.group(0).substring("BENCH listenerTimer ".length()),
                    listenerCpuMillis, sqlExecutions, Double.parseDouble(timer.group(3)), agentQueueCpuMillis);
        } else {
            run = new Run(false, load, Long.parseLong(workload.group(1)), result.duration().toMillis(), driverCpu,
                    brokerCpu, threadCpu, null, null, listenerCpuMillis, sqlExecutions, Double.NaN,
                    agentQueueCpuMillis);
        }
        report.format("  %s: workload %d ms, driver %d ms, driver CPU %d ms, broker CPU %d ms, shared listener "
                        + "thread CPU %.1f ms for %d SQL executions%s%s",
                withAgent ? "with agent   " : "without agent", run.workloadMillis(), run.driverMillis(),
                run.driverCpuMillis(), run.brokerCpuMillis(), run.listenerCpuMillis(), run.sqlExecutions(),
                run.agentQueueCpuMillis() < 0 ? "" : String.format(", agent's queue thread CPU %.1f ms",
                        run.agentQueueCpuMillis()), withAgent
                        ? String.format(", agent end p50=%.2fms p99=%.2fms max=%.2fms n=%d, start p99=%.2fms; "
                                + "messages=%d; spark timer %s", run.summary().endP50(), run.summary().endP99(),
                        run.summary().endMax(), run.summary().endCount(), run.summary().startP99(),
                        run.summary().messages(), run.sparkTimer())
                        : "");
        return run;
    }

    private static void summarise(BenchReport report, List<Run> runs) {
        report.line("");
        report.line("## listener thread per SQL execution (agent's histogram, per run)");
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        double max = 0;
        for (Run run : runs) {
            if (run.withAgent()) {
                p50.add(run.summary().endP50());
                p99.add(run.summary().endP99());
                max = Math.max(max, run.summary().endMax());
            }
        }
        report.format("end callback: p50 median over runs %.2f ms, p99 median %.2f ms (runs: %s), max of all runs "
                + "%.2f ms", BenchReport.median(p50), BenchReport.median(p99), p99, max);

        summariseListenerThread(report, runs);

        report.line("");
        report.line("## wall time with / without agent, per pair");
        List<Double> workloadRatios = new ArrayList<>();
        List<Double> driverRatios = new ArrayList<>();
        List<Double> addedDriverCpu = new ArrayList<>();
        List<Double> addedBrokerCpu = new ArrayList<>();
        for (int i = 0; i + 1 < runs.size(); i += 2) {
            Run with = runs.get(i).withAgent() ? runs.get(i) : runs.get(i + 1);
            Run without = runs.get(i).withAgent() ? runs.get(i + 1) : runs.get(i);
            double workload = (double) with.workloadMillis() / without.workloadMillis();
            double driver = (double) with.driverMillis() / without.driverMillis();
            workloadRatios.add(workload);
            driverRatios.add(driver);
            addedDriverCpu.add((double) (with.driverCpuMillis() - without.driverCpuMillis()));
            addedBrokerCpu.add((double) (with.brokerCpuMillis() - without.brokerCpuMillis()));
            report.format("pair %d: workload %d / %d ms = %.3f, driver %d / %d ms = %.3f, driver CPU %d / %d ms, "
                            + "broker CPU %d / %d ms (load %.2f / %.2f)", i / 2 + 1, with.workloadMillis(),
                    without.workloadMillis(), workload, with.driverMillis(), without.driverMillis(), driver,
                    with.driverCpuMillis(), without.driverCpuMillis(), with.brokerCpuMillis(),
                    without.brokerCpuMillis(), with.load(), without.load());
        }
        report.format("workload ratio: mean %.3f, median %.3f, min %.3f, max %.3f", BenchReport.mean(workloadRatios),
                BenchReport.median(workloadRatios), min(workloadRatios), max(workloadRatios));
        report.format("driver ratio:   mean %.3f, median %.3f, min %.3f, max %.3f", BenchReport.mean(driverRatios),
                BenchReport.median(driverRatios), min(driverRatios), max(driverRatios));
        report.format("CPU added by the agent per run: driver mean %.0f ms, median %.0f ms (min %.0f, max %.0f); "
                        + "local broker mean %.0f ms", BenchReport.mean(addedDriverCpu),
                BenchReport.median(addedDriverCpu), min(addedDriverCpu), max(addedDriverCpu),
                BenchReport.mean(addedBrokerCpu));
        report.line("driver threads with the most more CPU with the agent, mean over runs (ms, with - without):");
        Map<String, Double> with = meanThreadCpu(runs, true);
        Map<String, Double> without = meanThreadCpu(runs, false);
        Set<String> groups = new HashSet<>(with.keySet());
        groups.addAll(without.keySet());
        groups.stream()
                .map(g -> Map.entry(g, with.getOrDefault(g, 0.0) - without.getOrDefault(g, 0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(10)
                .forEach(e -> report.format("  %+7.0f %s (%.0f with, %.0f without)", e.getValue(), e.getKey(),
                        with.getOrDefault(e.getKey(), 0.0), without.getOrDefault(e.getKey(), 0.0)));
        report.line("results: " + report.file());
    }

    /** Figure 5: issue 7's targets, 0.2 ms of listener-thread CPU per SQL execution and a timer p99 of 0.5 ms. */
    private static void summariseListenerThread(BenchReport report, List<Run> runs) {
        report.line("");
        report.line("## Spark's shared listener thread: CPU per SQL execution with minus without the agent, per pair");
        List<Double> perExecution = new ArrayList<>();
        for (int i = 0; i + 1 < runs.size(); i += 2) {
            Run with = runs.get(i).withAgent() ? runs.get(i) : runs.get(i + 1);
            Run without = runs.get(i).withAgent() ? runs.get(i + 1) : runs.get(i);
            double added = (with.listenerCpuMillis() - without.listenerCpuMillis()) / with.sqlExecutions();
            perExecution.add(added);
            report.format("pair %d: %.1f / %.1f ms over %d / %d SQL executions: %+.3f ms per execution", i / 2 + 1,
                    with.listenerCpuMillis(), without.listenerCpuMillis(), with.sqlExecutions(),
                    without.sqlExecutions(), added);
        }
        report.format("listener thread CPU added per SQL execution: median %.3f ms, mean %.3f ms, min %.3f, max %.3f "
                        + "(target <= 0.2 ms)", BenchReport.median(perExecution), BenchReport.mean(perExecution),
                min(perExecution), max(perExecution));
        List<Double> agentQueue = runs.stream().filter(Run::withAgent).filter(r -> r.agentQueueCpuMillis() >= 0)
                .map(r -> r.agentQueueCpuMillis() / r.sqlExecutions()).toList();
        if (agentQueue.isEmpty()) {
            report.format("no thread %s in the runs with the agent: it ran on Spark's shared queue",
                    ListenerThreadCpu.AGENT_QUEUE_THREAD);
        } else {
            report.format("the agent's own listener queue thread (%s), CPU per SQL execution: median %.3f ms, "
                    + "min %.3f, max %.3f (runs: %s)", ListenerThreadCpu.AGENT_QUEUE_THREAD,
                    BenchReport.median(agentQueue), min(agentQueue), max(agentQueue), agentQueue);
        }
        List<Double> timerP99 = runs.stream().filter(Run::withAgent).map(Run::sparkTimerP99).toList();
        report.format("Spark's listenerProcessingTime timer of %s, p99 per run: median %.3f ms, max %.3f ms "
                + "(target <= 0.5 ms; runs: %s)", BenchAgent.LISTENER, BenchReport.median(timerP99), max(timerP99),
                timerP99);
    }

    private static Map<String, Double> meanThreadCpu(List<Run> runs, boolean withAgent) {
        Map<String, Double> sum = new HashMap<>();
        long n = runs.stream().filter(r -> r.withAgent() == withAgent).count();
        runs.stream().filter(r -> r.withAgent() == withAgent)
                .forEach(r -> r.threadCpuMillis().forEach((g, ms) -> sum.merge(g, (double) ms / n, Double::sum)));
        return sum;
    }

    /** CPU time the broker JVM (the child process started with its server.properties) has used so far. */
    private static long brokerCpuMillis(KafkaBroker broker) {
        String serverProperties = broker.workDir().resolve("server.properties").toString();
        return ProcessHandle.current().descendants()
                .filter(p -> commandLine(p.pid()).contains(serverProperties))
                .mapToLong(p -> ThreadCpu.processCpuMillis(p.pid()))
                .sum();
    }

    /** Read from /proc directly: ProcessHandle.Info gave no command line for the broker JVM here. */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
