package io.github.sparkatlas.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import javax.management.JMException;
import javax.management.ObjectName;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The driver workload of {@link RetainedHeapBenchmark}: many tiny parquet writes, every other one reading the
 * previous one's output, so each has lineage. Targets rotate over {@value #TARGETS} directories, as a long-lived
 * driver rewrites the same tables, or with {@code distinct} every write goes to a new directory.
 *
 * <p>Usage: {@code RetainedHeapApp <work dir> <writes> <checkpoint,...> [distinct]}. At each checkpoint, once the
 * listener bus and the agent's thread are idle, it forces full collections and prints
 * {@code BENCH heap writes=.. usedAfterGc=.. liveBytes=.. agentClassBytes=.. elapsedMs=..}: heap in use after
 * {@code System.gc()}, and from the JVM's GC.class_histogram diagnostic command (itself a full GC and a walk of
 * the live objects, no heap dump) the total of live objects and the shallow size of the agent's own classes (its
 * relocated Kafka client and Jackson included). At the end it prints the histogram itself ({@link #printHistograms}).
 */
public final class RetainedHeapApp {

    private static final int TARGETS = 16;
    private static final String AGENT_PACKAGE = "io.github.sparkatlas.";
    /** This workload's own classes, which share the agent's package prefix. */
    private static final String BENCH_PACKAGE = "io.github.sparkatlas.bench.";

    private RetainedHeapApp() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Paths.get(args[0]).toAbsolutePath();
        int writes = Integer.parseInt(args[1]);
        Set<Integer> checkpoints = new HashSet<>();
        for (String checkpoint : args[2].split(",")) {
            checkpoints.add(Integer.parseInt(checkpoint));
        }
        boolean distinct = args.length > 3 && args[3].equals("distinct");
        SparkSession spark = SparkSession.builder().appName("retained-heap").getOrCreate();
        try {
            System.out.println("BENCH gc " + ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
            Dataset<Row> tiny = spark.range(0, 4, 1, 1).selectExpr("id", "CAST(id AS STRING) AS name");
            StructType schema = tiny.schema();
            long start = System.nanoTime();
            checkpoint(spark, 0, start);
            for (int i = 1; i <= writes; i++) {
                String target = work.resolve("out-" + (distinct ? i : i % TARGETS)).toString();
                if (i % 2 == 1) {
                    tiny.write().mode(SaveMode.Overwrite).parquet(target);
                } else {
                    // An explicit schema: no inference job, so each write stays one small job.
                    String source = work.resolve("out-" + (distinct ? i - 1 : (i - 1) % TARGETS)).toString();
                    spark.read().schema(schema).parquet(source).write().mode(SaveMode.Overwrite).parquet(target);
                }
                if (checkpoints.contains(i)) {
                    checkpoint(spark, i, start);
                }
            }
            printHistograms();
        } finally {
            spark.stop();
        }
    }

    private static void checkpoint(SparkSession spark, int writes, long start)
            throws TimeoutException, InterruptedException, JMException {
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        spark.sparkContext().listenerBus().waitUntilEmpty(600_000);
        awaitAgentIdle();
        // Several collections: objects with finalizers or weak references only go on a later one.
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String histogram = histogram();
        System.out.println("BENCH heap writes=" + writes + " usedAfterGc=" + used + " liveBytes="
                + liveBytes(histogram) + " agentClassBytes=" + agentClassBytes(histogram) + " elapsedMs=" + elapsed);
    }

    /**
     * Waits until the agent's thread (if any) waits for work, so that what it holds is its steady state and not a
     * queue still being worked off. Read from thread states: the workload knows nothing of the agent.
     */
    static void awaitAgentIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        int idlePolls = 0;
        while (idlePolls < 3 && System.nanoTime() < deadline) {
            boolean busy = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("spark-atlas-agent") && t.getState() != Thread.State.WAITING);
            idlePolls = busy ? 0 : idlePolls + 1;
            Thread.sleep(50);
        }
    }

    static String histogram() throws JMException {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /** Lines of the histogram: {@code num: #instances #bytes class name (module)}. */
    private static List<String[]> rows(String histogram) {
        List<String[]> rows = new ArrayList<>();
        for (String line : histogram.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[0].endsWith(":")) {
                rows.add(cols);
            }
        }
        return rows;
    }

    static List<String[]> agentRows(String histogram) {
        return rows(histogram).stream()
                .filter(cols -> cols[3].startsWith(AGENT_PACKAGE) && !cols[3].startsWith(BENCH_PACKAGE))
                .collect(Collectors.toList());
    }

    /** The histogram's {@code Total <instances> <bytes>} line: every object still reachable after a full GC. */
    static long liveBytes(String histogram) {
        for (String line : histogram.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 3 && cols[0].equals("Total")) {
                return Long.parseLong(cols[2]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram");
    }

    static long agentClassBytes(String histogram) {
        return agentRows(histogram).stream().mapToLong(cols -> Long.parseLong(cols[2])).sum();
    }

    /**
     * The agent's classes, then every class with at least 16 KB of live instances: the benchmark subtracts the run
     * without the agent class by class, which shows what the agent's heap is made of beyond its own classes.
     */
    static void printHistograms() throws JMException {
        String histogram = histogram();
        for (String[] cols : rows(histogram)) {
            if (Long.parseLong(cols[2]) >= 16 * 1024) {
                System.out.println("BENCH class " + cols[1] + " " + cols[2] + " " + cols[3]);
            }
        }
        List<String[]> rows = agentRows(histogram);
        long instances = rows.stream().mapToLong(cols -> Long.parseLong(cols[1])).sum();
        long bytes = rows.stream().mapToLong(cols -> Long.parseLong(cols[2])).sum();
        System.out.println("BENCH histogram agent classes=" + rows.size() + " instances=" + instances
                + " bytes=" + bytes);
        rows.stream().limit(15).forEach(cols -> System.out.println("BENCH histogram " + cols[1] + " " + cols[2]
                + " " + cols[3]));
    }
}
