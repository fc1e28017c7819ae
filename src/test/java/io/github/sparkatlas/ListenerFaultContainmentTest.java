package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.brokenspark.FaultyClassLoader;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.capture.SparkInternals;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import scala.Option;

/**
 * Nothing the agent throws may reach Spark: a fatal error (LinkageError, StackOverflowError, ...) escaping a
 * listener kills Spark's listener thread and stops the SparkContext. Faults are raised inside the real agent
 * (capture, pipeline) on a real in-JVM SparkSession, through Spark's real listener bus and by direct calls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ListenerFaultContainmentTest {
  private static final int ERRORS_MAX = 3;
  private static Path root;
  private static SparkSession spark;
  private static SparkContext sc;
  private static final AtomicLong EXECUTION_IDS = new AtomicLong(1_000_000);

  private final List<Runnable> cleanups = new ArrayList<>();

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("fault-containment-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        // read only by the JVM's shared agent (AtlasAgent.get), which the self-disable test starts
        .config("spark.atlas.spark.internal.errors.max", Integer.toString(ERRORS_MAX))
        .config("spark.atlas.spark.file.sink.dir", root.resolve("lineage").toString())
        .getOrCreate();
    sc = spark.sparkContext();
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

  // ------------------------------------------------------------------------------------------ helpers

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(new IllegalStateException("unexpected plan shape")),
        Arguments.of(new NoClassDefFoundError("org/apache/spark/sql/execution/SparkPlanInfo")),
        Arguments.of(new LinkageError("loader constraint violation: org/apache/spark/sql/execution/SparkPlan")),
        Arguments.of(new ExceptionInInitializerError(new IllegalStateException("static initializer failed"))),
        Arguments.of(new StackOverflowError()));
  }

  /** A sink that keeps what it is given and, when armed, fails the flush that application end waits on. */
  static final class FaultySink implements Sink {
    final List<OutboundMessage> accepted = new CopyOnWriteArrayList<>();
    final AtomicInteger flushes = new AtomicInteger();
    volatile Throwable fault;

    @Override
    public void accept(OutboundMessage notification) {
      accepted.add(notification);
    }

    @Override
    public boolean flush(long timeoutMillis) {
      flushes.incrementAndGet();
      Throwable current = fault;
      if (current instanceof Error) {
        throw (Error) current;
      }
      if (current != null) {
        throw (RuntimeException) current;
      }
      return true;
    }

    @Override
    public DeliveryStats stats() {
      return new DeliveryStats(accepted.size(), 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void close(long timeoutMillis) {
    }
  }

  /** An agent of its own, not the JVM's shared one: real capture and pipeline, on a sink the test controls. */
  private static final class TestAgent {
    final FaultySink sink = new FaultySink();
    final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
    final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
    final AtlasAgent agent;
    final SparkAtlasListener listener;

    TestAgent() {
      AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
          .load(Map.of("spark.atlas.spark.shutdown.flush.timeout.ms", "2000"));
      LineagePipeline pipeline = new LineagePipeline(100, () -> sink, new Naming("cl1"), Redactor.defaults(),
          errors);
      agent = new AtlasAgent(config, new LineageCapture(10_000, 1_000), pipeline, errors, null);
      listener = new SparkAtlasListener(agent);
    }
  }

  private static void drainBus() {
    try {
      sc.listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain: its thread may be dead", e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** A SQL execution end as Spark posts it, for an execution of {@code qe}, successful or failed. */
  private static SparkListenerSQLExecutionEnd executionEnd(long id, QueryExecution qe, Throwable failure) {
    SparkListenerSQLExecutionEnd end = new SparkListenerSQLExecutionEnd(id, System.currentTimeMillis(),
        failure == null ? Option.<String>empty() : Option.apply(failure.getMessage()));
    end.executionName_$eq(Option.apply("save"));
    end.duration_$eq(5L);
    end.qe_$eq(qe);
    end.executionFailure_$eq(Option.apply(failure));
    return end;
  }

  private static boolean registered(SparkListenerInterface listener) {
    return sc.listenerBus().listeners().contains(listener);
  }

  /** The SparkContext runs, our listener is still on the bus, and Spark still runs jobs. */
  private static void assertSparkIsFine(SparkListenerInterface listener) {
    drainBus();
    assertFalse(sc.isStopped(), "the SparkContext was stopped");
    assertTrue(registered(listener), "our listener is still on Spark's listener bus");
    assertEquals(4950L, spark.range(100).selectExpr("sum(id)").first().getLong(0));
  }

  // ------------------------------------------------------------------------------------------ tests

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void faultInsideTheAgentOnEveryCallbackLeavesTheSparkContextRunning(Throwable fault) throws Exception {
    TestAgent test = new TestAgent();
    sc.addSparkListener(test.listener);
    spark.listenerManager().register(test.listener);
    cleanups.add(() -> {
      sc.removeSparkListener(test.listener);
      spark.listenerManager().unregister(test.listener);
    });
    FaultyClassLoader brokenSpark = new FaultyClassLoader(fault);
    QueryExecution brokenQe = brokenSpark.queryExecution(spark);

    // through Spark's listener bus: SQL start, SQL end (SparkListener and QueryExecutionListener), a failed
    // execution, application end
    long id = EXECUTION_IDS.incrementAndGet();
    sc.listenerBus().post(brokenSpark.executionStart(id));
    sc.listenerBus().post(executionEnd(id, brokenQe, null));
    sc.listenerBus().post(executionEnd(EXECUTION_IDS.incrementAndGet(), brokenQe,
        new RuntimeException("task failed")));
    test.sink.fault = fault;
    sc.listenerBus().post(new SparkListenerApplicationEnd(System.currentTimeMillis()));
    drainBus();

    assertEquals(3, test.errors.count(), "start, end and onSuccess met the fault: " + test.log.lines);
    assertEquals(1, test.sink.flushes.get(), "application end met the fault");
    assertSparkIsFine(test.listener);

    // the same callbacks called directly
    long direct = EXECUTION_IDS.incrementAndGet();
    assertDoesNotThrow(() -> test.listener.onOtherEvent(brokenSpark.executionStart(direct)));
    assertDoesNotThrow(() -> test.listener.onOtherEvent(executionEnd(direct, brokenQe, null)));
    assertDoesNotThrow(() -> test.listener.onSuccess("save", brokenQe, 5L));
    assertDoesNotThrow(() -> test.listener.onFailure("save", brokenQe, new RuntimeException("task failed")));
    assertDoesNotThrow(() -> test.listener.onApplicationEnd(new SparkListenerApplicationEnd(0L)));
    assertEquals(6, test.errors.count());
    assertEquals(2, test.sink.flushes.get());

    // reported once per place and kind of fault, and the agent still captures
    String kind = fault.getClass().getName();
    assertEquals(3, test.log.at(org.slf4j.event.Level.WARN).stream().filter(l -> l.message.contains(kind)).count(),
        "one line per callback for " + kind + ": " + test.log.lines);
    test.sink.fault = null;
    Path out = root.resolve("out-" + fault.getClass().getSimpleName());
    spark.range(5).write().parquet(out.toString());
    drainBus();
    await(() -> test.sink.accepted.stream().anyMatch(n -> n.body().contains(out.toString())),
        "the lineage of a write after the faults");
    assertTrue(test.agent.enabled());
    assertSparkIsFine(test.listener);
  }

  @Order(2)
  @Test
  void agentSwitchesItselfOffAfterTheConfiguredNumberOfInternalErrorsAndSaysSoOnce() throws Exception {
    // the production path: Spark creates the streaming listener with its conf, which starts the JVM's agent and
    // attaches its SparkListener
    StreamingQueryListener streaming = new SparkAtlasStreamingListener(sc.getConf());
    AtlasAgent agent = AtlasAgent.get(sc.getConf());
    spark.streams().addListener(streaming);
    SparkListenerInterface listener = sc.listenerBus().listeners().stream()
        .filter(l -> l instanceof SparkAtlasListener).findFirst()
        .orElseThrow(() -> new AssertionError("the agent attached no SparkListener"));
    cleanups.add(() -> {
      spark.streams().removeListener(streaming);
      sc.removeSparkListener(listener);
    });
    assertTrue(agent.enabled());
    Path lineage = new FileSink(root.resolve("lineage"), null).fileFor(sc.applicationId());

    spark.range(3).write().parquet(root.resolve("before").toString());
    drainBus();
    await(() -> Files.isRegularFile(lineage), "lineage written before the faults");
    Path input = Files.createDirectories(root.resolve("stream-in"));
    Files.write(input.resolve("part-0.txt"), List.of("a", "b"), StandardCharsets.UTF_8);
    StreamingQuery query = spark.readStream().text(input.toString()).writeStream().format("memory")
        .queryName("fault_containment").start();
    query.processAllAvailable();
    query.stop();
    assertSparkIsFine(listener);
    assertTrue(agent.enabled(), "a streaming query costs the agent nothing");

    try (LogCapture log = LogCapture.of(AtlasAgent.class)) {
      FaultyClassLoader brokenSpark = new FaultyClassLoader(new NoClassDefFoundError("org/apache/spark/Foo"));
      QueryExecution brokenQe = brokenSpark.queryExecution(spark);
      for (int i = 0; i < ERRORS_MAX + 5; i++) {
        sc.listenerBus().post(executionEnd(EXECUTION_IDS.incrementAndGet(), brokenQe, null));
      }
      drainBus();

      assertFalse(agent.enabled(), "switched off");
      List<LogCapture.Line> errors = log.at("ERROR");
      assertEquals(1, errors.size(), "one ERROR line: " + errors);
      assertTrue(errors.get(0).message.startsWith("spark-atlas-agent switched itself off for the rest of this "
          + "application after " + ERRORS_MAX + " internal errors"), errors.get(0).message);

      long linesBefore = Files.readAllLines(lineage).size();
      spark.range(3).write().parquet(root.resolve("after").toString());
      drainBus();
      agent.onApplicationEnd();
      assertEquals(linesBefore, Files.readAllLines(lineage).size(), "nothing captured once switched off");
      String summary = log.at("INFO").stream().map(l -> l.message)
          .filter(m -> m.startsWith("spark-atlas-agent summary at application end")).findFirst()
          .orElseThrow(() -> new AssertionError("no summary: " + log.lines()));
      assertTrue(summary.contains("internal errors=" + ERRORS_MAX + ","), summary);
      assertTrue(summary.endsWith("(switched off after internal errors)"), summary);
    }
    assertSparkIsFine(listener);
  }

  /** A Spark event only the control listener reacts to. */
  private static final class Poison implements SparkListenerEvent {
  }

  @Order(3)
  @Test
  void controlAFatalErrorThatEscapesAListenerStopsTheSparkContext() throws Exception {
    // Proves the checks above can fail: without the agent's containment, this is what a LinkageError does.
    // Last in this class, because it stops the shared session.
    sc.addSparkListener(new SparkListener() {
      @Override
      public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof Poison) {
          throw new LinkageError("escaped from a listener");
        }
      }
    });

    sc.listenerBus().post(new Poison());

    await(sc::isStopped, "Spark to stop the SparkContext");
    // stopping goes on in a thread of its own; the next test class may start a context only after it is done
    await(() -> SparkInternals.activeContext() == null, "the stopped SparkContext to finish stopping");
  }
}
