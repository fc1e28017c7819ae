package io.github.sparkatlas;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.DatasetDetails;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.ProcessKey;
import io.github.sparkatlas.model.ProcessLineage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decides when a spark_process is sent, on the agent thread. A record that changes nothing a process's message says
 * (its inputs and outputs, with their details) sends nothing: micro-batches and repeated writes are not news.
 *
 * <p>A process that keeps its whole union in each message (an application, a streaming query) is sent at once when
 * its state is small ({@value #SMALL_WEIGHT} units or less, about one per entity sent: see
 * {@link io.github.sparkatlas.model.DatasetDetails#weight}) or
 * grew by {@value #GROWTH_PERCENT}% or more since it was last sent. Any other change waits until the oldest unsent
 * one is one update interval old, and is sent at every flush (application end). So for a process whose final
 * message has size F, the bytes of all its messages stay below
 * {@code SMALL_WEIGHT² units + F × (100 + GROWTH_PERCENT) / GROWTH_PERCENT + F × (runtime / interval + flushes)}:
 * at most SMALL_WEIGHT messages go while the state is small, the sizes sent for growth rise geometrically, and the
 * interval allows one message per interval however fast the changes come.
 *
 * <p>A batch write at query granularity is a process of its own whose every message is one execution's lineage:
 * each new write is sent at once, so the bytes grow linearly with the distinct writes.
 *
 * <p>Memory: at most {@value #MAX_APPLICATIONS} applications and {@value #MAX_STREAMING_QUERIES} streaming queries
 * are held with their unions (each bounded by {@link ProcessLineage#MAX_DATASETS_PER_SIDE} per side); of batch
 * writes only a fingerprint, for the last {@value #MAX_WRITES_REMEMBERED}. A process pushed out of memory is sent
 * first if it has an unsent change; a write forgotten and done again is sent again.
 */
final class ProcessUpdates {
  /** Applications remembered at once; a long-lived driver runs them one after another. */
  static final int MAX_APPLICATIONS = 8;
  /** Streaming queries remembered at once, at query granularity. */
  static final int MAX_STREAMING_QUERIES = 1_000;
  /** Batch writes whose fingerprint is remembered, at query granularity. */
  static final int MAX_WRITES_REMEMBERED = 10_000;
  /** A state this small is sent at once when it grows: a few entities are cheap to send again. */
  static final long SMALL_WEIGHT = 32;
  /** Growth since the last message that is sent at once. */
  static final int GROWTH_PERCENT = 25;
  /**
   * Unsent changes that may keep their record's plan until the message is made, so that only the plan text that is
   * sent is rendered. A plan can pin much more than its text; past this many, a change's text is rendered at once.
   */
  static final int MAX_PENDING_PLANS = 16;

  /** What the updates lead to, on the agent thread. */
  interface Listener {
    /** The record as a message describes its process: plan text rendered, free text redacted (the costly part). */
    QueryLineage describe(QueryLineage record);

    /** Builds and hands over the message of this process's whole state. */
    void send(ProcessLineage process);

    /** {@code count} datasets were left out of {@code process} at its per-side limit. */
    void datasetsLeftOut(ProcessLineage process, long count);
  }

  /** A process held with its union, and what was last sent of it. */
  private static final class Tracked {
    final ProcessLineage lineage;
    long sentWeight = -1;
    /** When its oldest unsent change was made (nanoTime); -1 when nothing is unsent. */
    long pendingSince = -1;
    /** The latest unsent change, not yet described (its plan text not rendered); null when described already. */
    QueryLineage undescribed;

    Tracked(ProcessLineage lineage) {
      this.lineage = lineage;
    }
  }

  private final boolean perQuery;
  private final long intervalNanos;
  private final Listener listener;
  private final Map<ProcessKey, Tracked> unions;
  private final Map<ProcessKey, Long> writes;
  /** Processes with an unsent change, oldest change first. */
  private final Map<ProcessKey, Tracked> pending = new LinkedHashMap<>();
  /** Pending processes whose latest change is kept undescribed, with its plan. */
  private int pendingPlans;

  /**
   * @param perQuery       query granularity: a process per batch write and per streaming query
   * @param intervalMillis how long a change too small to be sent at once may wait
   */
  ProcessUpdates(boolean perQuery, long intervalMillis, Listener listener) {
    this.perQuery = perQuery;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    this.listener = listener;
    this.unions = lru(perQuery ? MAX_STREAMING_QUERIES : MAX_APPLICATIONS, true);
    this.writes = lru(MAX_WRITES_REMEMBERED, false);
  }

  private <V> Map<ProcessKey, V> lru(int maxEntries, boolean sendPendingOnEviction) {
    return new LinkedHashMap<ProcessKey, V>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<ProcessKey, V> eldest) {
        if (size() <= maxEntries) {
          return false;
        }
        if (sendPendingOnEviction && pending.containsKey(eldest.getKey())) {
          send(pending.get(eldest.getKey()));
        }
        return true;
      }
    };
  }

  boolean perQuery() {
    return perQuery;
  }

  /**
   * Takes one record of process {@code key}. Only a record that changes its process is described (its plan text
   * rendered), and of the changes coalesced into one message only the last.
   *
   * @return whether the record changed its process
   */
  boolean take(ProcessKey key, QueryLineage record, long nowNanos) {
    if (key.kind() == ProcessKey.Kind.WRITE) {
      return takeWrite(key, record);
    }
    Tracked tracked = unions.get(key);
    if (tracked == null) {
      tracked = new Tracked(key.kind() == ProcessKey.Kind.APPLICATION ? new ApplicationLineage(key.applicationId())
          : new ProcessLineage(key, false));
      unions.put(key, tracked);
    }
    ProcessLineage lineage = tracked.lineage;
    long notAddedBefore = lineage.datasetsNotAdded();
    boolean changed = lineage.addDatasets(record);
    if (lineage.datasetsNotAdded() > notAddedBefore) {
      listener.datasetsLeftOut(lineage, lineage.datasetsNotAdded() - notAddedBefore);
    }
    if (!changed) {
      return false;
    }
    if (newsNow(tracked)) {
      keepUndescribed(tracked, null);
      lineage.describe(listener.describe(record));
      send(tracked);
      return true;
    }
    if (tracked.pendingSince < 0) {
      tracked.pendingSince = nowNanos;
      pending.put(key, tracked);
    }
    if (tracked.undescribed != null || pendingPlans < MAX_PENDING_PLANS) {
      keepUndescribed(tracked, record);
    } else {
      lineage.describe(listener.describe(record));
    }
    return true;
  }

  /** Replaces the change kept undescribed (null: none), letting go of the earlier one's plan. */
  private void keepUndescribed(Tracked tracked, QueryLineage record) {
    pendingPlans += (record != null ? 1 : 0) - (tracked.undescribed != null ? 1 : 0);
    tracked.undescribed = record;
  }

  private boolean takeWrite(ProcessKey key, QueryLineage record) {
    long fingerprint = DatasetDetails.fingerprint(record);
    Long before = writes.get(key);
    if (before != null && before == fingerprint) {
      return false;
    }
    writes.put(key, fingerprint);
    ProcessLineage write = new ProcessLineage(key, false);
    write.add(listener.describe(record));
    if (write.datasetsNotAdded() > 0) {
      listener.datasetsLeftOut(write, write.datasetsNotAdded());
    }
    listener.send(write);
    return true;
  }

  private static boolean newsNow(Tracked tracked) {
    long weight = tracked.lineage.weight();
    if (tracked.sentWeight < 0) {
      return true;
    }
    boolean grew = weight > tracked.sentWeight;
    return grew && (weight <= SMALL_WEIGHT || weight * 100 >= tracked.sentWeight * (100L + GROWTH_PERCENT));
  }

  private void send(Tracked tracked) {
    if (tracked.undescribed != null) {
      QueryLineage record = tracked.undescribed;
      keepUndescribed(tracked, null);
      tracked.lineage.describe(listener.describe(record));
    }
    pending.remove(tracked.lineage.key());
    tracked.pendingSince = -1;
    tracked.sentWeight = tracked.lineage.weight();
    listener.send(tracked.lineage);
  }

  /** Sends every process whose oldest unsent change is one interval old. */
  void sendDue(long nowNanos) {
    List<Tracked> due = new ArrayList<>();
    for (Tracked tracked : pending.values()) {
      if (nowNanos - tracked.pendingSince < intervalNanos) {
        break;
      }
      due.add(tracked);
    }
    for (Tracked tracked : due) {
      send(tracked);
    }
  }

  /** Sends every unsent change: at a flush, so that application end loses nothing. */
  void sendAll() {
    for (Iterator<Tracked> it = new ArrayList<>(pending.values()).iterator(); it.hasNext(); ) {
      send(it.next());
    }
  }

  /** How long until the oldest unsent change is due; Long.MAX_VALUE when nothing is unsent. */
  long nanosUntilDue(long nowNanos) {
    for (Tracked tracked : pending.values()) {
      return Math.max(0, tracked.pendingSince + intervalNanos - nowNanos);
    }
    return Long.MAX_VALUE;
  }

  /**
   * A dropped table (or view) leaves every process held, so that no later message, pending ones included, brings it
   * back. The fingerprints of batch writes are forgotten too: a write of a table created again under the same name
   * is news, and is sent again.
   *
   * @return whether any process held it
   */
  boolean forget(String datasetKey) {
    boolean held = false;
    for (Tracked tracked : unions.values()) {
      long before = tracked.lineage.weight();
      if (tracked.lineage.remove(datasetKey)) {
        held = true;
        takeAsSent(tracked, before);
      }
    }
    writes.clear();
    return held;
  }

  /**
   * A table renamed, or defined anew by DDL: every process held names it by {@code replacement} from now on. Atlas
   * has heard of the change from the catalog change's own messages, so this is not news for the processes.
   *
   * @param renamed whether the name changed: then the fingerprints of batch writes are forgotten, as for a drop
   */
  void replace(String datasetKey, Dataset replacement, boolean renamed) {
    for (Tracked tracked : unions.values()) {
      long before = tracked.lineage.weight();
      if (tracked.lineage.replace(datasetKey, replacement)) {
        takeAsSent(tracked, before);
      }
    }
    if (renamed) {
      writes.clear();
    }
  }

  /** Keeps what was last sent comparable with the state after a change Atlas heard of otherwise. */
  private static void takeAsSent(Tracked tracked, long weightBefore) {
    if (tracked.sentWeight >= 0) {
      tracked.sentWeight = Math.max(0, tracked.sentWeight + tracked.lineage.weight() - weightBefore);
    }
  }

  /** The tables of a database that a process held names, by key: what a DROP DATABASE ... CASCADE takes along. */
  Map<String, TableDataset> tablesIn(String database) {
    Map<String, TableDataset> tables = new LinkedHashMap<>();
    for (Tracked tracked : unions.values()) {
      for (List<Dataset> side : Arrays.asList(tracked.lineage.inputs(), tracked.lineage.outputs())) {
        for (Dataset dataset : side) {
          if (dataset instanceof TableDataset && ((TableDataset) dataset).database().equals(database)) {
            tables.put(dataset.key(), (TableDataset) dataset);
          }
        }
      }
    }
    return tables;
  }

  /** The table keyed {@code datasetKey} as a process held last names it (with its details), or null. */
  TableDataset heldTable(String datasetKey) {
    for (Tracked tracked : unions.values()) {
      for (List<Dataset> side : Arrays.asList(tracked.lineage.outputs(), tracked.lineage.inputs())) {
        for (Dataset dataset : side) {
          if (dataset instanceof TableDataset && dataset.key().equals(datasetKey)) {
            return (TableDataset) dataset;
          }
        }
      }
    }
    return null;
  }

  /** Processes held with their unions, and the datasets they hold: what the change detection costs in memory. */
  int processesHeld() {
    return unions.size();
  }

  long datasetsHeld() {
    long datasets = 0;
    for (Tracked tracked : unions.values()) {
      datasets += tracked.lineage.datasets();
    }
    return datasets;
  }

  int writesRemembered() {
    return writes.size();
  }

  int pendingProcesses() {
    return pending.size();
  }

  int pendingPlans() {
    return pendingPlans;
  }
}
