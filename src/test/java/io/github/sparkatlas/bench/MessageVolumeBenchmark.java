package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.github.sparkatlas.BenchPipelines;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import org.junit.jupiter.api.Test;

/**
 * Figure 6 of docs/benchmarks.md: how many messages and bytes the agent thread hands to its sink, and the heap its
 * change detection holds, for long applications. Synthetic {@link QueryLineage} records go straight into the
 * agent's pipeline (no Spark, no Kafka): the sink counts messages and the UTF-8 bytes of their bodies (the Atlas
 * notification JSON, before the envelope, compression or splitting). Each record carries a plan text of about
 * 1 KB, rendered on the agent thread as a real one is; renders are counted.
 *
 * <p>System property {@code bench.paced.seconds} (default 30) sets the length of the paced run.
 */
class MessageVolumeBenchmark {

    private static final int PACED_SECONDS = Integer.getInteger("bench.paced.seconds", 30);
    private static final String APP = "application_1700000000000_0001";
    private static final long DEFAULT_INTERVAL = 30_000;

    /** Counts what it is given; keeps nothing else but, when asked, the size of each process's last message. */
    private static final class CountingSink implements Sink {
        private final boolean perKey;
        long messages;
        long bytes;
        long largest;
        final Map<String, Long> lastBytesPerKey = new HashMap<>();

        CountingSink(boolean perKey) {
            this.perKey = perKey;
        }

        @Override
        public void accept(io.github.sparkatlas.message.OutboundMessage message) {
            long size = message.body().getBytes(StandardCharsets.UTF_8).length;
            messages++;
            bytes += size;
            largest = Math.max(largest, size);
            if (perKey) {
                lastBytesPerKey.put(message.key(), size);
            }
        }

        /** What the last message of every process adds up to: the size of the final state. */
        long finalStateBytes() {
            return lastBytesPerKey.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public boolean flush(long timeoutMillis) {
            return true;
        }

        @Override
        public DeliveryStats stats() {
            return new DeliveryStats(messages, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public void close(long timeoutMillis) {
        }
    }

    private static final AtomicLong RENDERED = new AtomicLong();

    private static TableDataset table(String name) {
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            columns.add(new Column("col_" + c, "string", true, null));
        }
        return TableDataset.builder("sales", name).provider("parquet").tableType("MANAGED")
                .location(URI.create("hdfs://nn:8020/warehouse/sales.db/" + name)).columns(columns).build();
    }

    private static PathDataset path(String uri) {
        return PathDataset.of(URI.create(uri));
    }

    private static QueryLineage record(long executionId, List<? extends Dataset> inputs,
            List<? extends Dataset> outputs) {
        StringBuilder plan = new StringBuilder("== Analyzed Logical Plan ==\nInsertIntoHadoopFsRelationCommand #")
                .append(executionId).append('\n');
        while (plan.length() < 1_000) {
            plan.append("+- Project [col_0#1, col_1#2, col_2#3]\n");
        }
        String text = plan.toString();
        return new QueryLineage(APP, "long etl", executionId, "InsertIntoHadoopFsRelationCommand", "etl", executionId,
                inputs, outputs, null).withPlanTextSource((max, deadline) -> {
                    RENDERED.incrementAndGet();
                    return PlanTextSource.Rendering.whole(text);
                });
    }

    /** Runs {@code records} through a pipeline and reports what it sent. */
    private static CountingSink run(BenchReport report, String what, boolean perQuery, long intervalMillis,
            List<QueryLineage> records, long pauseMillis) throws InterruptedException {
        CountingSink sink = new CountingSink(true);
        BenchPipelines pipeline = new BenchPipelines(100_000, sink, perQuery, intervalMillis);
        long renderedBefore = RENDERED.get();
        long start = System.nanoTime();
        for (QueryLineage record : records) {
            assertTrue(pipeline.submit(record), "queued");
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
        assertTrue(pipeline.flush(600_000), "flushed");
        long millis = (System.nanoTime() - start) / 1_000_000;
        String state = pipeline.stateHeld();
        assertTrue(pipeline.close(60_000));
        assertEquals(0, pipeline.dropped());
        report.format("%-44s %-11s interval=%6d ms  records=%6d  messages=%5d  bytes=%,13d  largest=%,10d  "
                + "final state=%,11d  bytes/final=%6.2f  plan texts rendered=%5d  run=%6d ms  [%s]",
                what, perQuery ? "query" : "application", intervalMillis, records.size(), sink.messages, sink.bytes,
                sink.largest, sink.finalStateBytes(), (double) sink.bytes / sink.finalStateBytes(),
                RENDERED.get() - renderedBefore, millis, state);
        return sink;
    }

    private static List<QueryLineage> sameThreeTables(int writes) {
        List<QueryLineage> records = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            records.add(record(i, List.of(path("hdfs://nn:8020/landing/events")), List.of(table("t" + (i % 3)))));
        }
        return records;
    }

    private static QueryLineage newDirectory(int i) {
        return record(i, List.of(path("hdfs://nn:8020/landing/events")),
                List.of(path("hdfs://nn:8020/lake/daily/run-" + i)));
    }

    private static List<QueryLineage> newDirectories(int writes) {
        List<QueryLineage> records = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            records.add(newDirectory(i));
        }
        return records;
    }

    private static QueryLineage microBatch(int i) {
        return record(i, List.of(path("hdfs://nn:8020/landing/clicks")), List.of(path("hdfs://nn:8020/bronze/clicks")))
                .withStreamingQuery("5a4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a");
    }

    private static List<QueryLineage> microBatches(int batches) {
        List<QueryLineage> records = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            records.add(microBatch(i));
        }
        return records;
    }

    @Test
    void messagesAndBytes() throws Exception {
        BenchReport report = BenchReport.create("MessageVolumeBenchmark");
        for (boolean perQuery : new boolean[] {false, true}) {
            CountingSink same = run(report, "1,000 writes to the same 3 tables", perQuery, DEFAULT_INTERVAL,
                    sameThreeTables(1_000), 0);
            assertTrue(same.messages <= 4, "at most 4 messages");
            CountingSink streaming = run(report, "1 streaming query, 1,000 micro-batches", perQuery,
                    DEFAULT_INTERVAL, microBatches(1_000), 0);
            assertTrue(streaming.messages <= 3, "at most 3 messages");
            run(report, "3,000 writes, each to a new directory", perQuery, DEFAULT_INTERVAL, newDirectories(3_000), 0);
        }
        report.load("paced runs");
        int paced = PACED_SECONDS * 100;
        run(report, String.format("%,d new directories, 1 per 10 ms", paced), false, 1_000, newDirectories(paced), 10);
        run(report, String.format("%,d new directories, 1 per 10 ms", paced), false, DEFAULT_INTERVAL,
                newDirectories(paced), 10);
    }

    /** Heap held by the pipeline (its change detection) after a workload, pipeline still open. */
    @Test
    void heapHeldByThePipeline() throws Exception {
        BenchReport report = BenchReport.create("MessageVolumeBenchmark-heap");
        // Loads and initialises every class involved (their statics are no state of a pipeline), not reported.
        BenchReport warmUp = BenchReport.create("MessageVolumeBenchmark-heap-warm-up");
        heap(warmUp, "warm-up", false, 3_000, MessageVolumeBenchmark::newDirectory);
        heap(warmUp, "warm-up", true, 3_000, MessageVolumeBenchmark::newDirectory);
        heap(report, "no records (the pipeline itself)", false, 0, MessageVolumeBenchmark::microBatch);
        heap(report, "1 streaming query, 100,000 micro-batches", false, 100_000, MessageVolumeBenchmark::microBatch);
        heap(report, "1 streaming query, 100,000 micro-batches", true, 100_000, MessageVolumeBenchmark::microBatch);
        heap(report, "3,000 writes, each to a new directory", false, 3_000, MessageVolumeBenchmark::newDirectory);
        heap(report, "3,000 writes, each to a new directory", true, 3_000, MessageVolumeBenchmark::newDirectory);
        heap(report, "20,000 writes, each to a new directory", true, 20_000, MessageVolumeBenchmark::newDirectory);
    }

    private static void heap(BenchReport report, String what, boolean perQuery, int count,
            java.util.function.IntFunction<QueryLineage> records) throws InterruptedException {
        CountingSink sink = new CountingSink(false);
        long before = usedAfterGc();
        // The default queue capacity; records made as they are fed, a queue's worth at a time, so that only the
        // pipeline (its queue and its state) holds anything.
        BenchPipelines pipeline = new BenchPipelines(1_000, sink, perQuery, DEFAULT_INTERVAL);
        for (int from = 0; from < count; from += 1_000) {
            for (int i = from; i < Math.min(count, from + 1_000); i++) {
                assertTrue(pipeline.submit(records.apply(i)));
            }
            assertTrue(pipeline.flush(600_000));
        }
        String state = pipeline.stateHeld();
        long held = usedAfterGc() - before;
        pipeline.close(60_000);
        pipeline = null;
        long after = usedAfterGc() - before;
        report.format("%-44s %-11s records=%,8d  messages=%6d  heap held with pipeline open=%,12d B  "
                + "after close, pipeline dropped=%,12d B  [%s]", what, perQuery ? "query" : "application", count, sink.messages, held,
                after, state);
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
