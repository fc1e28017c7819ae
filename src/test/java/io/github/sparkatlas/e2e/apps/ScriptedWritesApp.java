package io.github.sparkatlas.e2e.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;

/**
 * A plain Spark application for the delivery tests; it knows nothing of the agent. It makes a number of small
 * writes, each reading one landing CSV and writing a parquet directory of its own, so every write is one SQL
 * execution with an output no other write has.
 *
 * <p>Usage: {@code ScriptedWritesApp <work dir> <writes> [--gate <dir>] [--hang-seconds <n>] [--end <how>]
 * [--end-gate <file>] [--busy-listener-ms <n>]}
 * <ul>
 *   <li>{@code --gate <dir>}: before write i, wait for the file {@code <dir>/write-<i>}, so that a test can do
 *       something (stop the broker) between two writes;</li>
 *   <li>{@code --hang-seconds <n>}: after the writes, once Spark's listeners have seen them all, print
 *       {@link #HANG_LINE} and sleep, so that a test can kill the driver while it still runs;</li>
 *   <li>{@code --busy-listener-ms <n>}: adds a SparkListener of the application's own that takes {@code n} ms
 *       over every SQL execution end, as a slow listener of a platform would; it shares Spark's listener queue
 *       with the agent, so the agent sees the last writes only well after they are done;</li>
 *   <li>{@code --end-gate <file>}: after the writes (and the read-back, if any), wait for that file before ending,
 *       so that a test can choose the moment the application ends;</li>
 *   <li>{@code --end stop|exit|return}: how the application ends. {@code stop} (the default) reads every output
 *       back and calls {@code spark.stop()}. {@code exit} and {@code return} are the jobs that never call
 *       {@code spark.stop()}: right after the last write, {@code System.exit(0)} or returning from
 *       {@code main}, leaving the SparkContext to Spark's shutdown hook.</li>
 * </ul>
 * Prints {@code ScriptedWritesApp wrote <i>} after each write, {@link #WORKLOAD_PREFIX}{@code <ms>} (the wall time
 * from before the first query to after the last write), with {@code --end stop}, after reading every output back,
 * {@code ScriptedWritesApp done: <writes> outputs with <rows> rows each}, and last
 * {@link #ENDING_PREFIX}{@code <how> at epoch ms <t>}, the moment it starts to end.
 */
public final class ScriptedWritesApp {

    public static final String WROTE_PREFIX = "ScriptedWritesApp wrote ";
    public static final String WORKLOAD_PREFIX = "ScriptedWritesApp workload ms=";
    public static final String HANG_LINE = "ScriptedWritesApp hanging: all writes seen by the listeners";
    public static final String ENDING_PREFIX = "ScriptedWritesApp ending by ";
    /** Rows of the landing CSV that pass the filter, so rows of every output. */
    public static final int ROWS = 4;

    private static final long GATE_TIMEOUT_MINUTES = 5;

    private ScriptedWritesApp() {
    }

    public static void main(String[] args) throws IOException, InterruptedException, TimeoutException {
        Path work = Path.of(args[0]).toAbsolutePath();
        int writes = Integer.parseInt(args[1]);
        Path gate = null;
        long hangSeconds = 0;
        String end = "stop";
        Path endGate = null;
        long busyListenerMillis = 0;
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--gate" -> gate = Path.of(args[i + 1]).toAbsolutePath();
                case "--hang-seconds" -> hangSeconds = Long.parseLong(args[i + 1]);
                case "--end" -> end = args[i + 1];
                case "--end-gate" -> endGate = Path.of(args[i + 1]).toAbsolutePath();
                case "--busy-listener-ms" -> busyListenerMillis = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (!List.of("stop", "exit", "return").contains(end)) {
            throw new IllegalArgumentException("--end stop|exit|return, not " + end);
        }
        Path landing = landing(work);
        Files.createDirectories(landing);
        Files.write(landing.resolve("part-00000.csv"), List.of("order_id,amount", "10,25.0", "11,14.5", "12,99.9",
                "13,5.0", "14,0.0"), StandardCharsets.UTF_8);

        SparkSession spark = SparkSession.builder().appName("scripted-writes").getOrCreate();
        boolean stop = end.equals("stop");
        if (busyListenerMillis > 0) {
            spark.sparkContext().addSparkListener(new BusyListener(busyListenerMillis));
        }
        try {
            long start = System.nanoTime();
            for (int i = 1; i <= writes; i++) {
                if (gate != null) {
                    awaitFile(gate.resolve("write-" + i));
                }
                spark.read().option("header", "true").option("inferSchema", "true").csv(landing.toString())
                        .filter("amount > 0")
                        .write().mode(SaveMode.Overwrite).parquet(output(work, i).toString());
                System.out.println(WROTE_PREFIX + i);
            }
            long workloadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println(WORKLOAD_PREFIX + workloadMillis);
            if (hangSeconds > 0) {
                // Listener events are asynchronous: without this the test could kill the driver before the agent
                // even saw the writes, which proves nothing about what the agent keeps.
                spark.sparkContext().listenerBus().waitUntilEmpty();
                System.out.println(HANG_LINE);
                Thread.sleep(TimeUnit.SECONDS.toMillis(hangSeconds));
            }
            if (stop) {
                for (int i = 1; i <= writes; i++) {
                    long rows = spark.read().parquet(output(work, i).toString()).count();
                    if (rows != ROWS) {
                        throw new IllegalStateException(output(work, i) + " has " + rows + " rows, not " + ROWS);
                    }
                }
                System.out.println(doneLine(writes));
            }
            if (endGate != null) {
                awaitFile(endGate);
            }
            System.out.println(ENDING_PREFIX + end + " at epoch ms " + System.currentTimeMillis());
            System.out.flush();
            if (end.equals("exit")) {
                System.exit(0);
            }
        } finally {
            if (stop) {
                spark.stop();
            }
        }
    }

    /** Takes its time over every SQL execution end, on the listener queue it shares with the agent. */
    private static final class BusyListener extends SparkListener {
        private final long millis;

        BusyListener(long millis) {
            this.millis = millis;
        }

        @Override
        public void onOtherEvent(SparkListenerEvent event) {
            if (event instanceof SparkListenerSQLExecutionEnd) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    public static Path landing(Path work) {
        return work.toAbsolutePath().resolve("landing/orders");
    }

    public static Path output(Path work, int write) {
        return work.toAbsolutePath().resolve("out/batch-" + write);
    }

    public static String doneLine(int writes) {
        return "ScriptedWritesApp done: " + writes + " outputs with " + ROWS + " rows each";
    }

    /** Waits for a test to create {@code file} (a gate), at most a few minutes; other apps' gates use it too. */
    static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(GATE_TIMEOUT_MINUTES);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + file + " within " + GATE_TIMEOUT_MINUTES + " minutes");
            }
            Thread.sleep(100);
        }
    }
}
