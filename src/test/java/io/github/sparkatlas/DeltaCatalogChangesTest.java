package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.MessageSummary;
import io.github.sparkatlas.testsupport.RecordingSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DDL and DROP of Delta tables through Delta's catalog as the session catalog: Delta keeps a table's schema in its log
 * (the metastore entry has none) and changes only its log on ALTER (no catalog event), yet each change reaches the
 * sink with the table's columns. A real agent on a real in-JVM SparkSession with delta-spark.
 */
class DeltaCatalogChangesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path root;
  private static SparkSession spark;

  private RecordingSink sink;
  private LineagePipeline pipeline;
  private SparkAtlasListener listener;

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("delta-catalog-changes-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void startAgent() {
    sink = new RecordingSink();
    ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG, Redactor.defaults(), Long.MAX_VALUE, () -> { });
    pipeline = new LineagePipeline(100, () -> sink, new Naming("cl1"), Redactor.defaults(), errors);
    AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
        .load(Map.of());
    AtlasAgent agent = new AtlasAgent(config, new LineageCapture(10_000, 60_000), pipeline, errors, null);
    listener = new SparkAtlasListener(agent);
    spark.sparkContext().addSparkListener(listener);
  }

  @AfterEach
  void stopAgent() {
    spark.sparkContext().removeSparkListener(listener);
    pipeline.close(1_000);
  }

  private static void sql(String statement) {
    spark.sql(statement).collect();
  }

  /** Every message so far, summarised, each valid for Atlas. */
  private List<String> messages() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    assertTrue(pipeline.flush(10_000), "pipeline flushed");
    List<String> out = new ArrayList<>();
    for (OutboundMessage message : sink.accepted) {
      JsonNode body;
      try {
        body = JSON.readTree(message.body());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(body), () -> "valid for Atlas: " + body);
      String summary = MessageSummary.of(body);
      if (!summary.startsWith("process")) {
        assertEquals(false, message.replacesEarlier(), () -> "a catalog change is never superseded: " + summary);
        assertEquals(spark.sparkContext().applicationId() + "@cl1", message.key(),
            () -> "keyed like the application's process, to keep its order on Kafka: " + summary);
      }
      out.add(summary);
    }
    sink.accepted.clear();
    return out;
  }

  @Test
  void aDeltaTableCreatedWithoutAQueryIsDefinedWithTheColumnsAndPropertiesOfItsLog() {
    sql("CREATE TABLE dc_created (id BIGINT, reason STRING) USING delta TBLPROPERTIES ('team' = 'etl')");
    List<String> created = messages();
    assertEquals(List.of("define spark_table:default.dc_created@cl1 columns=[id bigint, reason string]"),
        withoutParameters(created));
    assertTrue(created.get(0).contains("\"team\":\"etl\""), () -> "its properties, from its log: " + created);
    sql("DROP TABLE dc_created");
    assertEquals(List.of("delete spark_table:default.dc_created@cl1, spark_storagedesc:default.dc_created@cl1_storage"),
        messages());
  }

  @Test
  void alteringADeltaTableDefinesItAgainThoughNoCatalogEventReportsIt() {
    sql("CREATE TABLE dc_altered (id BIGINT) USING delta");
    messages();
    sql("ALTER TABLE dc_altered ADD COLUMNS (amount DOUBLE)");
    sql("ALTER TABLE dc_altered SET TBLPROPERTIES ('team' = 'etl')");
    List<String> altered = messages();
    assertEquals(List.of(
        "define spark_table:default.dc_altered@cl1 columns=[id bigint, amount double]",
        "define spark_table:default.dc_altered@cl1 columns=[id bigint, amount double]"),
        withoutParameters(altered));
    assertTrue(altered.get(1).contains("\"team\":\"etl\""), altered::toString);
    sql("DROP TABLE dc_altered");
  }

  @Test
  void ddlOfADeltaTableKnownByPathSendsNothing() {
    String table = "delta.`" + root.resolve("by-path") + "`";
    sql("CREATE TABLE " + table + " (id BIGINT) USING delta");
    sql("ALTER TABLE " + table + " ADD COLUMNS (amount DOUBLE)");
    assertEquals(List.of(), messages(), "a table known by path has no catalog entry to define");
  }

  private static List<String> withoutParameters(List<String> summaries) {
    List<String> out = new ArrayList<>();
    for (String summary : summaries) {
      out.add(summary.replaceAll(" parameters=\\{[^}]*\\}", ""));
    }
    return out;
  }
}
