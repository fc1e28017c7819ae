package io.github.sparkatlas.e2e.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A plain Spark application for the delivery tests; it knows nothing of the agent. It makes a number of small
 * writes, each reading one landing CSV and writing a parquet directory of its own, so every write is one SQL
 * execution with an output no other write has.
 *
 * <p>Usage: {@code ScriptedWritesApp <work dir> <writes> [--gate <dir>] [--hang-seconds <n>]}
 * <ul>
 *   <li>{@code --gate <dir>}: before write i, wait for the file {@code <dir>/write-<i>}, so that a test can do
 *       something (stop the broker) between two writes;</li>
 *   <li>{@code --hang-seconds <n>}: after the writes, once Spark's listeners have seen them all, print
 *       {@link #HANG_LINE} and sleep, so that a test can kill the driver while it still runs.</li>
 * </ul>
 * Prints {@code ScriptedWritesApp wrote <i>} after each write, {@link #WORKLOAD_PREFIX}{@code <ms>} (the wall time
 * from before the first query to after the last write) and, after reading every output back,
 * {@code ScriptedWritesApp done: <writes> outputs with <rows> rows each}.
 */
public final class ScriptedWritesApp {

    public static final String WROTE_PREFIX = "ScriptedWritesApp wrote ";
    public static final String WORKLOAD_PREFIX = "ScriptedWritesApp workload ms=";
    public static final String HANG_LINE = "ScriptedWritesApp hanging: all writes seen by the listeners";
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
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--gate" -> gate = Path.of(args[i + 1]).toAbsolutePath();
                case "--hang-seconds" -> hangSeconds = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path landing = landing(work);
        Files.createDirectories(landing);
        Files.write(landing.resolve("part-00000.csv"), List.of("order_id,amount", "10,25.0", "11,14.5", "12,99.9",
                "13,5.0", "14,0.0"), StandardCharsets.UTF_8);

        SparkSession spark = SparkSession.builder().appName("scripted-writes").getOrCreate();
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
            for (int i = 1; i <= writes; i++) {
                long rows = spark.read().parquet(output(work, i).toString()).count();
                if (rows != ROWS) {
                    throw new IllegalStateException(output(work, i) + " has " + rows + " rows, not " + ROWS);
                }
            }
            System.out.println("ScriptedWritesApp done: " + writes + " outputs with " + ROWS + " rows each");
        } finally {
            spark.stop();
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

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(GATE_TIMEOUT_MINUTES);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + file + " within " + GATE_TIMEOUT_MINUTES + " minutes");
            }
            Thread.sleep(100);
        }
    }
}
