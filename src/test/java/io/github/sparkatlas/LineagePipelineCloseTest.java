package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing for the JVM's exit loses nothing Spark reported before it, and says the truth about anything reported
 * after it; the agent's shutdown closes only once Spark has delivered application end.
 */
class LineagePipelineCloseTest {
  @TempDir
  Path root;

  private final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
  private final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
  private final ExecutorService background = Executors.newCachedThreadPool();

  @AfterEach
  void stopBackground() {
    background.shutdownNow();
  }

  /** Records what it is given and what happens to it, in order; each accept takes as long as a disk write may. */
  private static final class RecordingSink implements Sink {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile long acceptMillis;
    volatile Runnable onFlush = () -> { };

    @Override
    public void accept(OutboundMessage notification) {
      try {
        Thread.sleep(acceptMillis);
      } catch (InterruptedException e) {
        events.add("interrupted while accepting");
        Thread.currentThread().interrupt();
        return;
      }
      events.add("accept " + notification.body().replaceAll(".*\"executionId\":(\\d+).*", "$1"));
    }

    @Override
    public boolean flush(long timeoutMillis) {
      events.add("flush");
      onFlush.run();
      return true;
    }

    @Override
    public DeliveryStats stats() {
      return new DeliveryStats(0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void close(long timeoutMillis) {
      events.add("close");
    }

    List<String> accepted() {
      return events.stream().filter(e -> e.startsWith("accept ")).map(e -> e.substring(7))
          .collect(Collectors.toList());
    }
  }

  private LineagePipeline pipeline(Sink sink) {
    return new LineagePipeline(100, () -> sink, new Naming("cl1"), Redactor.defaults(), errors);
  }

  private static QueryLineage execution(long id) {
    return new QueryLineage("local-1", "app", id, "InsertIntoHadoopFsRelationCommand", "user", 1_000 + id,
        List.of(PathDataset.of(URI.create("file:/in"))), List.of(PathDataset.of(URI.create("file:/out/" + id))),
        null);
  }

  private List<String> logged() {
    return log.lines.stream().map(line -> line.message).collect(Collectors.toList());
  }

  @Test
  void anExecutionSubmittedWhileCloseFlushesIsHandedToTheSinkBeforeItCloses() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink);
    assertTrue(pipeline.submit(execution(1)));
    assertTrue(pipeline.flush(5_000));
    sink.acceptMillis = 300;
    // Spark's listener thread hands over the last execution just as close's flush has found everything delivered.
    sink.onFlush = () -> {
      sink.onFlush = () -> { };
      assertTrue(pipeline.submit(execution(2)));
    };

    pipeline.close(5_000);

    assertEquals(List.of("1", "2"), sink.accepted(), () -> "events: " + sink.events);
    List<String> events = sink.events;
    assertEquals("close", events.get(events.size() - 1), () -> "the sink closes last: " + events);
    assertEquals(0, pipeline.dropped.get());
    assertEquals(0, pipeline.droppedAfterClose.get());
    assertEquals(List.of(), logged());
  }

  @Test
  void anExecutionSubmittedAfterCloseIsCountedAsSuchAndNotReportedAsAFullQueue() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink);
    pipeline.close(1_000);

    assertFalse(pipeline.submit(execution(1)));
    assertFalse(pipeline.submit(execution(2)));

    assertEquals(2, pipeline.droppedAfterClose.get());
    assertEquals(0, pipeline.dropped.get(), "not counted as lost to a full queue");
    List<String> lines = logged();
    assertEquals(1, lines.size(), () -> "one line: " + lines);
    assertTrue(lines.get(0).contains("already shut down for the JVM's exit"), lines.get(0));
    assertFalse(lines.get(0).contains("queue is full"), lines.get(0));
    assertFalse(pipeline.sinkFailed(), "closing is not a failure of the sink");
  }

  @Test
  void closeHandsOverWhatIsQueuedEvenWhenTheFlushTimeoutIsUsedUp() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink);
    assertTrue(pipeline.flush(5_000));
    sink.acceptMillis = 50;
    for (int i = 1; i <= 5; i++) {
      assertTrue(pipeline.submit(execution(i)));
    }

    pipeline.close(0);

    assertEquals(List.of("1", "2", "3", "4", "5"), sink.accepted(), () -> "events: " + sink.events);
  }

  @Test
  void shutdownBesideSparksHookWaitsForApplicationEndBeforeClosing() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink);
    AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
        .load(Map.of("spark.atlas.spark.shutdown.flush.timeout.ms", "10000"));
    AtlasAgent agent = new AtlasAgent(config, new LineageCapture(10_000, 1_000), pipeline, errors, null);

    // A plain JVM hook: Spark's own hook is stopping the SparkContext at the same time.
    Future<?> shutdown = background.submit(agent::shutdown);
    Thread.sleep(300);
    assertFalse(shutdown.isDone(), "the JVM hook waits for application end");
    assertTrue(pipeline.submit(execution(1)), "Spark's listener bus still delivers the last executions");
    assertTrue(pipeline.submit(execution(2)));
    agent.onApplicationEnd();
    shutdown.get(10, TimeUnit.SECONDS);

    assertEquals(List.of("1", "2"), sink.accepted(), () -> "events: " + sink.events);
    List<String> events = new ArrayList<>(sink.events);
    assertEquals("close", events.get(events.size() - 1), () -> "closed after application end: " + events);
    assertEquals(0, pipeline.droppedAfterClose.get());
  }
}
