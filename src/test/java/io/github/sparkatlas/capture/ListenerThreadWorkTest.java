package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the capture does, and does not do, on Spark's listener thread: no lock Spark's own threads may hold (the
 * session catalog's monitor, which its metastore calls hold; the Hadoop configuration's), nothing at all for an
 * execution that writes nothing, no plan text rendering, and no more than its time budget. Structural checks, not
 * timings: a capture that would wait for a lock never finishes while another thread holds it.
 */
class ListenerThreadWorkTest {
  private static final long NEVER_SECONDS = 60;
  private static Path root;
  private static SparkSession spark;
  private static final Executions EXECUTIONS = new Executions();

  /** Keeps the QueryExecution of every successful SQL execution, as the agent would see it. */
  private static final class Executions extends SparkListener {
    private final List<Object> executions = new ArrayList<>();

    @Override
    public synchronized void onOtherEvent(SparkListenerEvent event) {
      if (event.getClass().getSimpleName().equals("SparkListenerSQLExecutionEnd")) {
        Object qe = SparkInternals.successfulQueryExecution(event);
        if (qe != null) {
          executions.add(qe);
        }
      }
    }

    synchronized List<Object> drain() {
      List<Object> out = new ArrayList<>(executions);
      executions.clear();
      return out;
    }
  }

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("listener-thread-work-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .getOrCreate();
    spark.sparkContext().addSparkListener(EXECUTIONS);
    spark.range(3).selectExpr("id", "CAST(id AS STRING) AS name").write().saveAsTable("source");
    executions();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static List<Object> executions() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    return EXECUTIONS.drain();
  }

  private static Object catalogMonitor() {
    return spark.sessionState().catalog();
  }

  private static Object hadoopConfigurationMonitor() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /** Runs {@code work} on a thread of its own while this test's holder thread holds every one of {@code monitors}. */
  private static <T> T whileHeld(List<Object> monitors, Callable<T> work) throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> hold(monitors, 0, held, release), "monitor-holder");
    holder.setDaemon(true);
    holder.start();
    assertTrue(held.await(NEVER_SECONDS, TimeUnit.SECONDS), "the holder took the monitors");
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "capture");
      thread.setDaemon(true);
      return thread;
    });
    try {
      return worker.submit(work).get(NEVER_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the capture waited for a monitor another thread held", e);
    } finally {
      release.countDown();
      worker.shutdown();
    }
  }

  private static void hold(List<Object> monitors, int i, CountDownLatch held, CountDownLatch release) {
    if (i == monitors.size()) {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    synchronized (monitors.get(i)) {
      hold(monitors, i + 1, held, release);
    }
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  /** The one execution that {@code operation} wrote with (a CTAS also runs its insert as an execution). */
  private static Object onlyWrite(List<Object> executions, LineageCapture capture, String operation) {
    List<Object> writes = executions.stream().filter(qe -> {
      QueryLineage lineage = capture.capture(qe, 1).lineage();
      return lineage != null && lineage.operation().equals(operation);
    }).collect(Collectors.toList());
    assertEquals(1, writes.size(), "one write among " + executions);
    return writes.get(0);
  }

  private static Object onlyWrite(List<Object> executions, LineageCapture capture) {
    return onlyWrite(executions, capture, "InsertIntoHadoopFsRelationCommand");
  }

  @Test
  void aWriteIsCapturedWhileAnotherThreadHoldsTheSessionCatalogsMonitor() throws Exception {
    Path out = root.resolve("out-locked");
    spark.table("source").write().parquet(out.toString());
    LineageCapture capture = new LineageCapture(20_000, 60_000);
    Object write = onlyWrite(executions(), capture);

    QueryLineage lineage = whileHeld(Arrays.asList(catalogMonitor()), () -> capture.capture(write, 7).lineage());

    assertEquals(Arrays.asList("table:default.source"), keys(lineage.inputs()));
    assertEquals(Arrays.asList("path:file:" + out), keys(lineage.outputs()));
  }

  @Test
  void theCurrentDatabaseIsReadWithoutTheCatalogsMonitor() throws Exception {
    spark.sql("CREATE DATABASE IF NOT EXISTS elsewhere");
    spark.sql("USE elsewhere");
    try {
      assertEquals("elsewhere", whileHeld(Arrays.asList(catalogMonitor()),
          () -> SessionDefaults.currentDatabase(spark)));
    } finally {
      spark.sql("USE default");
      executions();
    }
  }

  @Test
  void executionsThatWriteNothingTouchNeitherTheCatalogNorTheHadoopConfiguration() throws Exception {
    spark.table("source").count();
    spark.table("source").collect();
    spark.sql("SELECT name, COUNT(*) FROM source GROUP BY name").collect();
    spark.sql("SHOW TABLES").collect();
    spark.sql("SET spark.sql.shuffle.partitions=1").collect();
    List<Object> reads = executions();
    assertTrue(reads.size() >= 5, "executions: " + reads);
    LineageCapture capture = new LineageCapture(20_000, 60_000);

    List<LineageCapture.Result> results = whileHeld(
        Arrays.asList(catalogMonitor(), hadoopConfigurationMonitor()), () -> {
          List<LineageCapture.Result> captured = new ArrayList<>();
          for (Object qe : reads) {
            captured.add(capture.capture(qe, 1));
          }
          return captured;
        });

    for (LineageCapture.Result result : results) {
      assertNull(result.lineage(), "nothing written, nothing rendered");
      assertNull(result.uncapturedCommand(), "plain queries, SHOW and SET are no missing capability");
    }
  }

  @Test
  void aWritesPlanTextIsRenderedLaterNotDuringTheCapture() {
    spark.table("source").write().parquet(root.resolve("out-plan-text").toString());
    LineageCapture capture = new LineageCapture(20_000, 60_000);
    QueryLineage lineage = capture.capture(onlyWrite(executions(), capture), 1).lineage();

    assertNull(lineage.planText(), "not rendered on the listener thread");
    PlanTextSource source = lineage.planTextSource();
    assertNotNull(source, "handed over to be rendered on the agent thread");
    PlanTextSource.Rendering rendering = source.render(20_000, System.nanoTime() + 60_000_000_000L);
    assertTrue(rendering.complete() && rendering.text().startsWith("InsertIntoHadoopFsRelationCommand"),
        rendering.text());
  }

  @Test
  void noPlanIsHeldWhenPlanTextIsSwitchedOff() {
    spark.table("source").write().parquet(root.resolve("out-no-plan-text").toString());
    LineageCapture capture = new LineageCapture(0, 60_000);
    QueryLineage lineage = capture.capture(onlyWrite(executions(), capture), 1).lineage();

    assertNull(lineage.planTextSource());
    assertNull(lineage.planText());
  }

  @Test
  void overBudgetTheCaptureKeepsTheWrittenTableAndLeavesOutWhatItHadNoTimeFor() {
    spark.sql("CREATE TABLE budget_target USING parquet AS SELECT id, name FROM source");
    List<Object> executions = executions();
    LineageCapture unbounded = new LineageCapture(20_000, 60_000);
    Object write = onlyWrite(executions, unbounded, "CreateDataSourceTableAsSelectCommand");
    LineageCapture.Result whole = unbounded.capture(write, 1);
    assertFalse(whole.overBudget());
    assertEquals(Arrays.asList("table:default.source"), keys(whole.lineage().inputs()));
    assertEquals(2, ((TableDataset) whole.lineage().outputs().get(0)).columns().size());

    // A budget of 0 ms is spent before the capture begins: input walk and column strings are the budget's too.
    LineageCapture.Result partial = new LineageCapture(20_000, 0).capture(write, 1);

    assertTrue(partial.overBudget(), "over budget");
    assertEquals(Arrays.asList("table:default.budget_target"), keys(partial.lineage().outputs()),
        "what it writes is found before anything else");
    assertEquals(Arrays.asList(), keys(partial.lineage().inputs()), "no time left to walk its query");
    assertEquals(0, ((TableDataset) partial.lineage().outputs().get(0)).columns().size(),
        "no time left for the columns: all or none");
  }
}
