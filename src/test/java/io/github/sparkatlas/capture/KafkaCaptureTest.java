package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.redact.Redactor;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.AppendData;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.kafka010.KafkaSourceProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * Batch Kafka reads and writes as the capture sees them, with spark-sql-kafka in the test JVM and no broker: the
 * plans are built and analyzed but not run (a Kafka read plans its offsets against the brokers only when it runs;
 * the end-to-end test runs them against a real broker).
 */
class KafkaCaptureTest {
  private static final String SERVERS = "Broker1:9092,broker2:9092";
  private static final String CLUSTER = "broker1:9092,broker2:9092";
  private static final String JAAS_SECRET = "jaas-Pa55word-in-options";
  private static final String TRUSTSTORE_SECRET = "truststore-Pa55word-in-options";
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[1]").appName("kafka-capture-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir",
            Paths.get(System.getProperty("build.dir", "target"), "unit-spark-kafka").toAbsolutePath().toString())
        .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @AfterEach
  void kafkaBackToV1() {
    spark.conf().unset("spark.sql.sources.useV1SourceList");
  }

  private static org.apache.spark.sql.DataFrameReader kafka() {
    return spark.read().format("kafka").option("kafka.bootstrap.servers", SERVERS)
        .option("kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"app\" password=\"" + JAAS_SECRET + "\";")
        .option("kafka.ssl.truststore.password", TRUSTSTORE_SECRET);
  }

  private static Map<String, String> sinkOptions(String topic) {
    Map<String, String> options = new HashMap<>();
    options.put("kafka.bootstrap.servers", "broker9:9093");
    options.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"app\" password=\"" + JAAS_SECRET + "\";");
    options.put("kafka.ssl.truststore.password", TRUSTSTORE_SECRET);
    if (topic != null) {
      options.put("topic", topic);
    }
    return options;
  }

  private static scala.collection.immutable.Map<String, String> scalaMap(Map<String, String> map) {
    return JavaConverters.mapAsScalaMapConverter(map).asScala().toMap(scala.Predef.<scala.Tuple2<String, String>>$conforms());
  }

  /** {@code df.write.format("kafka").options(options).save()} as Spark plans it with kafka a V1 source. */
  private static LogicalPlan saveToKafka(org.apache.spark.sql.Dataset<Row> data, Map<String, String> options) {
    return new SaveIntoDataSourceCommand(data.queryExecution().analyzed(), new KafkaSourceProvider(),
        scalaMap(options), SaveMode.Append);
  }

  private static LineageCapture.Result capture(LogicalPlan plan) {
    Object queryExecution = spark.sessionState().executePlan(plan, CommandExecutionMode.SKIP());
    return new LineageCapture(100_000, 60_000).capture(queryExecution, 7L);
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  private static void assertLineage(LineageCapture.Result result, List<String> inputs, List<String> outputs) {
    QueryLineage lineage = result.lineage();
    assertTrue(lineage != null, "no lineage; unknown nodes " + result.unknownNodes() + ", gaps " + result.gaps());
    assertEquals(inputs, keys(lineage.inputs()), "inputs");
    assertEquals(outputs, keys(lineage.outputs()), "outputs");
    assertTrue(result.unknownNodes().isEmpty(), "unknown nodes: " + result.unknownNodes());
  }

  @Test
  void subscribedTopicsAreTheInputsAndTheTopicOptionTheOutput() {
    org.apache.spark.sql.Dataset<Row> read = kafka().option("subscribe", "Orders, payments").load();
    LineageCapture.Result result = capture(saveToKafka(read.selectExpr("key", "value"), sinkOptions("Audit")));
    assertLineage(result, List.of("topic:" + CLUSTER + "/Orders", "topic:" + CLUSTER + "/payments"),
        List.of("topic:broker9:9093/Audit"));
    assertTrue(result.gaps().isEmpty(), "gaps: " + result.gaps());
  }

  @Test
  void assignedTopicsAreTheInputs() {
    org.apache.spark.sql.Dataset<Row> read = kafka().option("assign", "{\"Orders\":[0,1],\"refunds\":[2]}").load();
    assertLineage(capture(saveToKafka(read, sinkOptions("audit"))),
        List.of("topic:" + CLUSTER + "/Orders", "topic:" + CLUSTER + "/refunds"), List.of("topic:broker9:9093/audit"));
  }

  @Test
  void aPatternWhoseScanThePlanDoesNotHoldIsReportedNotGuessed() {
    org.apache.spark.sql.Dataset<Row> read = kafka().option("subscribePattern", "orders.*").load();
    LineageCapture.Result result = capture(saveToKafka(read, sinkOptions("audit")));
    assertLineage(result, List.of(), List.of("topic:broker9:9093/audit"));
    assertTrue(result.gaps().containsKey("kafka-pattern"), "gaps: " + result.gaps());
    assertFalse(result.gaps().get("kafka-pattern").contains("orders"), "the pattern is not repeated in the log");
  }

  @Test
  void aDataSourceV2KafkaReadIsItsTopicsNotATableNamedKafkaTable() {
    spark.conf().set("spark.sql.sources.useV1SourceList", "avro,csv,json,orc,parquet,text");
    LogicalPlan read = kafka().option("subscribe", "orders").load().queryExecution().analyzed();
    assertEquals("DataSourceV2Relation", read.getClass().getSimpleName(), read.treeString());
    LineageCapture.Result result = capture(saveToKafka(kafka().option("subscribe", "orders").load(),
        sinkOptions("audit")));
    assertLineage(result, List.of("topic:" + CLUSTER + "/orders"), List.of("topic:broker9:9093/audit"));
  }

  @Test
  void aDataSourceV2KafkaWriteIsItsTopicNotATableNamedKafkaTable() {
    spark.conf().set("spark.sql.sources.useV1SourceList", "avro,csv,json,orc,parquet,text");
    DataSourceV2Relation sink = (DataSourceV2Relation) spark.read().format("kafka")
        .option("kafka.bootstrap.servers", "broker9:9093").option("subscribe", "ignored").load()
        .queryExecution().analyzed();
    org.apache.spark.sql.Dataset<Row> read = kafka().option("subscribe", "orders").load().selectExpr("value");
    LogicalPlan append = AppendData.byName(sink, read.queryExecution().analyzed(),
        scalaMap(Map.of("topic", "Audit")));
    assertLineage(capture(append), List.of("topic:" + CLUSTER + "/orders"), List.of("topic:broker9:9093/Audit"));
  }

  @Test
  void aLiteralTopicColumnNamesTheOutputTopic() {
    org.apache.spark.sql.Dataset<Row> rows = kafka().option("subscribe", "orders").load()
        .select(functions.col("value"), functions.lit("Enriched").as("topic"));
    assertLineage(capture(saveToKafka(rows, sinkOptions(null))), List.of("topic:" + CLUSTER + "/orders"),
        List.of("topic:broker9:9093/Enriched"));
  }

  @Test
  void theTopicOptionOverridesATopicColumn() {
    org.apache.spark.sql.Dataset<Row> rows = kafka().option("subscribe", "orders").load()
        .select(functions.col("value"), functions.lit("Enriched").as("topic"));
    assertLineage(capture(saveToKafka(rows, sinkOptions("fromOption"))), List.of("topic:" + CLUSTER + "/orders"),
        List.of("topic:broker9:9093/fromOption"));
  }

  @Test
  void topicsTakenFromTheDataAreReportedAndLeftOut() {
    org.apache.spark.sql.Dataset<Row> rows = kafka().option("subscribe", "orders").load()
        .selectExpr("value", "concat('out-', topic) AS topic");
    LineageCapture.Result result = capture(saveToKafka(rows, sinkOptions(null)));
    assertNull(result.lineage(), "no output topic is known, so nothing is written");
    assertTrue(result.gaps().containsKey("kafka-topic-column"), "gaps: " + result.gaps());
    assertTrue(result.unknownNodes().isEmpty(), "unknown nodes: " + result.unknownNodes());
  }

  @Test
  void credentialsInKafkaOptionsAreMaskedInThePlanText() {
    org.apache.spark.sql.Dataset<Row> read = kafka().option("subscribe", "orders").load();
    QueryLineage lineage = capture(saveToKafka(read, sinkOptions("audit"))).lineage();
    PlanTextSource.Rendering rendering = lineage.planTextSource().render(1_000_000, System.nanoTime() + 60_000_000_000L);
    String raw = rendering.text();
    assertTrue(raw.contains("SaveIntoDataSourceCommand"), raw);
    String redacted = Redactor.defaults().redact(raw);
    assertFalse(redacted.contains(JAAS_SECRET), redacted);
    assertFalse(redacted.contains(TRUSTSTORE_SECRET), redacted);
    assertTrue(redacted.contains("topic -> audit") && redacted.contains("broker9:9093"),
        "the other options stay readable: " + redacted);
  }
}
