package io.github.sparkatlas.e2e.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;

/**
 * A Structured Streaming application for the streaming lineage tests; it knows nothing of the agent. Three queries
 * over Kafka run at once:
 * <ol>
 *   <li>{@code subscribePattern} {@code events\..*} into a parquet file sink; while it runs, the test creates a new
 *       matching topic ({@code events.late}) and the query must read it;</li>
 *   <li>{@code subscribe orders} through {@code foreachBatch} into the catalog table {@code fb_orders};</li>
 *   <li>{@code subscribe orders} into the Kafka topic {@code orders.out}.</li>
 * </ol>
 * Then the first query is restarted from its checkpoint ({@code availableNow}); a continuous query copies
 * {@code orders} to {@code orders.cont} until the test has read the copy (file {@code <gate dir>/continuous-read});
 * a query over topic {@code audit} fails in its foreachBatch function before writing anything; last, a batch read
 * of {@code orders} is written in batch to the topic {@code orders.batch}.
 *
 * <p>Usage: {@code StreamingLineageApp <work dir> <bootstrap servers> <gate dir> <topic prefix>}: every topic
 * named above is read and written with the prefix (letters and {@code _} only), so that runs against the same
 * broker do not meet. Prints {@link #WAITING_LINE} once the three queries have read their first data, then waits
 * for the file {@code <gate dir>/late-topic}.
 */
public final class StreamingLineageApp {

    public static final String WAITING_LINE = "StreamingLineageApp waiting for the late topic";
    public static final String LATE_READ_LINE = "StreamingLineageApp read events.late";
    public static final String RESTARTED_PREFIX = "StreamingLineageApp restarted the pattern query, same id: ";
    public static final String CONTINUOUS_LINE = "StreamingLineageApp continuous query running";
    public static final String FAILED_LINE = "StreamingLineageApp the failing query failed as expected";
    public static final String DONE_PREFIX = "StreamingLineageApp done: ";
    /** A secret among the Kafka options, as a user would put a JAAS line there: it must appear in no message. */
    public static final String PLANTED_SECRET = "streaming-kafka-option-secret-31337";

    private static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(3);

    private StreamingLineageApp() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        String servers = args[1];
        Path gate = Path.of(args[2]).toAbsolutePath();
        String prefix = args[3];
        SparkSession spark = SparkSession.builder().appName("streaming-lineage").getOrCreate();
        try {
            spark.sql("CREATE TABLE fb_orders (value STRING) USING parquet");
            Path patternOut = work.resolve("pattern-out");
            Path patternCheckpoint = work.resolve("checkpoints/pattern");

            StreamingQuery pattern = patternQuery(spark, servers, prefix, patternCheckpoint)
                    .trigger(Trigger.ProcessingTime(500)).start(patternOut.toString());
            VoidFunction2<Dataset<Row>, Long> toTable = (batch, id) ->
                    batch.selectExpr("CAST(value AS STRING) AS value").write().mode("append").insertInto("fb_orders");
            StreamingQuery foreachBatch = kafka(spark, servers).option("subscribe", prefix + "orders").load()
                    .writeStream()
                    .option("checkpointLocation", work.resolve("checkpoints/foreach-batch").toString())
                    .trigger(Trigger.ProcessingTime(500)).foreachBatch(toTable).start();
            StreamingQuery toKafka = kafka(spark, servers).option("subscribe", prefix + "orders").load()
                    .selectExpr("key", "value").writeStream().format("kafka")
                    .option("kafka.bootstrap.servers", servers)
                    .option("kafka.sasl.jaas.config", jaas())
                    .option("topic", prefix + "orders.out")
                    .option("checkpointLocation", work.resolve("checkpoints/to-kafka").toString())
                    .trigger(Trigger.ProcessingTime(500)).start();
            for (StreamingQuery query : new StreamingQuery[] {pattern, foreachBatch, toKafka}) {
                awaitRows(query);
            }
            System.out.println(WAITING_LINE);
            System.out.flush();
            awaitFile(gate.resolve("late-topic"));
            awaitTopic(pattern, prefix + "events.late");
            System.out.println(LATE_READ_LINE);
            foreachBatch.processAllAvailable();
            toKafka.processAllAvailable();
            for (StreamingQuery query : new StreamingQuery[] {pattern, foreachBatch, toKafka}) {
                query.stop();
            }

            StreamingQuery restarted = patternQuery(spark, servers, prefix, patternCheckpoint)
                    .trigger(Trigger.AvailableNow()).start(patternOut.toString());
            restarted.awaitTermination();
            System.out.println(RESTARTED_PREFIX + restarted.id().equals(pattern.id()));

            StreamingQuery continuous = kafka(spark, servers).option("subscribe", prefix + "orders").load()
                    .selectExpr("key", "value").writeStream().format("kafka")
                    .option("kafka.bootstrap.servers", servers)
                    .option("topic", prefix + "orders.cont")
                    .option("checkpointLocation", work.resolve("checkpoints/continuous").toString())
                    .trigger(Trigger.Continuous(500)).start();
            System.out.println(CONTINUOUS_LINE);
            System.out.flush();
            awaitFile(gate.resolve("continuous-read"));
            continuous.stop();

            VoidFunction2<Dataset<Row>, Long> fail = (batch, id) -> {
                throw new IllegalStateException("the job's own function fails");
            };
            StreamingQuery failing = kafka(spark, servers).option("subscribe", prefix + "audit").load().writeStream()
                    .option("checkpointLocation", work.resolve("checkpoints/failing").toString())
                    .foreachBatch(fail).start();
            try {
                failing.awaitTermination();
                throw new IllegalStateException("the failing query ended without failing");
            } catch (StreamingQueryException expected) {
                System.out.println(FAILED_LINE);
            }

            // A batch Kafka read and write in the same application: the topic the queries read, copied to another.
            spark.read().format("kafka")
                    .option("kafka.bootstrap.servers", servers)
                    .option("kafka.sasl.jaas.config", jaas())
                    .option("subscribe", prefix + "orders").load()
                    .selectExpr("key", "value").write().format("kafka")
                    .option("kafka.bootstrap.servers", servers)
                    .option("kafka.sasl.jaas.config", jaas())
                    .option("topic", prefix + "orders.batch").save();

            long files = spark.read().parquet(patternOut.toString()).count();
            long table = spark.table("fb_orders").count();
            System.out.println(DONE_PREFIX + "pattern-out rows=" + files + ", fb_orders rows=" + table);
        } finally {
            spark.stop();
        }
    }

    private static org.apache.spark.sql.streaming.DataStreamWriter<Row> patternQuery(SparkSession spark,
            String servers, String prefix, Path checkpoint) {
        return kafka(spark, servers).option("subscribePattern", prefix + "events\\..*").load()
                .selectExpr("CAST(value AS STRING) AS value", "topic").writeStream().format("parquet")
                .option("checkpointLocation", checkpoint.toString());
    }

    private static org.apache.spark.sql.streaming.DataStreamReader kafka(SparkSession spark, String servers) {
        return spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", servers)
                .option("kafka.sasl.jaas.config", jaas())
                .option("kafka.metadata.max.age.ms", "1000")
                .option("startingOffsets", "earliest");
    }

    /** Ignored over the plaintext listener the job uses; there only to be kept out of every message. */
    private static String jaas() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"job\" password=\""
                + PLANTED_SECRET + "\";";
    }

    private static void awaitRows(StreamingQuery query) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            for (StreamingQueryProgress progress : query.recentProgress()) {
                if (progress.numInputRows() > 0) {
                    return;
                }
            }
            if (query.exception().isDefined()) {
                throw query.exception().get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("query " + query.id() + " read no rows");
    }

    private static void awaitTopic(StreamingQuery query, String topic) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            for (StreamingQueryProgress progress : query.recentProgress()) {
                for (SourceProgress source : progress.sources()) {
                    if (source.endOffset() != null && source.endOffset().contains("\"" + topic + "\"")
                            && progress.numInputRows() > 0) {
                        return;
                    }
                }
            }
            if (query.exception().isDefined()) {
                throw query.exception().get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("query " + query.id() + " never read topic " + topic);
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!Files.exists(file)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no " + file + " within the timeout");
            }
            Thread.sleep(100);
        }
    }
}
