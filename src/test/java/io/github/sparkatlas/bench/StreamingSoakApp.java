package io.github.sparkatlas.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.management.JMException;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The driver workload of {@link StreamingSoakBenchmark}; it knows nothing of the agent.
 *
 * <p>Phase 1, messages: two queries run at once, micro-batch after micro-batch ({@code ProcessingTime(0)}), until
 * each has run {@code <message batches>}: {@code soak-foreach-batch} appends every micro-batch to a parquet
 * directory from its {@code foreachBatch} function (a nested batch write per micro-batch, which the agent joins to
 * the query), {@code soak-file-sink} writes a parquet file sink. Phase 2, soak: {@code soak-noop}, a query of one
 * row per micro-batch into the {@code noop} sink, runs until it has run {@code <soak max batches>} or for
 * {@code <soak seconds>}; at micro-batch 0 and each checkpoint, and at its end, the driver prints heap and thread
 * CPU figures ({@link #checkpoint}).
 *
 * <p>The sources are {@code rate-micro-batch}: the {@code rate} source's offsets are whole seconds since the query
 * started, so it has new data, and a query over it runs a micro-batch, at most once a second.
 *
 * <p>Usage: {@code StreamingSoakApp <work dir> <message batches> <soak seconds> <soak max batches>
 * <checkpoint,...>}.
 */
public final class StreamingSoakApp {

    private static final String AGENT_QUEUE_THREAD = ListenerThreadCpu.AGENT_QUEUE_THREAD;
    private static final String AGENT_THREAD = "spark-atlas-agent";
    private static final long POLL_MILLIS = 20;

    private StreamingSoakApp() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Paths.get(args[0]).toAbsolutePath();
        long messageBatches = Long.parseLong(args[1]);
        long soakSeconds = Long.parseLong(args[2]);
        long soakMaxBatches = Long.parseLong(args[3]);
        Deque<Long> checkpoints = new ArrayDeque<>();
        for (String checkpoint : args[4].split(",")) {
            checkpoints.add(Long.parseLong(checkpoint));
        }
        SparkSession spark = SparkSession.builder().appName("streaming-soak").getOrCreate();
        try {
            System.out.println("BENCH gc " + ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")));
            if (messageBatches > 0) {
                messagePhase(spark, work, messageBatches);
            }
            soakPhase(spark, work, soakSeconds, soakMaxBatches, checkpoints);
            RetainedHeapApp.printHistograms();
        } finally {
            spark.stop();
        }
    }

    private static void messagePhase(SparkSession spark, Path work, long batches) throws Exception {
        String foreachOut = work.resolve("foreach-batch-out").toString();
        VoidFunction2<Dataset<Row>, Long> append = (batch, id) -> batch.write().mode("append").parquet(foreachOut);
        long start = System.nanoTime();
        StreamingQuery foreachBatch = rate(spark, 10).writeStream().queryName("soak-foreach-batch")
                .option("checkpointLocation", work.resolve("checkpoints/foreach-batch").toString())
                .trigger(Trigger.ProcessingTime(0)).foreachBatch(append).start();
        StreamingQuery fileSink = rate(spark, 10).writeStream().queryName("soak-file-sink").format("parquet")
                .option("path", work.resolve("file-sink-out").toString())
                .option("checkpointLocation", work.resolve("checkpoints/file-sink").toString())
                .trigger(Trigger.ProcessingTime(0)).start();
        StreamingQuery[] queries = {foreachBatch, fileSink};
        boolean[] stopped = new boolean[queries.length];
        int running = queries.length;
        while (running > 0) {
            for (int i = 0; i < queries.length; i++) {
                if (!stopped[i] && batchesRun(queries[i]) >= batches) {
                    queries[i].stop();
                    stopped[i] = true;
                    running--;
                    System.out.println("BENCH query name=" + queries[i].name() + " id=" + queries[i].id()
                            + " batches=" + batchesRun(queries[i]) + " elapsedMs="
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
            }
            failIfEnded(queries, stopped);
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static void soakPhase(SparkSession spark, Path work, long seconds, long maxBatches,
            Deque<Long> checkpoints) throws Exception {
        spark.sparkContext().listenerBus().waitUntilEmpty(600_000);
        RetainedHeapApp.awaitAgentIdle();
        checkpoint(0, 0);
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        StreamingQuery soak = rate(spark, 1).writeStream().queryName("soak-noop").format("noop")
                .option("checkpointLocation", work.resolve("checkpoints/noop").toString())
                .trigger(Trigger.ProcessingTime(0)).start();
        long batches = 0;
        while (batches < maxBatches && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            failIfEnded(new StreamingQuery[] {soak}, new boolean[1]);
            batches = batchesRun(soak);
            if (!checkpoints.isEmpty() && batches >= checkpoints.peekFirst()) {
                while (!checkpoints.isEmpty() && batches >= checkpoints.peekFirst()) {
                    checkpoints.removeFirst();
                }
                checkpoint(batches, System.nanoTime() - start);
            }
        }
        soak.stop();
        batches = batchesRun(soak);
        long elapsed = System.nanoTime() - start;
        System.out.println("BENCH query name=" + soak.name() + " id=" + soak.id() + " batches=" + batches
                + " elapsedMs=" + TimeUnit.NANOSECONDS.toMillis(elapsed));
        spark.sparkContext().listenerBus().waitUntilEmpty(600_000);
        checkpoint(batches, elapsed);
    }

    private static Dataset<Row> rate(SparkSession spark, int rowsPerBatch) {
        return spark.readStream().format("rate-micro-batch").option("rowsPerBatch", rowsPerBatch)
                .option("numPartitions", 1).load();
    }

    /** Micro-batches the query has completed: its latest progress is that of batch {@code batchId}, from 0. */
    private static long batchesRun(StreamingQuery query) {
        StreamingQueryProgress progress = query.lastProgress();
        return progress == null ? 0 : progress.batchId() + 1;
    }

    private static void failIfEnded(StreamingQuery[] queries, boolean[] stopped) {
        for (int i = 0; i < queries.length; i++) {
            if (!stopped[i] && !queries[i].isActive()) {
                throw new IllegalStateException("query " + queries[i].name() + " ended by itself",
                        queries[i].exception().isDefined() ? queries[i].exception().get() : null);
            }
        }
    }

    /**
     * {@code BENCH soak batches=.. usedAfterGc=.. liveBytes=.. agentClassBytes=.. agentQueueCpuMs=..
     * agentThreadCpuMs=.. elapsedMs=..}: heap in use after full collections and the class histogram's live bytes,
     * as {@link RetainedHeapApp} reads them, while the soak query keeps running; and the CPU time so far of the
     * agent's listener-queue thread and of its own thread (-1 without the agent).
     */
    private static void checkpoint(long batches, long elapsedNanos) throws InterruptedException, JMException {
        RetainedHeapApp.awaitAgentIdle();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String histogram = RetainedHeapApp.histogram();
        System.out.println(String.format(Locale.ROOT, "BENCH soak batches=%d usedAfterGc=%d liveBytes=%d "
                + "agentClassBytes=%d agentQueueCpuMs=%.1f agentThreadCpuMs=%.1f elapsedMs=%d", batches, used,
                RetainedHeapApp.liveBytes(histogram), RetainedHeapApp.agentClassBytes(histogram),
                threadCpuMillis(AGENT_QUEUE_THREAD), threadCpuMillis(AGENT_THREAD),
                TimeUnit.NANOSECONDS.toMillis(elapsedNanos)));
        System.out.flush();
    }

    private static double threadCpuMillis(String name) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (name.equals(thread.getName())) {
                return threads.getThreadCpuTime(thread.getId()) / 1e6;
            }
        }
        return -1;
    }
}
