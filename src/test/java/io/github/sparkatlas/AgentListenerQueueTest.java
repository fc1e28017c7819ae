package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.capture.SparkInternals;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.LogCapture;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The agent listens on a listener queue of its own ({@link AgentListenerQueue}), not on Spark's shared queue, and
 * still handles every SQL execution exactly once: through Spark's real listener bus, on a real in-JVM SparkSession,
 * with an agent of the test's own (real capture and pipeline, on a sink the test reads).
 */
class AgentListenerQueueTest {
  /** The agent the listener Spark creates from spark.extraListeners hands over to. */
  private static final AtomicReference<AtlasAgent> EXTRA_LISTENER_AGENT = new AtomicReference<>();

  /** What Spark creates from spark.extraListeners: the production constructor, with the test's agent. */
  public static final class ExtraListener extends SparkAtlasListener {
    public ExtraListener(SparkConf conf) {
      super(EXTRA_LISTENER_AGENT.get(), conf);
    }
  }

  private Path root;
  private SparkSession spark;
  private final RecordingSink sink = new RecordingSink();
  private final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
  private final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
  private LineagePipeline pipeline;
  private AtlasAgent agent;

  @BeforeEach
  void newAgent() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
        .load(Map.of("spark.atlas.spark.shutdown.flush.timeout.ms", "5000"));
    pipeline = new LineagePipeline(1000, () -> sink, new Naming("cl1"), Redactor.defaults(), errors);
    agent = new AtlasAgent(config, new LineageCapture(10_000, 1_000), pipeline, errors, null);
    EXTRA_LISTENER_AGENT.set(agent);
  }

  @AfterEach
  void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
    EXTRA_LISTENER_AGENT.set(null);
  }

  private SparkSession session(Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("agent-listener-queue-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString());
    conf.forEach(builder::config);
    return builder.getOrCreate();
  }

  @Test
  void theListenerSparkCreatesHandsOverToTheAgentQueueAndEveryExecutionIsCapturedOnce() throws Exception {
    spark = session(Map.of("spark.extraListeners", ExtraListener.class.getName()));
    SparkContext sc = spark.sparkContext();
    // Makes the agent's queue lag behind the shared one, so application end reaches the shared queue first.
    SparkInternals.addToQueue(sc, new SlowOnSqlEvents(), AgentListenerQueue.NAME);

    // Writers on three threads from the very start: Spark posts their events concurrently to both queues.
    int threads = 3;
    int writesPerThread = 6;
    List<Thread> writers = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(new Thread(() -> {
        try {
          for (int i = 0; i < writesPerThread; i++) {
            spark.range(3).write().parquet(root.resolve("out-" + thread + "-" + i).toString());
            spark.range(10).selectExpr("sum(id)").collect();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    writers.forEach(Thread::start);
    for (Thread writer : writers) {
      writer.join();
    }
    assertEquals(List.of(), failures);
    sc.listenerBus().waitUntilEmpty(60_000);

    Map<String, List<SparkListenerInterface>> queues = listenersByQueue(sc);
    assertEquals(List.of(), ours(queues.getOrDefault("shared", List.of())),
        "after start-up, no listener of ours is left on Spark's shared queue: " + queues);
    List<SparkListenerInterface> onAgentQueue = ours(queues.getOrDefault(AgentListenerQueue.NAME, List.of()));
    assertEquals(1, onAgentQueue.size(), "one listener of ours on the agent's queue: " + queues);
    assertTrue(((SparkAtlasListener) onAgentQueue.get(0)).forwards());
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .anyMatch(thread -> thread.getName().equals(AgentListenerQueue.THREAD)), "the agent's queue has its thread");

    spark.stop();
    spark = null;

    int writes = threads * writesPerThread;
    assertEquals(writes, pipeline.captured.get(), "each write captured once");
    assertEquals(0, pipeline.dropped.get());
    assertEquals(1, sink.flushes.get(), "application end flushed once");
    assertEquals(sink.accepted.size(), sink.acceptedAtFirstFlush.get(),
        "application end flushed after the last execution the agent's queue delivered");
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < writesPerThread; i++) {
        String path = root.resolve("out-" + t + "-" + i).toString();
        assertTrue(sink.accepted.stream().anyMatch(m -> m.body().contains(path)), "lineage of " + path);
      }
    }
    assertEquals(0, errors.count(), log.lines.toString());
    assertEquals(List.of(), log.at(Level.WARN), "nothing to warn about");
  }

  @Test
  void eventsSparkDropsFromTheAgentQueueAreSaidAtApplicationEndAndCounted() throws Exception {
    spark = session(Map.of("spark.extraListeners", ExtraListener.class.getName(),
        AgentListenerQueue.CAPACITY_KEY, "4"));
    SparkContext sc = spark.sparkContext();
    // Holds the agent's queue at the first SQL event until the writes have posted theirs.
    CountDownLatch writesDone = new CountDownLatch(1);
    SparkInternals.addToQueue(sc, new SparkListener() {
      @Override
      public void onOtherEvent(SparkListenerEvent event) {
        try {
          writesDone.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, AgentListenerQueue.NAME);
    for (int i = 0; i < 4; i++) {
      spark.range(3).write().parquet(root.resolve("burst-" + i).toString());
    }
    writesDone.countDown();
    // Application end must find room in the queue to be delivered at all.
    sc.listenerBus().waitUntilEmpty(60_000);
    long dropped = SparkInternals.droppedEvents(sc, AgentListenerQueue.NAME);
    assertTrue(dropped > 0, "a queue of 4 behind a blocked listener overflows");

    try (LogCapture captured = LogCapture.of(AtlasAgent.class)) {
      spark.stop();
      spark = null;
      List<String> warnings = captured.at("WARN").stream().map(line -> line.message).toList();
      assertEquals(List.of("spark-atlas-agent: Spark dropped " + dropped + " events from the agent's listener queue, "
          + "which was full; SQL executions among them are not captured (raise "
          + "spark.scheduler.listenerbus.eventqueue.atlasAgent.capacity, default "
          + "spark.scheduler.listenerbus.eventqueue.capacity)"), warnings);
      String summary = captured.at("INFO").stream().map(line -> line.message)
          .filter(m -> m.startsWith("spark-atlas-agent summary at application end")).findFirst()
          .orElseThrow(() -> new AssertionError("no summary: " + captured.lines()));
      assertTrue(summary.contains(", listener events dropped=" + dropped + ","), summary);
    }
  }

  @Test
  void aListenerTheAgentAttachesItselfGoesOnTheAgentQueueOnce() throws Exception {
    spark = session(Map.of());
    SparkContext sc = spark.sparkContext();

    assertTrue(agent.attachTo(sc));
    assertTrue(agent.attachTo(sc), "a second attach finds the first listener");
    spark.range(3).write().parquet(root.resolve("attached").toString());
    sc.listenerBus().waitUntilEmpty(60_000);

    Map<String, List<SparkListenerInterface>> queues = listenersByQueue(sc);
    assertEquals(List.of(), ours(queues.getOrDefault("shared", List.of())), queues.toString());
    assertEquals(1, ours(queues.getOrDefault(AgentListenerQueue.NAME, List.of())).size(), queues.toString());
    assertEquals(1, pipeline.captured.get());
  }

  @Test
  void whereSparkRefusesANamedQueueTheAgentSaysSoOnceAndTheCallerKeepsToTheSharedQueue() {
    spark = session(Map.of());
    SparkContext sc = spark.sparkContext();
    spark.stop();
    spark = null;

    // A stopped listener bus refuses new listeners, as a Spark without LiveListenerBus.addToQueue would.
    assertFalse(AgentListenerQueue.add(sc, new SparkAtlasListener(agent), errors));
    assertFalse(AgentListenerQueue.add(sc, new SparkAtlasListener(agent), errors));

    List<ErrorReporterTest.RecordingLogger.Line> warnings = log.at(Level.WARN);
    assertEquals(1, warnings.size(), log.lines.toString());
    assertTrue(warnings.get(0).message.startsWith("spark-atlas-agent listens on Spark's shared listener queue"),
        warnings.get(0).message);
    assertTrue(warnings.get(0).message.contains("LiveListenerBus is stopped"), warnings.get(0).message);
    assertEquals(0, errors.count());
  }

  @Test
  void aListenerCreatedOutsideAnyStartingSparkContextKeepsHandingEventsToTheAgent() {
    // No SparkContext runs or starts: nothing can take over, so this instance must do the work itself.
    assertEquals(null, SparkInternals.activeContext());
    assertTrue(new ExtraListener(new SparkConf(false)).forwards());
  }

  /** The listeners of each queue of the context's listener bus, by queue name. */
  private static Map<String, List<SparkListenerInterface>> listenersByQueue(SparkContext sc) throws Exception {
    Object bus = sc.listenerBus();
    Field queuesField = bus.getClass().getDeclaredField("queues");
    queuesField.setAccessible(true);
    Map<String, List<SparkListenerInterface>> byName = new LinkedHashMap<>();
    for (Object queue : (List<?>) queuesField.get(bus)) {
      String name = (String) queue.getClass().getMethod("name").invoke(queue);
      @SuppressWarnings("unchecked")
      List<SparkListenerInterface> listeners =
          (List<SparkListenerInterface>) queue.getClass().getMethod("listeners").invoke(queue);
      byName.put(name, new ArrayList<>(listeners));
    }
    return byName;
  }

  private static List<SparkListenerInterface> ours(List<SparkListenerInterface> listeners) {
    List<SparkListenerInterface> ours = new ArrayList<>();
    for (SparkListenerInterface listener : listeners) {
      if (listener instanceof SparkAtlasListener) {
        ours.add(listener);
      }
    }
    return ours;
  }

  /** Slows the agent's queue down on each SQL event. */
  private static final class SlowOnSqlEvents extends SparkListener {
    @Override
    public void onOtherEvent(SparkListenerEvent event) {
      if (event.getClass().getSimpleName().startsWith("SparkListenerSQLExecution")) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Keeps what it is given and how much it had when it was first flushed. */
  private static final class RecordingSink implements Sink {
    final List<OutboundMessage> accepted = new CopyOnWriteArrayList<>();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger acceptedAtFirstFlush = new AtomicInteger(-1);

    @Override
    public void accept(OutboundMessage notification) {
      accepted.add(notification);
    }

    @Override
    public boolean flush(long timeoutMillis) {
      if (flushes.incrementAndGet() == 1) {
        acceptedAtFirstFlush.set(accepted.size());
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
}
