package io.github.sparkatlas.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeoutException;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The driver workload of {@link ListenerOverheadBenchmark}: rounds of writes that produce lineage (INSERT into a
 * parquet table and a Hive table, INSERT OVERWRITE of a join, CTAS, DataFrame writes to paths) mixed with reads and
 * joins that write nothing, on tiny data so that the driver, not the executors, dominates. Needs the Hive catalog.
 *
 * <p>Usage: {@code SqlWorkloadApp <work dir> <rounds>}. Prints {@code BENCH workload rounds=.. millis=..} (first query
 * to last write, before {@code spark.stop()}), Spark's own listener timers ({@link ListenerBusTimers}), the CPU time of
 * Spark's shared listener thread ({@link ListenerThreadCpu}) and, last, the CPU time the driver JVM used
 * ({@code BENCH cpu processMs=..}), per thread group ({@link ThreadCpu}).
 */
public final class SqlWorkloadApp {

    private SqlWorkloadApp() {
    }

    public static void main(String[] args) throws TimeoutException, IOException {
        Path work = Paths.get(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        SparkSession spark = SparkSession.builder().appName("sql-workload").getOrCreate();
        try {
            long start = System.nanoTime();
            setUp(spark);
            for (int round = 0; round < rounds; round++) {
                round(spark, work, round);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("BENCH workload rounds=" + rounds + " millis=" + millis);
            // The timers must have seen every event of the workload before they are read.
            spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
            ListenerBusTimers.print(System.out);
            ListenerThreadCpu.print(System.out, spark);
        } finally {
            spark.stop();
        }
        // After stop(): the agent's flush at application end is in, JVM start-up and Spark's own start too.
        System.out.println("BENCH cpu processMs=" + ((com.sun.management.OperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000);
        ThreadCpu.print(System.out);
    }

    static void setUp(SparkSession spark) {
        spark.sql("CREATE DATABASE IF NOT EXISTS bench");
        spark.sql("CREATE TABLE IF NOT EXISTS bench.events (id BIGINT, customer INT, amount DOUBLE, day STRING) "
                + "USING parquet");
        spark.sql("CREATE TABLE IF NOT EXISTS bench.hive_events (id BIGINT, customer INT, amount DOUBLE) "
                + "STORED AS PARQUET");
        spark.sql("CREATE TABLE IF NOT EXISTS bench.customer_day (customer INT, day STRING, total DOUBLE, n BIGINT) "
                + "USING parquet");
    }

    /**
     * Nine statements, six of them writes with lineage; Spark runs about twelve SQL executions for them (a CTAS's
     * nested insert among them, which the agent folds into the CTAS).
     */
    static void round(SparkSession spark, Path work, int round) {
        String customers = work.resolve("lake/customers-" + round % 4).toString();
        String exports = work.resolve("exports/day-" + round % 3).toString();
        Dataset<Row> batch = spark.range(round * 100L, round * 100L + 100, 1, 2)
                .selectExpr("id", "CAST(id % 17 AS INT) AS customer", "CAST(id * 1.5 AS DOUBLE) AS amount",
                        "CONCAT('2024-01-', LPAD(CAST(id % 28 + 1 AS STRING), 2, '0')) AS day");

        batch.selectExpr("customer", "CONCAT('customer ', customer) AS name").distinct()
                .write().mode(SaveMode.Overwrite).parquet(customers);
        batch.createOrReplaceTempView("batch");
        spark.sql("INSERT INTO bench.events SELECT id, customer, amount, day FROM batch");
        spark.sql("INSERT INTO bench.hive_events SELECT id, customer, amount FROM batch");
        spark.read().parquet(customers).createOrReplaceTempView("customers");
        spark.sql("SELECT c.name, COUNT(*) FROM bench.events e JOIN customers c ON e.customer = c.customer "
                + "GROUP BY c.name").collect();
        spark.sql("INSERT OVERWRITE TABLE bench.customer_day SELECT e.customer, e.day, SUM(e.amount), COUNT(*) "
                + "FROM bench.events e JOIN customers c ON e.customer = c.customer GROUP BY e.customer, e.day");
        spark.sql("SELECT COUNT(*), MAX(amount) FROM bench.hive_events").collect();
        spark.sql("DROP TABLE IF EXISTS bench.snapshot_" + round % 2);
        spark.sql("CREATE TABLE bench.snapshot_" + round % 2 + " USING parquet AS SELECT customer, SUM(amount) AS total "
                + "FROM bench.events GROUP BY customer");
        spark.table("bench.customer_day").where("n > 1").write().mode(SaveMode.Overwrite).json(exports);
    }
}
