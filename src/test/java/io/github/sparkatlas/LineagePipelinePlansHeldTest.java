package io.github.sparkatlas;

import io.github.sparkatlas.testsupport.RecordingSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A queued record holds its execution's plan until the agent thread renders it; while that thread is behind, only
 * a bounded number of plans are held, and the records beyond go without plan text, counted, never dropped.
 */
class LineagePipelinePlansHeldTest {
  /**
   * Each execution writes a directory of its own, and at query granularity each is a process of its own: one
   * message per execution, so every execution's plan text (or its absence) is seen.
   */
  private static final boolean PER_QUERY = true;
  private final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
  private final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });

  private static QueryLineage execution(long id) {
    return new QueryLineage("local-1", "app", id, "InsertIntoHadoopFsRelationCommand", "user", 1_000 + id,
        List.of(PathDataset.of(URI.create("file:/in"))), List.of(PathDataset.of(URI.create("file:/out/" + id))),
        null).withPlanTextSource((maxChars, deadline) -> PlanTextSource.Rendering.whole("Plan of " + id));
  }

  @Test
  void whileTheAgentThreadIsBehindOnlyABoundedNumberOfPlansAreHeldAndTheRestGoWithoutPlanText() throws Exception {
    RecordingSink sink = new RecordingSink();
    CountDownLatch sinkReady = new CountDownLatch(1);
    // The agent thread creates its sink first: holding that back keeps every submission waiting in the queue.
    LineagePipeline pipeline = new LineagePipeline(1_000, () -> {
      try {
        sinkReady.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return sink;
    }, new Naming("cl1"), Redactor.defaults(), errors, PER_QUERY);
    int submitted = LineagePipeline.MAX_PLANS_HELD + 36;
    for (int id = 0; id < submitted; id++) {
      assertTrue(pipeline.submit(execution(id)));
    }
    sinkReady.countDown();

    assertTrue(pipeline.flush(30_000));

    assertEquals(submitted, sink.accepted.size());
    long withPlanText = sink.accepted.stream().filter(OutboundMessage::hasPlanText).count();
    assertEquals(LineagePipeline.MAX_PLANS_HELD, withPlanText);
    assertEquals(36, pipeline.droppedPlanTexts());
    assertEquals(1, log.lines.stream().filter(line -> line.message.contains("without plan text")).count(),
        log.lines.toString());
    pipeline.close(1_000);
  }

  @Test
  void plansRenderedByTheAgentThreadNoLongerCountAgainstTheBound() throws Exception {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = new LineagePipeline(1_000, () -> sink, new Naming("cl1"), Redactor.defaults(), errors,
        PER_QUERY);
    for (int id = 0; id < 3 * LineagePipeline.MAX_PLANS_HELD; id++) {
      assertTrue(pipeline.submit(execution(id)));
      if (id % 8 == 7) {
        assertTrue(pipeline.flush(30_000));
      }
    }
    assertTrue(pipeline.flush(30_000));

    assertTrue(sink.accepted.stream().allMatch(OutboundMessage::hasPlanText));
    assertEquals(0, pipeline.droppedPlanTexts());
    pipeline.close(1_000);
  }
}
