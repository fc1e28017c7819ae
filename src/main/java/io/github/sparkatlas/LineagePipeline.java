package io.github.sparkatlas;

import io.github.sparkatlas.capture.JdbcQueries;
import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.lineage.CatalogChange;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.model.CatalogChangeNotifications;
import io.github.sparkatlas.model.HookNotification;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.ProcessLineage;
import io.github.sparkatlas.model.SparkEntityFactory;
import io.github.sparkatlas.redact.Redactor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The agent's own thread: everything after the capture (rendering the plan text, redaction, entities, JSON, handing
 * over to the sink) happens here, so Spark's listener thread only ever enqueues. The queue is bounded; a full queue
 * drops and counts, never waits. The sink keeps what it accepts (the Kafka sink on disk) and does its network work on
 * a thread of its own, so a slow broker never backs this queue up.
 */
final class LineagePipeline {
  /**
   * What close() gives the agent thread to put the last submissions into the sink (local disk for Kafka) after the
   * flush timeout is used up; also bounds its waits for Spark's submitting threads and for the agent thread to end.
   */
  private static final long LAST_HAND_OVER_MILLIS = 1_000;
  /**
   * Records in the queue that may still hold their execution's plan (to render its text). A plan can pin much more
   * than its text (a file index's listing, local rows), so while the agent thread is this far behind, further
   * records are queued without theirs: their messages go without plan text, counted as dropped plan texts.
   */
  static final int MAX_PLANS_HELD = 64;
  /** Tells the agent thread to end. */
  private static final Object STOP = new Object();

  private final BlockingQueue<Object> queue;
  private final Supplier<Sink> sinkFactory;
  private volatile Sink sink;
  private final Naming naming;
  private final SparkEntityFactory entities;
  private final Redactor redactor;
  private final PlanTexts planTexts;
  private final ErrorReporter errors;
  private final Thread thread;
  /** When each process is sent; owned by the agent thread. */
  private final ProcessUpdates updates;
  /** Applies catalog changes to what {@link #updates} holds and sends their messages; owned by the agent thread. */
  private final CatalogChanges catalogChanges;
  /** Its sink could not be created: the agent thread has given up, and said so at ERROR. */
  private volatile boolean sinkFailed;
  /** close() has taken the last submission: anything submitted later is refused, and counted as such. */
  private volatile boolean closed;
  /** The agent thread is to end; set by close() once everything submitted before it is with the sink. */
  private volatile boolean finished;
  /** Submissions under way on Spark's threads, so that close() knows when the last one has reached the queue. */
  private final AtomicInteger submitting = new AtomicInteger();
  /** Queued records that still hold a plan; bounded by {@link #MAX_PLANS_HELD}. */
  private final AtomicInteger plansHeld = new AtomicInteger();
  /** Plan texts left out because too many plans were waiting for the agent thread. */
  private final AtomicLong plansNotHeld = new AtomicLong();
  final AtomicLong captured = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  /** Executions Spark reported after the agent had closed for the JVM's exit: not lineage lost to a full queue. */
  final AtomicLong droppedAfterClose = new AtomicLong();
  final AtomicLong messages = new AtomicLong();
  /** Records that changed no process: nothing sent, plan text never rendered. */
  final AtomicLong unchanged = new AtomicLong();
  /** Datasets left out of a process's lineage at ProcessLineage.MAX_DATASETS_PER_SIDE. */
  final AtomicLong datasetsOverLimit = new AtomicLong();

  /** With the default plan text length and time budget, at application granularity. */
  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, ErrorReporter errors) {
    this(capacity, sinkFactory, naming, redactor, errors, false);
  }

  /** With the default plan text length, time budget and update interval. */
  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, ErrorReporter errors,
      boolean perQuery) {
    this(capacity, sinkFactory, naming, redactor, new PlanTexts(redactor,
        AgentConfigDef.PLAN_TEXT_MAX_LENGTH.defaultValue(), AgentConfigDef.CAPTURE_BUDGET_MS.defaultValue(), errors),
        errors, perQuery, AgentConfigDef.PROCESS_UPDATE_INTERVAL_MS.defaultValue());
  }

  /** At application granularity, with the default update interval. */
  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, PlanTexts planTexts,
      ErrorReporter errors) {
    this(capacity, sinkFactory, naming, redactor, planTexts, errors, false,
        AgentConfigDef.PROCESS_UPDATE_INTERVAL_MS.defaultValue());
  }

  /**
   * @param perQuery             query granularity: a spark_process per batch write and per streaming query, each
   *                             with its spark_application; else one spark_process per application
   * @param updateIntervalMillis how long a change too small to be sent at once may wait (see {@link ProcessUpdates})
   */
  LineagePipeline(int capacity, Supplier<Sink> sinkFactory, Naming naming, Redactor redactor, PlanTexts planTexts,
      ErrorReporter errors, boolean perQuery, long updateIntervalMillis) {
    this.updates = new ProcessUpdates(perQuery, updateIntervalMillis, new ProcessUpdates.Listener() {
      @Override
      public QueryLineage describe(QueryLineage record) {
        return LineagePipeline.this.planTexts.render(record).withRedactedText(LineagePipeline.this.redactor::redact);
      }

      @Override
      public void send(ProcessLineage process) {
        LineagePipeline.this.send(process);
      }

      @Override
      public void datasetsLeftOut(ProcessLineage process, long count) {
        noteDatasetLimit(process, count);
      }
    });
    this.catalogChanges = new CatalogChanges(updates, new CatalogChangeNotifications(
        new SparkEntityFactory(naming, redactor)), this::send, errors);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sinkFactory = sinkFactory;
    this.naming = naming;
    this.entities = new SparkEntityFactory(naming, redactor);
    this.redactor = redactor;
    this.planTexts = planTexts;
    this.errors = errors;
    this.thread = new Thread(this::run, "spark-atlas-agent");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Called on Spark's listener thread: never blocks. */
  boolean submit(QueryLineage lineage) {
    captured.incrementAndGet();
    submitting.incrementAndGet();
    try {
      if (closed) {
        droppedAfterClose.incrementAndGet();
        errors.warnOnce("closed", "spark-atlas-agent had already shut down for the JVM's exit when Spark reported "
            + "an execution; its lineage is not captured (counted as dropped after close)");
        return false;
      }
      if (sinkFailed) {
        // Said at ERROR when the sink could not be created; every later execution is lost the same way.
        dropped.incrementAndGet();
        return false;
      }
      QueryLineage queued = withinPlansHeld(lineage);
      if (!queue.offer(queued)) {
        if (queued.planTextSource() != null) {
          plansHeld.decrementAndGet();
        }
        return refusedByFullQueue();
      }
      return true;
    } finally {
      submitting.decrementAndGet();
    }
  }

  /**
   * Called on Spark's threads: never blocks. Refused (and counted as dropped) when the queue is full or the agent
   * has closed, like a captured execution.
   */
  boolean submit(AgentTask task) {
    submitting.incrementAndGet();
    try {
      if (closed || sinkFailed) {
        return false;
      }
      if (!queue.offer(task)) {
        return refusedByFullQueue();
      }
      return true;
    } finally {
      submitting.decrementAndGet();
    }
  }

  /**
   * Called on Spark's listener thread: never blocks. A catalog change (a DDL or DROP) is queued in order with the
   * executions, and refused (counted as dropped) like one when the queue is full.
   */
  boolean submit(CatalogChange change) {
    submitting.incrementAndGet();
    try {
      if (closed) {
        droppedAfterClose.incrementAndGet();
        return false;
      }
      if (sinkFailed) {
        dropped.incrementAndGet();
        return false;
      }
      return queue.offer(change) || refusedByFullQueue();
    } finally {
      submitting.decrementAndGet();
    }
  }

  /** Counts what a full queue refused, and says once that it happens: the Spark job never waits for us. */
  private boolean refusedByFullQueue() {
    dropped.incrementAndGet();
    errors.warnOnce("queue-full", "spark-atlas-agent queue is full (atlas.spark.queue.capacity); lineage of "
        + "some executions is dropped and counted, the Spark job is not slowed down");
    return false;
  }

  /** The record as it may be queued: without its plan once {@link #MAX_PLANS_HELD} plans are waiting already. */
  private QueryLineage withinPlansHeld(QueryLineage lineage) {
    if (lineage.planTextSource() == null) {
      return lineage;
    }
    if (plansHeld.incrementAndGet() <= MAX_PLANS_HELD) {
      return lineage;
    }
    plansHeld.decrementAndGet();
    plansNotHeld.incrementAndGet();
    errors.warnOnce("plans-held", "spark-atlas-agent: more than " + MAX_PLANS_HELD + " executions are waiting for "
        + "the agent thread; the next ones are sent without plan text, to bound the memory their plans hold "
        + "(reported once, counted in the summary as dropped plan texts)");
    return lineage.withPlanText(null);
  }

  /**
   * Waits at most {@code timeoutMillis} until everything submitted so far has been handed to the sink and
   * the sink has delivered it. Returns false on timeout; nothing is lost by returning.
   */
  boolean flush(long timeoutMillis) {
    long deadline = deadline(timeoutMillis);
    return handOver(timeoutMillis) && deliver(remaining(deadline));
  }

  /** Waits at most {@code timeoutMillis} until the agent thread has handed everything submitted so far to the sink. */
  private boolean handOver(long timeoutMillis) {
    if (sinkFailed || finished) {
      return false;
    }
    long deadline = deadline(timeoutMillis);
    CountDownLatch done = new CountDownLatch(1);
    try {
      return queue.offer(done, timeoutMillis, TimeUnit.MILLISECONDS)
          && done.await(remaining(deadline), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean deliver(long timeoutMillis) {
    Sink current = sink;
    return current == null || current.flush(timeoutMillis);
  }

  private static long deadline(long timeoutMillis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  private static long remaining(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /**
   * Flushes within the timeout, then stops the thread and closes the sink. Executions submitted while the flush
   * runs are still taken and handed to the sink (on disk for Kafka) before it closes, even when the flush used up
   * the timeout: that is local work, and the only way they are not lost. Only what is submitted after that is
   * refused.
   */
  boolean close(long timeoutMillis) {
    long deadline = deadline(timeoutMillis);
    boolean delivered = flush(timeoutMillis);
    closed = true;
    awaitSubmissions();
    boolean handedOver = handOver(Math.max(remaining(deadline), LAST_HAND_OVER_MILLIS));
    // A flush that failed once would fail again: only what came in after a successful one is worth waiting for.
    delivered = delivered && handedOver && deliver(remaining(deadline));
    finished = true;
    stopThread();
    try {
      Sink current = sink;
      if (current != null) {
        current.close(remaining(deadline));
      }
    } catch (Throwable t) {
      errors.internalError("closing the sink", t);
    }
    return delivered;
  }

  /** Submitters that read {@code closed} as false before close() set it are offering to the queue: let them finish. */
  private void awaitSubmissions() {
    long deadline = deadline(LAST_HAND_OVER_MILLIS);
    while (submitting.get() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
  }

  /**
   * Ends the agent thread with a marker rather than an interrupt: an interrupt during a spool write or sync would
   * close the spool's file channel under it.
   */
  private void stopThread() {
    if (!queue.offer(STOP)) {
      thread.interrupt();
    }
    try {
      thread.join(LAST_HAND_OVER_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the sink has done, or all zero before it exists. */
  DeliveryStats deliveryStats() {
    Sink current = sink;
    return current == null ? new DeliveryStats(0, 0, 0, 0, 0, 0, 0) : current.stats();
  }

  /** Whether the destination is known to refuse what it is sent, so that nobody waits for a flush. */
  boolean deliveryRefused() {
    Sink current = sink;
    return current != null && current.refusing();
  }

  /** Whether the agent thread has given up (its sink could not be created). */
  boolean sinkFailed() {
    return sinkFailed;
  }

  private void run() {
    try {
      // Created here, not on the thread that starts the SparkContext: a producer loads classes and logs in.
      sink = sinkFactory.get();
    } catch (Throwable t) {
      sinkFailed = true;
      queue.clear();
      AtlasAgent.LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: cannot create its "
          + "sink ({})", redactor.redact(t.toString()));
      return;
    }
    while (!finished) {
      Object task;
      try {
        // Wakes up for a coalesced change that has waited its interval, not only for new work.
        long wait = updates.nanosUntilDue(System.nanoTime());
        task = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (task == STOP) {
        sendPending();
        return;
      }
      try {
        if (task == null) {
          updates.sendDue(System.nanoTime());
        } else if (task instanceof CountDownLatch) {
          // A flush: what is coalesced goes now, so that application end loses nothing.
          updates.sendAll();
          ((CountDownLatch) task).countDown();
        } else if (task instanceof CatalogChange) {
          catalogChanges.apply((CatalogChange) task);
        } else if (task instanceof AgentTask) {
          ((AgentTask) task).run(this::processFound);
        } else {
          processQueued((QueryLineage) task);
        }
        updates.sendDue(System.nanoTime());
        if (queue.isEmpty()) {
          sink.sync();
        }
      } catch (Throwable t) {
        errors.internalError("building or sending a message", t);
      }
    }
  }

  /** A record an agent task found (a streaming query's state, a foreachBatch write): captured like an execution. */
  private void processFound(QueryLineage found) {
    captured.incrementAndGet();
    process(found);
  }

  private void processQueued(QueryLineage captured) {
    if (captured.planTextSource() != null) {
      plansHeld.decrementAndGet();
    }
    process(captured);
  }

  /** Sends what is still coalesced as the agent thread ends (close() has flushed already, unless it timed out). */
  private void sendPending() {
    try {
      updates.sendAll();
      sink.sync();
    } catch (Throwable t) {
      errors.internalError("building or sending a message", t);
    }
  }

  /**
   * A record that changes nothing its process's message says is dropped here, its plan (if it still holds one) let
   * go without rendering: only a record whose change is sent costs its plan text (see {@link ProcessUpdates}).
   */
  private void process(QueryLineage record) {
    // A JDBC query's tables are parsed here, on the agent thread, not at capture.
    QueryLineage captured = JdbcQueries.resolve(record, (key, message) -> errors.warnOnce("gap:" + key, message));
    boolean changed = updates.take(entities.processKey(captured, updates.perQuery()), captured, System.nanoTime());
    if (!changed) {
      unchanged.incrementAndGet();
    }
  }

  /** The message of a process's whole state: an earlier one of the same process still waiting says nothing more. */
  private void send(ProcessLineage process) {
    HookNotification notification = entities.processNotification(process);
    sink.accept(new OutboundMessage(process.applicationId(), naming.process(process.key()), process.user(),
        System.currentTimeMillis(), NotificationJson.toText(NotificationJson.toJson(notification)),
        process.latestPlanText() != null, true));
    messages.incrementAndGet();
  }

  /**
   * One message of a catalog change. Keyed like the application's process, so that on Kafka it stays in order with
   * that process's messages (one partition); it never replaces an earlier message nor is replaced by a later one.
   */
  private void send(CatalogChange change, HookNotification notification) {
    sink.accept(new OutboundMessage(change.applicationId(), naming.process(change.applicationId()), change.user(),
        change.timeMillis(), NotificationJson.toText(NotificationJson.toJson(notification)), false, false));
    messages.incrementAndGet();
  }

  /** The dataset limit is said once per process at WARN, and every dataset it leaves out is counted. */
  private void noteDatasetLimit(ProcessLineage process, long notAdded) {
    datasetsOverLimit.addAndGet(notAdded);
    errors.warnOnce("dataset-limit:" + process.key(), "spark-atlas-agent: spark_process "
        + naming.process(process.key()) + " has read or written more than " + ProcessLineage.MAX_DATASETS_PER_SIDE
        + " datasets on one side; further inputs or outputs are left out of it (reported once, counted in the "
        + "summary as datasets over limit)");
  }

  /** The change detection's state, for tests and benchmarks: read it on the agent thread only (in an AgentTask). */
  ProcessUpdates updatesForBench() {
    return updates;
  }

  /**
   * Plan texts left out on the agent's side: rendering them took longer than the time budget, or too many plans
   * were waiting to be rendered.
   */
  long droppedPlanTexts() {
    return planTexts.overBudget() + plansNotHeld.get();
  }
}
