package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.capture.ExecutionTracker;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.ForeachWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streaming queries on a real in-JVM SparkSession, followed the way the agent follows them: our
 * StreamingQueryListener and SQL execution tracking hand work to a task queue that the test runs as the agent
 * thread would.
 */
class StreamingLineageTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType).add("name",
      DataTypes.StringType);
  private static Path root;
  private static SparkSession spark;
  private static Followed followed;

  /** The agent's side of streaming, with the agent thread replaced by {@link #drain}. */
  static final class Followed extends SparkListener {
    final BlockingQueue<AgentTask> tasks = new LinkedBlockingQueue<>();
    final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
    final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
    final StreamingLineage streaming = new StreamingLineage(tasks::offer, errors);
    final List<QueryLineage> batch = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> unknownNodes = new java.util.concurrent.CopyOnWriteArrayList<>();
    final ExecutionTracker tracker = new ExecutionTracker(new LineageCapture(0, 60_000), lineage -> {
      if (lineage.streamingQueryId() != null) {
        streaming.batchWrite(lineage);
      } else {
        batch.add(lineage);
      }
    });

    final StreamingQueryListener listener = new StreamingQueryListener() {
      @Override
      public void onQueryStarted(QueryStartedEvent event) {
        streaming.started(event.id(), event.runId());
      }

      @Override
      public void onQueryProgress(QueryProgressEvent event) {
        streaming.progress(event.progress().id(), event.progress().runId(), event.progress());
      }

      @Override
      public void onQueryTerminated(QueryTerminatedEvent event) {
        streaming.terminated(event.runId());
      }
    };

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
      String name = event.getClass().getSimpleName();
      if (name.equals("SparkListenerSQLExecutionStart")) {
        tracker.onStart(event);
      } else if (name.equals("SparkListenerSQLExecutionEnd")) {
        unknownNodes.addAll(tracker.onEnd(event).unknownNodes());
      }
    }

    /** Waits for Spark's listener bus, then runs what was handed to the agent thread. */
    List<QueryLineage> drain() {
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (TimeoutException e) {
        throw new AssertionError("listener bus did not drain", e);
      }
      List<QueryLineage> emitted = new ArrayList<>();
      AgentTask task;
      while ((task = tasks.poll()) != null) {
        task.run(emitted::add);
      }
      return emitted;
    }

    List<String> warnings() {
      return log.lines.stream().map(line -> line.level + " " + line.message).collect(Collectors.toList());
    }
  }

  @BeforeAll
  static void startSpark() {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    spark = SparkSession.builder().master("local[2]").appName("streaming-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
        .getOrCreate();
    followed = new Followed();
    spark.sparkContext().addSparkListener(followed);
    spark.streams().addListener(followed.listener);
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void clear() {
    followed.drain();
    followed.batch.clear();
    followed.unknownNodes.clear();
    followed.log.lines.clear();
  }

  private static Path jsonDir(String name, String... rows) throws IOException {
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    addFile(dir, rows);
    return dir;
  }

  private static void addFile(Path dir, String... rows) throws IOException {
    Path tmp = root.resolve("tmp-" + UUID.randomUUID() + ".json");
    Files.write(tmp, Arrays.asList(rows), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(UUID.randomUUID() + ".json"));
  }

  private static String checkpoint() {
    return root.resolve("checkpoints").resolve(UUID.randomUUID().toString()).toString();
  }

  private static Dataset path(Path dir) {
    return PathDataset.of(dir.toUri());
  }

  private static List<String> keys(List<? extends Dataset> datasets) {
    return datasets.stream().map(Dataset::key).collect(Collectors.toList());
  }

  private static void assertRecord(QueryLineage lineage, StreamingQuery query, List<Dataset> inputs,
      List<Dataset> outputs) {
    assertEquals(query.id().toString(), lineage.streamingQueryId());
    assertEquals(keys(inputs), keys(lineage.inputs()), "inputs of " + lineage);
    assertEquals(keys(outputs), keys(lineage.outputs()), "outputs of " + lineage);
    assertEquals(spark.sparkContext().applicationId(), lineage.applicationId());
    assertEquals(null, lineage.planTextSource());
  }

  @Test
  void fileSourceToFileSinkIsOneRecordHoweverManyMicroBatchesRun() throws Exception {
    Path in = jsonDir("file-in", "{\"id\":1,\"name\":\"a\"}");
    Path out = root.resolve("file-out");
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream().format("parquet")
        .option("checkpointLocation", checkpoint()).start(out.toString());
    query.processAllAvailable();
    for (int i = 0; i < 3; i++) {
      addFile(in, "{\"id\":" + i + ",\"name\":\"b\"}");
      query.processAllAvailable();
    }
    query.stop();

    List<QueryLineage> emitted = followed.drain();
    assertEquals(1, emitted.size(), emitted.toString());
    assertRecord(emitted.get(0), query, Arrays.asList(path(in)), Arrays.asList(path(out)));
    assertEquals(StreamingLineage.OPERATION, emitted.get(0).operation());
    // The micro-batches themselves are no lineage of their own, and no plan node of theirs is unknown.
    assertEquals(0, followed.batch.size(), followed.batch.toString());
    assertEquals(new ArrayList<String>(), new ArrayList<>(followed.unknownNodes));
    assertEquals(0, followed.errors.count(), followed.warnings().toString());
    assertEquals(0, followed.streaming.executionsHeld(), "a terminated query is let go");
  }

  @Test
  void eventsSeenAgainThroughTheOtherListenerAfterTheQueryEndedAreNoNews() throws Exception {
    Path in = jsonDir("late-in", "{\"id\":1,\"name\":\"a\"}");
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream().format("parquet")
        .option("checkpointLocation", checkpoint()).trigger(Trigger.Once()).start(root.resolve("late-out").toString());
    query.awaitTermination();
    assertEquals(1, followed.drain().size());

    // Our SparkListener receives the same events on Spark's shared listener queue, possibly well after the
    // StreamingQueryListener did and the agent thread handled the query's end.
    followed.streaming.started(query.id(), query.runId());
    followed.streaming.progress(query.id(), query.runId(), query.lastProgress());
    followed.streaming.terminated(query.runId());

    assertEquals(new ArrayList<QueryLineage>(), followed.drain());
    assertEquals(new ArrayList<String>(), followed.warnings());
    assertEquals(0, followed.streaming.executionsHeld());
  }

  @Test
  void foreachBatchWritesAreTheQueryOutputsWithItsSourcesAsInputs() throws Exception {
    Path in = jsonDir("fb-in", "{\"id\":1,\"name\":\"a\"}");
    Path first = root.resolve("fb-out-a");
    Path second = root.resolve("fb-out-b");
    VoidFunction2<org.apache.spark.sql.Dataset<Row>, Long> write = (batch, id) ->
        batch.write().mode("append").parquet((id == 1 ? second : first).toString());
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream()
        .option("checkpointLocation", checkpoint()).foreachBatch(write).start();
    query.processAllAvailable();
    addFile(in, "{\"id\":2,\"name\":\"b\"}");
    query.processAllAvailable();
    addFile(in, "{\"id\":3,\"name\":\"c\"}");
    query.processAllAvailable();
    query.stop();

    List<QueryLineage> emitted = followed.drain();
    assertEquals(2, emitted.size(), "one record per new output, none for the repeated one: " + emitted);
    assertRecord(emitted.get(0), query, Arrays.asList(path(in)), Arrays.asList(path(first)));
    assertRecord(emitted.get(1), query, Arrays.asList(path(in)), Arrays.asList(path(first), path(second)));
    assertEquals(0, followed.batch.size(), "the nested writes are the query's, not batch lineage");
    assertEquals(0, followed.errors.count(), followed.warnings().toString());
  }

  @Test
  void foreachBatchIntoACatalogTableNamesTheTable() throws Exception {
    Path in = jsonDir("fb-table-in", "{\"id\":1,\"name\":\"a\"}");
    spark.sql("CREATE TABLE fb_target (id BIGINT, name STRING) USING parquet");
    VoidFunction2<org.apache.spark.sql.Dataset<Row>, Long> write = (batch, id) ->
        batch.write().mode("append").insertInto("fb_target");
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream()
        .option("checkpointLocation", checkpoint()).foreachBatch(write).start();
    query.processAllAvailable();
    query.stop();

    List<QueryLineage> emitted = followed.drain();
    assertEquals(1, emitted.size(), emitted.toString());
    assertEquals(keys(Arrays.asList(path(in))), keys(emitted.get(0).inputs()));
    assertEquals(Arrays.asList("table:default.fb_target"), keys(emitted.get(0).outputs()));
  }

  @Test
  void foreachBatchCreatingItsTableWithSaveAsTableNamesOnlyTheTable() throws Exception {
    Path in = jsonDir("fb-ctas-in", "{\"id\":1,\"name\":\"a\"}");
    VoidFunction2<org.apache.spark.sql.Dataset<Row>, Long> write = (batch, id) ->
        batch.write().mode("append").saveAsTable("fb_created");
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream()
        .option("checkpointLocation", checkpoint()).foreachBatch(write).start();
    query.processAllAvailable();
    addFile(in, "{\"id\":2,\"name\":\"b\"}");
    query.processAllAvailable();
    query.stop();

    List<QueryLineage> emitted = followed.drain();
    assertEquals(1, emitted.size(), emitted.toString());
    assertEquals(keys(Arrays.asList(path(in))), keys(emitted.get(0).inputs()));
    assertEquals(Arrays.asList("table:default.fb_created"), keys(emitted.get(0).outputs()));
  }

  @Test
  void tableSourceToTableSinkWithAvailableNowTrigger() throws Exception {
    spark.sql("CREATE TABLE stream_src (id BIGINT, name STRING) USING parquet");
    spark.sql("INSERT INTO stream_src VALUES (1, 'a'), (2, 'b')");
    spark.sql("CREATE TABLE stream_dst (id BIGINT, name STRING) USING parquet");
    StreamingQuery query = spark.readStream().table("stream_src").writeStream()
        .option("checkpointLocation", checkpoint()).trigger(Trigger.AvailableNow()).toTable("stream_dst");
    query.awaitTermination();

    List<QueryLineage> emitted = followed.drain();
    assertEquals(1, emitted.size(), emitted.toString());
    assertEquals(Arrays.asList("table:default.stream_src"), keys(emitted.get(0).inputs()));
    assertEquals(Arrays.asList("table:default.stream_dst"), keys(emitted.get(0).outputs()));
    assertEquals(0, followed.errors.count(), followed.warnings().toString());
  }

  @Test
  void aQueryRestartedFromItsCheckpointKeepsItsIdAndIsNotNewsAgain() throws Exception {
    Path in = jsonDir("restart-in", "{\"id\":1,\"name\":\"a\"}");
    Path out = root.resolve("restart-out");
    String checkpoint = checkpoint();
    StreamingQuery first = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream().format("parquet")
        .option("checkpointLocation", checkpoint).trigger(Trigger.Once()).start(out.toString());
    first.awaitTermination();
    addFile(in, "{\"id\":2,\"name\":\"b\"}");
    StreamingQuery second = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream().format("parquet")
        .option("checkpointLocation", checkpoint).trigger(Trigger.Once()).start(out.toString());
    second.awaitTermination();

    assertEquals(first.id(), second.id());
    List<QueryLineage> emitted = followed.drain();
    assertEquals(1, emitted.size(), emitted.toString());
    assertRecord(emitted.get(0), first, Arrays.asList(path(in)), Arrays.asList(path(out)));
  }

  @Test
  void aFailingQueryCausesNoErrorOfOursAndNoInventedLineage() throws Exception {
    Path in = jsonDir("fail-in", "{\"id\":1,\"name\":\"a\"}");
    VoidFunction2<org.apache.spark.sql.Dataset<Row>, Long> fail = (batch, id) -> {
      throw new IllegalStateException("the user's function fails");
    };
    StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream()
        .option("checkpointLocation", checkpoint()).foreachBatch(fail).start();
    assertThrows(StreamingQueryException.class, query::awaitTermination);

    assertEquals(new ArrayList<QueryLineage>(), followed.drain());
    assertEquals(0, followed.errors.count(), followed.warnings().toString());
    assertEquals(0, followed.streaming.executionsHeld());
  }

  @Test
  void rateSourceAndMemorySinkAreNoDatasetsAndNoWarning() throws Exception {
    StreamingQuery query = spark.readStream().format("rate").option("rowsPerSecond", "100").load().writeStream()
        .format("memory").queryName("rate_rows").start();
    while (query.recentProgress().length < 2) {
      Thread.sleep(50);
    }
    query.stop();

    assertEquals(new ArrayList<QueryLineage>(), followed.drain());
    assertEquals(new ArrayList<String>(), followed.warnings());
  }

  @Test
  void aSinkTheAgentDoesNotKnowIsReportedOnceAndLeftOut() throws Exception {
    Path in = jsonDir("foreach-in", "{\"id\":1,\"name\":\"a\"}");
    for (int i = 0; i < 2; i++) {
      StreamingQuery query = spark.readStream().schema(SCHEMA).json(in.toString()).writeStream()
          .option("checkpointLocation", checkpoint()).foreach(new DiscardingWriter()).start();
      query.processAllAvailable();
      query.stop();
    }

    assertEquals(new ArrayList<QueryLineage>(), followed.drain());
    List<String> warnings = followed.warnings();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("does not know streaming sink")
        && warnings.get(0).contains("ForeachWriterTable"), warnings.toString());
  }

  /** A foreach writer: where its rows go, only the user's code knows. */
  static final class DiscardingWriter extends ForeachWriter<Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean open(long partitionId, long epochId) {
      return true;
    }

    @Override
    public void process(Row value) {
    }

    @Override
    public void close(Throwable errorOrNull) {
    }
  }
}
