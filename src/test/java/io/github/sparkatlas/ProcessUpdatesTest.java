package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.ProcessKey;
import io.github.sparkatlas.model.ProcessLineage;
import io.github.sparkatlas.model.SparkEntityFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** When a process is sent: only on change, at once when small or much grown, else within the update interval. */
class ProcessUpdatesTest {
  private static final long INTERVAL_MILLIS = 10_000;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final SparkEntityFactory ENTITIES = new SparkEntityFactory(new Naming("cl1"));

  /** What was sent: the key, and the qualified dataset keys of the process at that moment. */
  private static final class Sent {
    final ProcessKey key;
    final List<String> inputs;
    final List<String> outputs;
    final long executionId;
    final long weight;

    Sent(ProcessLineage process) {
      this.key = process.key();
      this.inputs = keys(process.inputs());
      this.outputs = keys(process.outputs());
      this.executionId = process.latestExecutionId();
      this.weight = process.weight();
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private long leftOut;
  private final AtomicInteger described = new AtomicInteger();

  private ProcessUpdates updates(boolean perQuery) {
    return new ProcessUpdates(perQuery, INTERVAL_MILLIS, new ProcessUpdates.Listener() {
      @Override
      public QueryLineage describe(QueryLineage record) {
        described.incrementAndGet();
        return record;
      }

      @Override
      public void send(ProcessLineage process) {
        sent.add(new Sent(process));
      }

      @Override
      public void datasetsLeftOut(ProcessLineage process, long count) {
        leftOut += count;
      }
    });
  }

  private boolean take(ProcessUpdates updates, QueryLineage record, long now) {
    return updates.take(ENTITIES.processKey(record, updates.perQuery()), record, now);
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).collect(Collectors.toList());
  }

  private static PathDataset path(String uri) {
    return PathDataset.of(URI.create(uri));
  }

  private static TableDataset table(String name, String... columns) {
    List<Column> list = new ArrayList<>();
    for (String column : columns) {
      list.add(new Column(column, "string", true, null));
    }
    return TableDataset.builder("db", name).provider("parquet").columns(list).build();
  }

  private static QueryLineage write(long executionId, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    return new QueryLineage("app-1", "etl", executionId, "InsertIntoHadoopFsRelationCommand", "u", executionId,
        inputs, outputs, "plan " + executionId);
  }

  private static QueryLineage streaming(String queryId, long batch, List<? extends Dataset> inputs,
      List<? extends Dataset> outputs) {
    return write(batch, inputs, outputs).withStreamingQuery(queryId);
  }

  // ------------------------------------------------------------------------------------------ catalog changes

  @Test
  void aDroppedTableLeavesEveryProcessHeldIncludingAPendingChangeSoNoLaterMessageNamesIt() {
    ProcessUpdates updates = updates(false);
    List<PathDataset> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(path("file:/in/" + i));
    }
    take(updates, write(1, many, List.of(table("kept", "a"))), 0);
    // Small growth of a large process waits for the interval: the dropped table sits in a pending change.
    take(updates, write(2, List.of(table("dropped", "a")), List.of(table("kept", "a"))), SECOND);
    assertEquals(1, sent.size());
    assertEquals(1, updates.pendingProcesses());

    assertTrue(updates.forget("table:db.dropped"));
    updates.sendAll();
    take(updates, write(3, List.of(path("file:/in/new")), List.of(table("kept", "a"))), 2 * SECOND);
    updates.sendAll();

    for (Sent message : sent.subList(1, sent.size())) {
      assertTrue(!message.inputs.contains("table:db.dropped") && !message.outputs.contains("table:db.dropped"),
          "sent after the drop: " + message.inputs + " -> " + message.outputs);
    }
    assertTrue(sent.get(sent.size() - 1).inputs.contains("path:file:/in/new"));
  }

  @Test
  void aWriteAtQueryGranularityIsSentAgainOnceATableItNamedWasDroppedAndCreatedAnew() {
    ProcessUpdates updates = updates(true);
    QueryLineage write = write(1, List.of(path("file:/in")), List.of(table("daily", "a")));
    assertTrue(take(updates, write, 0));
    assertEquals(false, take(updates, write, SECOND), "the same write again is no news");

    updates.forget("table:db.daily");

    assertTrue(take(updates, write, 2 * SECOND), "the table created again is news");
    assertEquals(2, sent.size());
  }

  @Test
  void aRenamedTableIsHeldUnderItsNewNameInItsPlaceAndThatIsNoNews() {
    ProcessUpdates updates = updates(false);
    take(updates, write(1, List.of(path("file:/in")), List.of(table("old", "a"), table("other", "b"))), 0);
    assertEquals(1, sent.size());

    updates.replace("table:db.old", table("new", "a"), true);
    assertEquals(0, updates.pendingProcesses(), "Atlas heard of the rename from its own messages");
    take(updates, write(2, List.of(path("file:/in/2")), List.of(table("other", "b"))), SECOND);
    updates.sendAll();

    Sent last = sent.get(sent.size() - 1);
    assertEquals(List.of("table:db.new", "table:db.other"), last.outputs);
    assertEquals(table("new", "a"), updates.heldTable("table:db.new"));
    assertEquals(Set.of("table:db.new", "table:db.other"), updates.tablesIn("db").keySet());
  }

  // ------------------------------------------------------------------------------------------ change only

  @Test
  void aThousandWritesToTheSameThreeTablesSendAtMostFourMessages() {
    ProcessUpdates updates = updates(false);
    for (int i = 0; i < 1_000; i++) {
      take(updates, write(i, List.of(path("hdfs://nn/in")), List.of(table("t" + (i % 3), "a", "b"))), i * SECOND);
      updates.sendDue(i * SECOND);
    }
    updates.sendAll();

    assertTrue(sent.size() <= 4, "messages: " + sent.size());
    assertEquals(List.of("table:db.t0", "table:db.t1", "table:db.t2"), sent.get(sent.size() - 1).outputs);
    assertEquals(3, described.get(), "only the three records that changed the process were described");
  }

  @Test
  void aNewerExecutionIdOrPlanTextAloneIsNotNews() {
    ProcessUpdates updates = updates(false);
    QueryLineage first = write(1, List.of(path("file:/in")), List.of(path("file:/out")));
    QueryLineage again = new QueryLineage("app-1", "etl", 2, "OtherCommand", "u", 2, first.inputs(),
        first.outputs(), "another plan text");

    assertTrue(take(updates, first, 0));
    assertEquals(false, take(updates, again, SECOND));
    updates.sendAll();

    assertEquals(1, sent.size());
    assertEquals(1, sent.get(0).executionId);
  }

  @Test
  void aStreamingQuerysThousandIdenticalMicroBatchesSendOneMessageInBothModes() {
    for (boolean perQuery : new boolean[] {false, true}) {
      sent.clear();
      ProcessUpdates updates = updates(perQuery);
      for (int batch = 0; batch < 1_000; batch++) {
        take(updates, streaming("q-1", batch, List.of(path("hdfs://nn/in")), List.of(path("hdfs://nn/out"))),
            batch * SECOND);
        updates.sendDue(batch * SECOND);
      }
      updates.sendAll();

      assertEquals(1, sent.size(), "per query: " + perQuery);
      assertEquals(perQuery ? ProcessKey.Kind.STREAMING_QUERY : ProcessKey.Kind.APPLICATION,
          sent.get(0).key.kind());
    }
  }

  @Test
  void aTableWhoseSchemaChangedIsNews() {
    ProcessUpdates updates = updates(false);
    take(updates, write(1, List.of(), List.of(table("t", "a"))), 0);
    boolean changed = take(updates, write(2, List.of(), List.of(table("t", "a", "b"))), SECOND);
    updates.sendAll();

    assertTrue(changed);
    assertEquals(2, sent.size());
  }

  @Test
  void aTableReCreatedByAnOverwriteIsNotNews() {
    for (boolean perQuery : new boolean[] {false, true}) {
      sent.clear();
      ProcessUpdates updates = updates(perQuery);
      for (int i = 0; i < 100; i++) {
        // saveAsTable in overwrite mode drops and creates the table again: a new create time every write.
        TableDataset recreated = TableDataset.builder("db", "t").provider("parquet").createTime(1_000L + i)
            .columns(List.of(new Column("a", "string", true, null))).build();
        take(updates, write(i, List.of(path("file:/in")), List.of(recreated)), i * SECOND);
      }
      updates.sendAll();

      assertEquals(1, sent.size(), "per query: " + perQuery);
    }
  }

  @Test
  void aTableThatIsLaterWrittenLeavesTheApplicationsInputsAndThatIsNews() {
    ProcessUpdates updates = updates(false);
    take(updates, write(1, List.of(table("a")), List.of(table("b"))), 0);
    boolean changed = take(updates, write(2, List.of(table("c")), List.of(table("a"))), SECOND);
    updates.sendAll();

    assertTrue(changed);
    Sent last = sent.get(sent.size() - 1);
    assertEquals(List.of("table:db.c"), last.inputs);
    assertEquals(List.of("table:db.b", "table:db.a"), last.outputs);
  }

  // ------------------------------------------------------------------------------------------ growth and interval

  /** A process of {@code n} output paths, sent; returns the time it was built at. */
  private ProcessUpdates withOutputs(int n) {
    ProcessUpdates updates = updates(false);
    List<Dataset> outputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      outputs.add(path("file:/out/" + i));
    }
    take(updates, write(0, List.of(), outputs), 0);
    assertEquals(1, sent.size());
    return updates;
  }

  @Test
  void aSmallStateIsSentAtOnceWhenItGrows() {
    ProcessUpdates updates = withOutputs(3);
    take(updates, write(1, List.of(), List.of(path("file:/new"))), SECOND);

    assertEquals(2, sent.size());
  }

  @Test
  void aLargeStateThatGrewLittleWaitsForTheIntervalThenIsSent() {
    ProcessUpdates updates = withOutputs(100);
    take(updates, write(1, List.of(), List.of(path("file:/new-1"))), SECOND);
    take(updates, write(2, List.of(), List.of(path("file:/new-2"))), 2 * SECOND);
    updates.sendDue(SECOND + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS) - 1);
    assertEquals(1, sent.size(), "not before the oldest unsent change is one interval old");
    assertEquals(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS) - SECOND, updates.nanosUntilDue(2 * SECOND));

    updates.sendDue(SECOND + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS));

    assertEquals(2, sent.size(), "both changes in one message");
    assertTrue(sent.get(1).outputs.containsAll(List.of("path:file:/new-1", "path:file:/new-2")));
    assertEquals(Long.MAX_VALUE, updates.nanosUntilDue(100 * SECOND), "nothing unsent");
  }

  @Test
  void aLargeStateThatGrewByAQuarterIsSentAtOnce() {
    ProcessUpdates updates = withOutputs(100);
    List<Dataset> more = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      more.add(path("file:/more/" + i));
    }
    take(updates, write(1, List.of(), more), SECOND);

    assertEquals(2, sent.size());
    assertEquals(125, sent.get(1).outputs.size());
  }

  @Test
  void ofChangesCoalescedIntoOneMessageOnlyTheLastIsDescribed() {
    ProcessUpdates updates = withOutputs(100);
    int describedBefore = described.get();
    for (int i = 1; i <= 10; i++) {
      take(updates, write(i, List.of(), List.of(path("file:/new-" + i))), i * SECOND);
    }
    assertEquals(describedBefore, described.get(), "nothing rendered while the changes wait");
    assertEquals(1, updates.pendingPlans());

    updates.sendAll();

    assertEquals(describedBefore + 1, described.get(), "the plan text of the change that is sent, only");
    assertEquals(10, sent.get(1).executionId);
    assertEquals(0, updates.pendingPlans());
  }

  @Test
  void unsentChangesKeepABoundedNumberOfPlans() {
    ProcessUpdates updates = updates(true);
    List<Dataset> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(path("file:/in/" + i));
    }
    int queries = ProcessUpdates.MAX_PENDING_PLANS + 5;
    for (int q = 0; q < queries; q++) {
      take(updates, streaming("q-" + q, 0, many, List.of(path("file:/out/" + q))), 0);
      take(updates, streaming("q-" + q, 1, List.of(path("file:/late/" + q)), List.of()), 1);
    }

    assertEquals(queries, updates.pendingProcesses());
    assertEquals(ProcessUpdates.MAX_PENDING_PLANS, updates.pendingPlans());
    assertEquals(queries + 5, described.get(), "past the bound a change is described at once");
    updates.sendAll();
    assertEquals(2 * queries, described.get());
    assertEquals(2 * queries, sent.size());
    assertTrue(sent.stream().allMatch(s -> s.executionId >= 0));
  }

  @Test
  void aFlushSendsEveryUnsentChange() {
    ProcessUpdates updates = withOutputs(100);
    take(updates, write(1, List.of(), List.of(path("file:/new"))), SECOND);
    assertEquals(1, updates.pendingProcesses());

    updates.sendAll();

    assertEquals(2, sent.size());
    assertEquals(101, sent.get(1).outputs.size());
    assertEquals(0, updates.pendingProcesses());
  }

  @Test
  void threeThousandWritesToNewDirectoriesStayWithinTheDocumentedBound() {
    ProcessUpdates updates = updates(false);
    int writes = 3_000;
    long now = 0;
    for (int i = 0; i < writes; i++) {
      now = i * TimeUnit.MILLISECONDS.toNanos(20); // 60 s in all
      take(updates, write(i, List.of(path("hdfs://nn/in")), List.of(path("hdfs://nn/out/" + i))), now);
      updates.sendDue(now);
    }
    updates.sendAll();

    long finalWeight = sent.get(sent.size() - 1).weight;
    assertEquals(writes + 1, finalWeight);
    long sentWeight = sent.stream().mapToLong(s -> s.weight).sum();
    long runtimeMillis = TimeUnit.NANOSECONDS.toMillis(now);
    long bound = ProcessUpdates.SMALL_WEIGHT * ProcessUpdates.SMALL_WEIGHT
        + finalWeight * (100 + ProcessUpdates.GROWTH_PERCENT) / ProcessUpdates.GROWTH_PERCENT
        + finalWeight * (runtimeMillis / INTERVAL_MILLIS + 1);
    assertTrue(sentWeight <= bound, "sent " + sentWeight + " units, bound " + bound);
    assertTrue(sent.size() < 60, "messages: " + sent.size());
  }

  // ------------------------------------------------------------------------------------------ query granularity

  @Test
  void atQueryGranularityEachDistinctWriteIsAProcessSentOnce() {
    ProcessUpdates updates = updates(true);
    for (int i = 0; i < 1_000; i++) {
      take(updates, write(i, List.of(path("hdfs://nn/in")), List.of(table("t" + (i % 3)))), i);
    }
    assertEquals(3, sent.size());
    Set<String> keys = new TreeSet<>();
    for (Sent s : sent) {
      assertEquals(ProcessKey.Kind.WRITE, s.key.kind());
      assertEquals(List.of("path:hdfs://nn/in"), s.inputs);
      assertEquals(1, s.outputs.size(), "only that write's output");
      keys.add(s.key.id());
    }
    assertEquals(3, keys.size());
  }

  @Test
  void atQueryGranularityAWriteWhoseTableChangedIsSentAgainUnderTheSameName() {
    ProcessUpdates updates = updates(true);
    take(updates, write(1, List.of(), List.of(table("t", "a"))), 0);
    take(updates, write(2, List.of(), List.of(table("t", "a", "b"))), 1);

    assertEquals(2, sent.size());
    assertEquals(sent.get(0).key, sent.get(1).key);
  }

  @Test
  void atQueryGranularityATableReadAndOverwrittenIsBothInputAndOutput() {
    ProcessUpdates updates = updates(true);
    take(updates, write(1, List.of(table("t")), List.of(table("t"))), 0);
    take(updates, streaming("q", 1, List.of(table("s")), List.of(table("s"))), 0);

    assertEquals(2, sent.size());
    for (Sent s : sent) {
      assertEquals(s.inputs, s.outputs);
      assertEquals(1, s.inputs.size());
    }
  }

  @Test
  void atQueryGranularityAStreamingQueryUnionsItsOwnRecordsOnly() {
    ProcessUpdates updates = updates(true);
    take(updates, streaming("q-1", 1, List.of(path("hdfs://nn/topicdir")), List.of(path("hdfs://nn/sink"))), 0);
    // A write made inside the query's foreachBatch: its input is the query's source.
    take(updates, streaming("q-1", 2, List.of(path("hdfs://nn/topicdir")), List.of(table("t"))), SECOND);
    take(updates, streaming("q-2", 1, List.of(path("hdfs://nn/other")), List.of(path("hdfs://nn/sink2"))), SECOND);
    updates.sendAll();

    Sent q1 = sent.stream().filter(s -> s.key.id().equals("q-1")).reduce((a, b) -> b).get();
    assertEquals(List.of("path:hdfs://nn/topicdir"), q1.inputs);
    assertEquals(List.of("path:hdfs://nn/sink", "table:db.t"), q1.outputs);
    Sent q2 = sent.stream().filter(s -> s.key.id().equals("q-2")).reduce((a, b) -> b).get();
    assertEquals(List.of("path:hdfs://nn/sink2"), q2.outputs);
  }

  @Test
  void atApplicationGranularityStreamingAndBatchRecordsAreOneUnion() {
    ProcessUpdates updates = updates(false);
    take(updates, write(1, List.of(path("file:/a")), List.of(path("file:/b"))), 0);
    take(updates, streaming("q-1", 1, List.of(path("file:/c")), List.of(path("file:/d"))), 0);

    Sent last = sent.get(sent.size() - 1);
    assertEquals(ProcessKey.Kind.APPLICATION, last.key.kind());
    assertEquals(List.of("path:file:/a", "path:file:/c"), last.inputs);
    assertEquals(List.of("path:file:/b", "path:file:/d"), last.outputs);
  }

  // ------------------------------------------------------------------------------------------ memory

  @Test
  void rememberedWritesAreBoundedAndAForgottenOneIsSentAgain() {
    ProcessUpdates updates = updates(true);
    int writes = ProcessUpdates.MAX_WRITES_REMEMBERED + 10;
    for (int i = 0; i < writes; i++) {
      take(updates, write(i, List.of(), List.of(path("file:/out/" + i))), i);
    }
    assertEquals(ProcessUpdates.MAX_WRITES_REMEMBERED, updates.writesRemembered());
    assertEquals(0, updates.processesHeld(), "batch writes hold no union");

    take(updates, write(0, List.of(), List.of(path("file:/out/0"))), writes);

    assertEquals(writes + 1, sent.size(), "the forgotten write is sent again, nothing is lost");
  }

  @Test
  void aStreamingQueryPushedOutOfMemoryIsSentFirstWhenItHasAnUnsentChange() {
    ProcessUpdates updates = updates(true);
    List<Dataset> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(path("file:/in/" + i));
    }
    take(updates, streaming("first", 0, many, List.of(path("file:/out"))), 0);
    take(updates, streaming("first", 1, List.of(path("file:/in/late")), List.of()), 1);
    assertEquals(1, updates.pendingProcesses());
    for (int q = 0; q < ProcessUpdates.MAX_STREAMING_QUERIES; q++) {
      take(updates, streaming("other-" + q, 0, List.of(), List.of(path("file:/o/" + q))), 2);
    }

    assertEquals(ProcessUpdates.MAX_STREAMING_QUERIES, updates.processesHeld());
    List<Sent> first = sent.stream().filter(s -> s.key.id().equals("first")).collect(Collectors.toList());
    assertEquals(2, first.size());
    assertTrue(first.get(1).inputs.contains("path:file:/in/late"));
    assertEquals(0, updates.pendingProcesses());
  }

  @Test
  void datasetsOverTheLimitAreReportedToTheListener() {
    ProcessUpdates updates = updates(false);
    List<Dataset> many = new ArrayList<>();
    for (int i = 0; i < ProcessLineage.MAX_DATASETS_PER_SIDE + 2; i++) {
      many.add(path("file:/many/" + i));
    }
    take(updates, write(1, Collections.emptyList(), many), 0);

    assertEquals(2, leftOut);
  }
}
