package io.github.sparkatlas.e2e.apps;

import java.nio.file.Path;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Batch Kafka reads and writes with spark-sql-kafka, as a user writes them: a subscribe read and a subscribePattern
 * read written to Parquet, a subscribe read written to a Kafka topic named by the {@code topic} option, and one
 * written with a literal {@code topic} column; then the same through DSv2 (kafka taken off
 * {@code spark.sql.sources.useV1SourceList}); then two writes whose topics the plan does not tell: a pattern read
 * written to Kafka (its scan runs inside the command) and a write whose {@code topic} column depends on the data. Every Kafka source and sink carries a JAAS configuration and a
 * truststore password (planted: the data goes over the broker's plaintext listener, which uses neither).
 *
 * <p>Usage: {@code KafkaBatchApp <read servers> <write servers> <output dir> [<gate dir>]}: the two server lists may
 * name the same broker differently, which the agent names as two clusters. With a gate directory, the job waits
 * after the first V1 Kafka write and the DSv2 subscribe and pattern writes (writes 3, 5 and 6) until a test creates
 * {@code <gate dir>/after-write-<i>}, so that the test can take their states off the topic before a newer state of
 * the process could supersede them.
 */
public final class KafkaBatchApp {
    public static final String EU_TOPIC = "Orders.EU";
    public static final String US_TOPIC = "orders.us";
    /** Matches orders.us and not Orders.EU (Kafka matches patterns case-sensitively). */
    public static final String PATTERN = "orders\\..*";
    /** Read only by the DSv2 pattern read. */
    public static final String APAC_TOPIC = "refunds.apac";
    public static final String V2_PATTERN = "refunds\\..*";
    public static final String AUDIT_TOPIC = "Audit";
    public static final String ENRICHED_TOPIC = "enriched";
    public static final String V2_AUDIT_TOPIC = "audit.v2";
    public static final String JAAS_PASSWORD = "SECRET_KAFKA_JAAS_x7Qm2Lp9";
    public static final String TRUSTSTORE_PASSWORD = "SECRET_KAFKA_TRUST_r4Vn8Kc1";
    public static final String DONE_LINE = "KafkaBatchApp done: ";

    private KafkaBatchApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        String readServers = args[0];
        String writeServers = args[1];
        String out = args[2];
        Path gates = args.length > 3 ? Path.of(args[3]).toAbsolutePath() : null;
        SparkSession spark = SparkSession.builder().appName("kafka-batch").getOrCreate();

        read(spark, readServers).option("subscribe", EU_TOPIC).load()
                .selectExpr("CAST(value AS STRING) AS value").write().parquet(out + "/eu");
        read(spark, readServers).option("subscribePattern", PATTERN).load()
                .selectExpr("topic", "CAST(value AS STRING) AS value").write().parquet(out + "/pattern");
        write(read(spark, readServers).option("subscribe", EU_TOPIC).load().selectExpr("key", "value"),
                writeServers).option("topic", AUDIT_TOPIC).save();
        pass(gates, 3);
        write(read(spark, readServers).option("subscribe", US_TOPIC).load()
                .select(functions.col("value"), functions.lit(ENRICHED_TOPIC).as("topic")), writeServers).save();

        spark.conf().set("spark.sql.sources.useV1SourceList", "avro,csv,json,orc,parquet,text");
        read(spark, readServers).option("subscribe", EU_TOPIC).load()
                .selectExpr("CAST(value AS STRING) AS value").write().parquet(out + "/eu_v2");
        pass(gates, 5);
        read(spark, readServers).option("subscribePattern", V2_PATTERN).load()
                .selectExpr("topic", "CAST(value AS STRING) AS value").write().parquet(out + "/pattern_v2");
        pass(gates, 6);
        // Append: with the default mode Spark falls back to the V1 sink.
        write(read(spark, readServers).option("subscribe", EU_TOPIC).load().selectExpr("key", "value"),
                writeServers).option("topic", V2_AUDIT_TOPIC).mode("append").save();
        spark.conf().unset("spark.sql.sources.useV1SourceList");

        write(read(spark, readServers).option("subscribePattern", PATTERN).load().selectExpr("key", "value"),
                writeServers).option("topic", AUDIT_TOPIC).save();
        write(read(spark, readServers).option("subscribe", US_TOPIC).load().selectExpr("value",
                "CASE WHEN partition >= 0 THEN '" + ENRICHED_TOPIC + "' ELSE '" + AUDIT_TOPIC + "' END AS topic"),
                writeServers).save();

        long eu = spark.read().parquet(out + "/eu").count();
        long pattern = spark.read().parquet(out + "/pattern").count();
        System.out.println(DONE_LINE + eu + " EU records, " + pattern + " records matched the pattern");
        spark.stop();
    }

    private static void pass(Path gates, int write) throws InterruptedException {
        if (gates != null) {
            ScriptedWritesApp.awaitFile(gates.resolve("after-write-" + write));
        }
    }

    private static DataFrameReader read(SparkSession spark, String servers) {
        return spark.read().format("kafka").option("kafka.bootstrap.servers", servers)
                .option("kafka.sasl.jaas.config", jaas())
                .option("kafka.ssl.truststore.password", TRUSTSTORE_PASSWORD)
                .option("startingOffsets", "earliest").option("endingOffsets", "latest");
    }

    private static DataFrameWriter<Row> write(Dataset<Row> rows, String servers) {
        return rows.write().format("kafka").option("kafka.bootstrap.servers", servers)
                .option("kafka.sasl.jaas.config", jaas())
                .option("kafka.ssl.truststore.password", TRUSTSTORE_PASSWORD);
    }

    private static String jaas() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"etl\" password=\""
                + JAAS_PASSWORD + "\";";
    }
}
