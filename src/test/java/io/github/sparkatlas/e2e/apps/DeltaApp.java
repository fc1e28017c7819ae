package io.github.sparkatlas.e2e.apps;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A Delta Lake job for the Delta lineage test; it knows nothing of the agent. It writes and reads Delta tables by path
 * and by name through Delta's catalog, with the DataFrame API and SQL: save, overwrite, saveAsTable (create and
 * replace), INSERT, CTAS, RTAS, MERGE, UPDATE, DELETE, then two {@code availableNow} streaming queries from one Delta
 * table to another, and last DDL and DROP through Delta's catalog ({@link #DDL}) with one more write after the DROP.
 * Each operation reads and writes another set of datasets than the others, so that each is a
 * process of its own with {@code atlas.spark.process.granularity=query}; {@link #OPERATIONS} lists them, with what
 * each reads and writes, for the test.
 *
 * <p>Usage: {@code DeltaApp <lake dir>}: the tables known by path live there ({@code events}, {@code big_orders},
 * {@code events_stream}); the tables known by name ({@code orders}, {@code customers}, {@code order_totals},
 * {@code orders_copy}) in the warehouse. The unit tests of the capture (DeltaCaptureTest) cover more forms of each
 * operation; this job keeps one of each, to stay short. Prints {@link #OPERATION_PREFIX}{@code <n>} after operation n and
 * {@link #DONE_LINE} at the end.
 */
public final class DeltaApp {
    public static final String OPERATION_PREFIX = "DeltaApp operation done: ";
    public static final String DONE_LINE = "DeltaApp done";

    /**
     * The batch operations in the order the job runs them: a name, what it reads and what it writes, each dataset as
     * {@code path:<name under the lake dir>} or {@code table:<name in the default database>}.
     */
    public static final List<Operation> OPERATIONS = List.of(
            new Operation("save by path", List.of(), List.of("path:events")),
            new Operation("CTAS", List.of(), List.of("table:orders")),
            new Operation("saveAsTable (create)", List.of("path:events"), List.of("table:customers")),
            new Operation("saveAsTable overwrite (replace)", List.of("table:orders"), List.of("table:customers")),
            new Operation("save overwrite by path", List.of("table:customers"), List.of("path:events")),
            new Operation("INSERT INTO by name", List.of("path:events"), List.of("table:orders")),
            new Operation("CREATE OR REPLACE TABLE AS SELECT", List.of("table:customers", "table:orders"),
                    List.of("table:order_totals")),
            new Operation("CTAS by path", List.of("table:orders"), List.of("path:big_orders")),
            new Operation("MERGE INTO by name", List.of("path:events", "table:customers"), List.of("table:customers")),
            new Operation("UPDATE by name", List.of("table:orders"), List.of("table:orders")),
            new Operation("DELETE by path", List.of("path:events"), List.of("path:events")),
            new Operation("empty CTAS for the stream", List.of("table:order_totals"), List.of("table:orders_copy")));

    /** The streaming queries, after the batch operations: a Delta source and a Delta sink each. */
    public static final List<Operation> STREAMS = List.of(
            new Operation("stream by path", List.of("path:events"), List.of("path:events_stream")),
            new Operation("stream by name", List.of("table:order_totals"), List.of("table:orders_copy")));

    /**
     * DDL and DROP after the streams, through Delta's catalog on {@code spark_catalog}: each a catalog change of its
     * own. Then {@link #AFTER_DROP}, a write that must not bring the dropped table back.
     */
    public static final List<String> DDL = List.of(
            "CREATE TABLE returns (id BIGINT, reason STRING) USING delta",
            "ALTER TABLE returns ADD COLUMNS (amount DOUBLE)",
            "DROP TABLE customers");

    /** The last batch operation, after {@link #DDL}. */
    public static final Operation AFTER_DROP = new Operation("INSERT INTO the table CREATE TABLE made, after the DROP",
            List.of("table:orders"), List.of("table:returns"));

    /** One operation of the job: what it reads and writes. */
    public record Operation(String name, List<String> reads, List<String> writes) {
    }

    private DeltaApp() {
    }

    public static void main(String[] args) throws Exception {
        Path lake = Path.of(args[0]).toAbsolutePath();
        String events = lake.resolve("events").toString();
        String bigOrders = lake.resolve("big_orders").toString();
        SparkSession spark = SparkSession.builder().appName("delta-lineage").getOrCreate();
        int done = 0;

        spark.range(6).selectExpr("id", "concat('e', id) AS name").write().format("delta").save(events);
        announce(++done);
        sql(spark, "CREATE TABLE orders USING delta AS SELECT id AS order_id, id % 3 AS customer_id,"
                + " id * 10 AS amount FROM range(6)");
        announce(++done);
        spark.read().format("delta").load(events).write().format("delta").saveAsTable("customers");
        announce(++done);
        spark.table("orders").selectExpr("customer_id AS id", "concat('c', customer_id) AS name").distinct()
                .write().format("delta").mode("overwrite").saveAsTable("customers");
        announce(++done);
        spark.table("customers").write().format("delta").mode("overwrite").save(events);
        announce(++done);
        sql(spark, "INSERT INTO orders SELECT id + 100, id, 5 FROM delta.`" + events + "`");
        announce(++done);
        sql(spark, "CREATE OR REPLACE TABLE order_totals USING delta AS SELECT c.id, c.name, sum(o.amount) AS total"
                + " FROM customers c JOIN orders o ON c.id = o.customer_id GROUP BY c.id, c.name");
        announce(++done);
        sql(spark, "CREATE TABLE delta.`" + bigOrders + "` USING delta AS SELECT customer_id AS id, amount AS total"
                + " FROM orders WHERE amount > 20");
        announce(++done);
        sql(spark, "MERGE INTO customers t USING (SELECT id, concat('m', id) AS name FROM delta.`" + events + "`) s"
                + " ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name WHEN NOT MATCHED THEN INSERT *");
        announce(++done);
        sql(spark, "UPDATE orders SET amount = amount + 1 WHERE customer_id = 1");
        announce(++done);
        sql(spark, "DELETE FROM delta.`" + events + "` WHERE id = 0");
        announce(++done);
        sql(spark, "CREATE TABLE orders_copy USING delta AS SELECT * FROM order_totals WHERE 1 = 0");
        announce(++done);

        StreamingQuery byPath = spark.readStream().format("delta").load(events).writeStream().format("delta")
                .option("checkpointLocation", lake.resolve("checkpoints/by_path").toString())
                .trigger(Trigger.AvailableNow()).start(lake.resolve("events_stream").toString());
        byPath.awaitTermination();
        StreamingQuery byName = spark.readStream().table("order_totals").writeStream().format("delta")
                .option("checkpointLocation", lake.resolve("checkpoints/by_name").toString())
                .trigger(Trigger.AvailableNow()).toTable("orders_copy");
        byName.awaitTermination();
        long streamed = spark.table("orders_copy").count();
        for (String statement : DDL) {
            sql(spark, statement);
        }
        sql(spark, "INSERT INTO returns SELECT order_id, 'late', amount FROM orders WHERE customer_id = 2");
        System.out.println(DONE_LINE + ": " + streamed + " rows streamed by name");
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.stop();
    }

    private static void sql(SparkSession spark, String statement) {
        spark.sql(statement).collect();
    }

    private static void announce(int operation) {
        System.out.println(OPERATION_PREFIX + operation);
    }
}
