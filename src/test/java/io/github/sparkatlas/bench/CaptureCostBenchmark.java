package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.capture.SparkInternals;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Figure 1, third measure: the CPU the capture costs per SQL execution, with the machine's load taken out. The
 * wall-clock figures of {@link ListenerOverheadBenchmark} include every moment the listener thread waited for a
 * core; on a shared 2-core machine that is most of them.
 *
 * <p>In-process Spark (Hive catalog, local[2]) runs {@link SqlWorkloadApp}'s rounds; a listener keeps each
 * execution's QueryExecution. The capture is first warmed up (JIT) on the executions of {@value #WARM_ROUNDS} rounds,
 * then each execution of {@value #FRESH_ROUNDS} further rounds is captured once, as the agent would, and timed in
 * thread CPU time and wall time: a long-running driver's steady state. Repeated captures of one execution are also
 * timed: they show the floor, as Spark's lazily computed plan fields are then already there.
 */
class CaptureCostBenchmark {

    private static final int WARM_ROUNDS = 3;
    private static final int WARM_UP = 2_000;
    private static final int FRESH_ROUNDS = 10;
    private static final int REPEATED = 1_000;

    /** Keeps the QueryExecution of every successful SQL execution, as the agent would see it. */
    private static final class Executions extends SparkListener {
        private final List<Object> executions = new ArrayList<>();

        @Override
        public synchronized void onOtherEvent(SparkListenerEvent event) {
            if (event.getClass().getSimpleName().equals("SparkListenerSQLExecutionEnd")) {
                Object qe = SparkInternals.successfulQueryExecution(event);
                if (qe != null) {
                    executions.add(qe);
                }
            }
        }

        synchronized List<Object> drain() {
            List<Object> out = new ArrayList<>(executions);
            executions.clear();
            return out;
        }
    }

    @Test
    void captureCpuPerSqlExecution() throws TimeoutException {
        BenchReport report = BenchReport.create("capture-cost");
        Path dir = WorkDirs.newDir("bench-capture");
        System.setProperty("derby.system.home", dir.toString());
        SparkSession spark = SparkSession.builder().master("local[2]").appName("capture-cost")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
                .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                        "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true")
                .enableHiveSupport()
                .getOrCreate();
        Executions executions = new Executions();
        try {
            spark.sparkContext().addSparkListener(executions);
            SqlWorkloadApp.setUp(spark);
            List<Object> warm = run(spark, dir, executions, 0, WARM_ROUNDS);
            report.format("capture warmed up %d times on the %d executions of %d rounds, then measured once on each "
                    + "execution of %d further rounds", WARM_UP, warm.size(), WARM_ROUNDS, FRESH_ROUNDS);
            int next = WARM_ROUNDS;
            for (int planText : new int[] {20_000, 0}) {
                LineageCapture capture = new LineageCapture(planText, 60_000);
                warmUp(capture, warm);
                List<Object> fresh = run(spark, dir, executions, next, next + FRESH_ROUNDS);
                next += FRESH_ROUNDS;
                measure(report, planText > 0 ? "plan text on (default 20000 chars, handed over to the agent thread)"
                        : "plan text off", capture, fresh);
            }
        } finally {
            spark.stop();
        }
    }

    private static List<Object> run(SparkSession spark, Path dir, Executions executions, int from, int to)
            throws TimeoutException {
        for (int round = from; round < to; round++) {
            SqlWorkloadApp.round(spark, dir.resolve("work"), round);
        }
        spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
        List<Object> qes = executions.drain();
        assertFalse(qes.isEmpty());
        return qes;
    }

    private static void warmUp(LineageCapture capture, List<Object> executions) {
        for (int i = 0; i < WARM_UP; i++) {
            for (Object qe : executions) {
                capture.capture(qe, 1);
            }
        }
    }

    private static void measure(BenchReport report, String label, LineageCapture capture, List<Object> fresh) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        List<Double> others = new ArrayList<>();
        for (Object qe : fresh) {
            long startCpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            boolean write = capture.capture(qe, 1).lineage() != null;
            double micros = (System.nanoTime() - start) / 1e3;
            double cpuMicros = (threads.getCurrentThreadCpuTime() - startCpu) / 1e3;
            if (write) {
                cpu.add(cpuMicros);
                wall.add(micros);
            } else {
                others.add(cpuMicros);
            }
        }
        // Again on the same executions: their plans' lazy fields are computed now, so this is the floor.
        List<Double> repeated = new ArrayList<>();
        for (Object qe : fresh) {
            if (capture.capture(qe, 1).lineage() == null) {
                continue;
            }
            long startCpu = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < REPEATED; i++) {
                capture.capture(qe, 1);
            }
            repeated.add((threads.getCurrentThreadCpuTime() - startCpu) / 1e3 / REPEATED);
        }
        report.format("%s: writes (n=%d) first capture CPU p50 %.0f us, p99 %.0f us, max %.0f us; wall p50 %.0f us, "
                        + "p99 %.0f us; repeated capture CPU median %.0f us; executions without lineage (n=%d) CPU "
                        + "p50 %.0f us, max %.0f us", label, cpu.size(), quantile(cpu, 0.5), quantile(cpu, 0.99),
                quantile(cpu, 1), quantile(wall, 0.5), quantile(wall, 0.99), BenchReport.median(repeated),
                others.size(), quantile(others, 0.5), quantile(others, 1));
        // What moved to the agent's thread: rendering the plan text (limit plus the redaction margin) and redacting it.
        List<Double> rendering = new ArrayList<>();
        for (Object qe : fresh) {
            QueryLineage lineage = capture.capture(qe, 1).lineage();
            if (lineage == null || lineage.planTextSource() == null) {
                continue;
            }
            long startCpu = threads.getCurrentThreadCpuTime();
            PlanTextSource.Rendering text = lineage.planTextSource().render(20_000 + 4_096,
                    System.nanoTime() + 60_000_000_000L);
            Redactor.defaults().redactCutShort(text.text());
            rendering.add((threads.getCurrentThreadCpuTime() - startCpu) / 1e3);
        }
        if (!rendering.isEmpty()) {
            report.format("  on the agent thread: plan text rendered and redacted (n=%d), CPU p50 %.0f us, p99 %.0f us",
                    rendering.size(), quantile(rendering, 0.5), quantile(rendering, 0.99));
        }
    }

    /** Nearest-rank quantile. */
    private static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
