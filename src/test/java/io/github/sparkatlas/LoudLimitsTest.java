package io.github.sparkatlas;

import io.github.sparkatlas.testsupport.RecordingSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.LogCapture;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every limit the agent meets, and every command it cannot capture, is said once at WARN and counted in the
 * summary line: nothing goes missing silently. A real agent (capture, pipeline, reporter) on a real in-JVM
 * SparkSession, with a sink that keeps what it is given.
 */
class LoudLimitsTest {
  private static Path root;
  private static SparkSession spark;

  private final List<Runnable> cleanups = new ArrayList<>();

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("loud-limits-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .getOrCreate();
    spark.range(3).selectExpr("id", "CAST(id AS STRING) AS name").write().saveAsTable("source");
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @AfterEach
  void cleanUp() {
    cleanups.forEach(Runnable::run);
  }

  /** An agent of its own, logging through the agent's logger, listening to the test's SparkContext. */
  private final class TestAgent {
    final RecordingSink sink = new RecordingSink();
    final ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG, Redactor.defaults(), Long.MAX_VALUE, () -> { });
    final LineagePipeline pipeline = new LineagePipeline(100, () -> sink, new Naming("cl1"), Redactor.defaults(),
        errors);
    final AtlasAgent agent;

    TestAgent(long captureBudgetMillis) {
      AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
          .load(Map.of("spark.atlas.spark.shutdown.flush.timeout.ms", "10000"));
      agent = new AtlasAgent(config, new LineageCapture(10_000, captureBudgetMillis), pipeline, errors, null);
      SparkAtlasListener listener = new SparkAtlasListener(agent);
      spark.sparkContext().addSparkListener(listener);
      cleanups.add(() -> {
        spark.sparkContext().removeSparkListener(listener);
        pipeline.close(1_000);
      });
    }

    /** The summary line application end logs. */
    String summary(LogCapture log) {
      agent.onApplicationEnd();
      return log.at("INFO").stream().map(line -> line.message)
          .filter(message -> message.startsWith("spark-atlas-agent summary at application end"))
          .reduce((first, second) -> second)
          .orElseThrow(() -> new AssertionError("no summary: " + log.lines()));
    }
  }

  private static void sql(String statement) {
    spark.sql(statement).collect();
  }

  private static void drainBus() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
  }

  private static List<String> warnings(LogCapture log, String containing) {
    return log.at("WARN").stream().map(line -> line.message).filter(message -> message.contains(containing))
        .collect(Collectors.toList());
  }

  @Test
  void aCommandTheAgentDoesNotCaptureIsSaidOncePerNodeClassAndOnesThatWriteNoDatasetAreNot() {
    TestAgent test = new TestAgent(60_000);
    try (LogCapture log = LogCapture.of(AtlasAgent.class)) {
      sql("CREATE TABLE ddl_one (a INT) USING parquet");
      sql("CREATE TABLE ddl_two (a INT, p INT) USING parquet PARTITIONED BY (p)");
      sql("TRUNCATE TABLE ddl_one");
      sql("TRUNCATE TABLE ddl_one");
      sql("ALTER TABLE ddl_two ADD PARTITION (p = 1)");
      // DDL and DROP are sent as catalog changes: no warning.
      sql("ALTER TABLE ddl_one SET TBLPROPERTIES ('owner.team' = 'etl')");
      sql("ALTER TABLE ddl_one RENAME TO ddl_three");
      sql("CREATE DATABASE IF NOT EXISTS ddl_db");
      sql("DROP TABLE ddl_three");
      sql("DROP TABLE ddl_two");
      sql("DROP TABLE IF EXISTS ddl_absent");
      sql("DROP DATABASE ddl_db CASCADE");
      // By nature these write no dataset, and plain queries write nothing: no warning for any of them.
      sql("SET spark.sql.shuffle.partitions=1");
      sql("SHOW TABLES");
      sql("SHOW DATABASES");
      sql("DESCRIBE TABLE source");
      sql("EXPLAIN SELECT * FROM source");
      sql("USE default");
      sql("CACHE TABLE source");
      sql("UNCACHE TABLE source");
      sql("CLEAR CACHE");
      sql("REFRESH TABLE source");
      sql("ANALYZE TABLE source COMPUTE STATISTICS");
      sql("CREATE TEMPORARY VIEW temporary_source AS SELECT * FROM source");
      sql("DROP VIEW temporary_source");
      spark.table("source").count();
      spark.table("source").collect();
      drainBus();

      List<String> warned = warnings(log, "does not capture command");
      assertEquals(2, warned.size(), "one warning per command class: " + warned);
      for (String command : new String[] {"TruncateTableCommand", "AlterTableAddPartitionCommand"}) {
        assertEquals(1, warned.stream().filter(w -> w.contains("." + command + " ")).count(),
            command + " in " + warned);
      }
      assertEquals(Collections.emptyList(), warnings(log, "does not know plan node"));
    }
  }

  @Test
  void reachingTheDatasetLimitIsSaidOnceAtWarnAndCountedInTheSummary() {
    TestAgent test = new TestAgent(60_000);
    String app = spark.sparkContext().applicationId();
    try (LogCapture log = LogCapture.of(AtlasAgent.class)) {
      List<Dataset> many = new ArrayList<>();
      for (int i = 0; i < ApplicationLineage.MAX_DATASETS_PER_SIDE + 3; i++) {
        many.add(PathDataset.of(URI.create("file:/lake/day-" + i)));
      }
      test.pipeline.submit(new QueryLineage(app, "limits", 1, "InsertIntoHadoopFsRelationCommand", "u", 0L,
          Collections.emptyList(), many, null));
      test.pipeline.submit(new QueryLineage(app, "limits", 2, "InsertIntoHadoopFsRelationCommand", "u", 0L,
          Collections.emptyList(), List.of(PathDataset.of(URI.create("file:/lake/more-1")),
          PathDataset.of(URI.create("file:/lake/more-2"))), null));

      String summary = test.summary(log);

      List<String> warned = warnings(log, "datasets on one side");
      assertEquals(1, warned.size(), "said once: " + log.lines());
      assertTrue(warned.get(0).contains(app) && warned.get(0).contains(
          Integer.toString(ApplicationLineage.MAX_DATASETS_PER_SIDE)), warned.get(0));
      assertTrue(summary.contains("datasets over limit=5,"), summary);
      // The second write adds only datasets over the limit: nothing its application's message says changes.
      assertEquals(1, test.sink.accepted.size(), "the first write is reported, the second is not news");
    }
  }

  @Test
  void aCaptureThatRunsOutOfTimeIsSaidOnceAndCountedInTheSummary() {
    // 0 ms: spent before the first input is read, every time.
    TestAgent test = new TestAgent(0);
    try (LogCapture log = LogCapture.of(AtlasAgent.class)) {
      spark.table("source").write().parquet(root.resolve("out-partial-1").toString());
      spark.table("source").write().parquet(root.resolve("out-partial-2").toString());
      drainBus();

      String summary = test.summary(log);

      assertEquals(1, warnings(log, "took longer than atlas.spark.capture.budget.ms").size(), log.lines()::toString);
      assertTrue(summary.contains("partial captures=2,"), summary);
      assertEquals(2, test.sink.accepted.size(), "the writes are still reported");
    }
  }
}
