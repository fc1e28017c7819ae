package io.github.sparkatlas;

import io.github.sparkatlas.testsupport.RecordingSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The agent thread sends a process only when it changed, and never keeps a change past its interval or a flush. */
class LineagePipelineUpdatesTest {
  private final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
  private final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
  private final AtomicInteger rendered = new AtomicInteger();

  private LineagePipeline pipeline(Sink sink, boolean perQuery, long intervalMillis) {
    return new LineagePipeline(1_000, () -> sink, new Naming("cl1"), Redactor.defaults(),
        new PlanTexts(Redactor.defaults(), 20_000, 1_000, errors), errors, perQuery, intervalMillis);
  }

  /** A write whose plan text is rendered on demand, counted. */
  private QueryLineage write(long id, String output) {
    return new QueryLineage("local-1", "app", id, "InsertIntoHadoopFsRelationCommand", "user", id,
        List.of(PathDataset.of(URI.create("file:/in"))), List.of(PathDataset.of(URI.create(output))), null)
        .withPlanTextSource((maxChars, deadline) -> {
          rendered.incrementAndGet();
          return PlanTextSource.Rendering.whole("Plan of " + id);
        });
  }

  /** One write of 99 outputs: past the small size, so one more output waits for the interval. */
  private static QueryLineage large() {
    List<Dataset> outputs = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      outputs.add(PathDataset.of(URI.create("file:/large/" + i)));
    }
    return new QueryLineage("local-1", "app", 0, "InsertIntoHadoopFsRelationCommand", "user", 0,
        List.of(PathDataset.of(URI.create("file:/in"))), outputs, null);
  }

  @Test
  void recordsFoundByAgentTasksCountAsCaptured() {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink, false, 60_000);
    assertTrue(pipeline.submit((AgentTask) found -> {
      found.accept(write(1, "file:/streamed").withStreamingQuery("q-1"));
      found.accept(write(2, "file:/streamed").withStreamingQuery("q-1"));
    }));
    assertTrue(pipeline.flush(10_000));
    assertEquals(2, pipeline.captured.get(), "both records the task found are counted as captured");
    assertEquals(1, sink.accepted.size(), "the second changes nothing: not news");
    pipeline.close(1_000);
  }

  @Test
  void repeatedWritesSendOneMessageAndRenderOnePlanText() {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink, false, 60_000);
    for (int id = 0; id < 50; id++) {
      assertTrue(pipeline.submit(write(id, "file:/out")));
    }
    assertTrue(pipeline.flush(10_000));

    assertEquals(1, sink.accepted.size());
    assertEquals(1, rendered.get(), "plan texts of records that change nothing are never rendered");
    assertEquals(49, pipeline.unchanged.get());
    assertEquals(1, pipeline.messages.get());
    assertEquals(0, pipeline.droppedPlanTexts());
    pipeline.close(1_000);
  }

  @Test
  void everyMessageReplacesEarlierOnesOfItsProcessAndIsKeyedByTheProcessQualifiedName() {
    for (boolean perQuery : new boolean[] {false, true}) {
      RecordingSink sink = new RecordingSink();
      LineagePipeline pipeline = pipeline(sink, perQuery, 60_000);
      pipeline.submit(write(1, "file:/a"));
      pipeline.submit(write(2, "file:/b"));
      assertTrue(pipeline.flush(10_000));
      pipeline.close(1_000);

      assertEquals(2, sink.accepted.size());
      for (OutboundMessage message : sink.accepted) {
        assertTrue(message.replacesEarlier(), "replaces earlier");
        assertTrue(message.body().contains("\"qualifiedName\":\"" + message.key() + "\""), message.key());
        assertEquals("local-1", message.applicationId());
      }
      if (perQuery) {
        assertTrue(sink.accepted.get(0).key().startsWith("local-1/write/"), sink.accepted.get(0).key());
        assertTrue(!sink.accepted.get(0).key().equals(sink.accepted.get(1).key()));
      } else {
        assertEquals("local-1@cl1", sink.accepted.get(1).key());
      }
    }
  }

  @Test
  void aFlushSendsTheChangeThatWasWaitingForItsInterval() {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink, false, TimeUnit.HOURS.toMillis(1));
    pipeline.submit(large());
    pipeline.submit(write(1, "file:/one-more"));
    assertTrue(pipeline.flush(10_000));

    assertEquals(2, sink.accepted.size());
    assertTrue(sink.accepted.get(1).body().contains("file:/one-more"));
    pipeline.close(1_000);
  }

  @Test
  void closeSendsTheChangeThatWasWaitingForItsInterval() {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink, false, TimeUnit.HOURS.toMillis(1));
    pipeline.submit(large());
    pipeline.submit(write(1, "file:/one-more"));

    pipeline.close(10_000);

    assertEquals(2, sink.accepted.size());
    assertTrue(sink.accepted.get(1).body().contains("file:/one-more"));
  }

  @Test
  void aWaitingChangeIsSentOnceItsIntervalHasPassedWithoutFurtherWork() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink, false, 300);
    pipeline.submit(large());
    long submitted = System.nanoTime();
    pipeline.submit(write(1, "file:/one-more"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sink.accepted.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);

    assertEquals(2, sink.accepted.size(), "sent by the agent thread's timed wait, without a flush");
    assertTrue(waited >= 290, "not before its interval: " + waited + " ms");
    assertTrue(sink.accepted.get(1).body().contains("file:/one-more"));
    pipeline.close(1_000);
  }
}
