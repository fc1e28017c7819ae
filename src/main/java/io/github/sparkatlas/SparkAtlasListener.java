package io.github.sparkatlas;

import io.github.sparkatlas.capture.SparkInternals;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * The agent's entry point for {@code spark.extraListeners} (alone a complete setup) and for
 * {@code spark.sql.queryExecutionListeners}. Every callback hands over to the one {@link AtlasAgent} and
 * swallows every Throwable: nothing of ours may reach Spark's listener bus or fail the job.
 *
 * <p>Spark puts the instance it creates from {@code spark.extraListeners} on its shared listener queue. That
 * instance stays idle when the agent has put an instance of its own on the agent's queue ({@link
 * AgentListenerQueue}) before the listener bus started: both queues then receive every event, and only the agent's
 * instance hands them over, so each is handled once. The agent's instance takes the idle one off the bus on its
 * first event.
 */
public class SparkAtlasListener extends SparkListener implements QueryExecutionListener {
  private static final String SQL_EXECUTION_START = "SparkListenerSQLExecutionStart";
  private static final String SQL_EXECUTION_END = "SparkListenerSQLExecutionEnd";
  /** Where the session catalog's events live (CreateTableEvent, DropDatabaseEvent, ...). */
  private static final String CATALOG_EVENTS = "org.apache.spark.sql.catalyst.catalog.";

  private final AtlasAgent agent;
  /** Whether this instance hands Spark's listener events to the agent; false while another instance does. */
  private final boolean forwards;
  /** On the agent's queue: the context, to read what Spark dropped from that queue; else null. */
  private final SparkContext ownQueueOf;
  /** The idle instance Spark created on the shared queue, taken off the bus on this instance's first event. */
  private final AtomicReference<SparkListenerInterface> replaced;

  /** Used by Spark when it finds a constructor taking the application's SparkConf. */
  public SparkAtlasListener(SparkConf conf) {
    this(startAgent(conf), conf);
  }

  public SparkAtlasListener() {
    this((SparkConf) null);
  }

  /** An instance created from configuration, for the given agent. */
  SparkAtlasListener(AtlasAgent agent, SparkConf conf) {
    this.agent = agent;
    this.ownQueueOf = null;
    this.replaced = new AtomicReference<>();
    this.forwards = agent != null && !agent.listenInsteadOf(this, conf);
  }

  /** The listener the agent attaches itself when Spark did not create one from spark.extraListeners. */
  SparkAtlasListener(AtlasAgent agent) {
    this(agent, null, null);
  }

  /**
   * The agent's own listener.
   *
   * @param ownQueueOf the context on whose agent queue it runs, or null on the shared queue
   * @param replaced   the idle instance to take off that context's bus once this one receives events, or null
   */
  SparkAtlasListener(AtlasAgent agent, SparkContext ownQueueOf, SparkListenerInterface replaced) {
    this.agent = agent;
    this.forwards = true;
    this.ownQueueOf = ownQueueOf;
    this.replaced = new AtomicReference<>(replaced);
  }

  private static AtlasAgent startAgent(SparkConf conf) {
    try {
      return AtlasAgent.get(conf);
    } catch (Throwable t) {
      return null;
    }
  }

  /** Whether this instance hands Spark's listener events to the agent. */
  boolean forwards() {
    return forwards;
  }

  /**
   * Takes the idle instance off the bus: on the agent's queue thread, never on Spark's shared one, because removing
   * the last listener of a queue stops that queue, and a queue cannot stop from its own thread once it is full.
   */
  private void retireReplaced() {
    if (replaced.get() == null) {
      return;
    }
    SparkListenerInterface idle = replaced.getAndSet(null);
    if (idle != null && ownQueueOf != null) {
      ownQueueOf.removeSparkListener(idle);
    }
  }

  @Override
  public void onApplicationStart(SparkListenerApplicationStart applicationStart) {
    try {
      retireReplaced();
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    try {
      if (!forwards) {
        return;
      }
      retireReplaced();
      String name = event.getClass().getSimpleName();
      if (SQL_EXECUTION_END.equals(name)) {
        agent.onExecutionEnd(event);
      } else if (SQL_EXECUTION_START.equals(name)) {
        agent.onExecutionStart(event);
      } else if (event instanceof StreamingQueryListener.Event) {
        onStreamingEvent(event);
      } else if (event.getClass().getName().startsWith(CATALOG_EVENTS)) {
        agent.onCatalogEvent(event);
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }

  /**
   * Spark posts every session's streaming events to its listener bus too: seen here, a query is followed even where
   * no StreamingQueryListener of ours was configured.
   */
  private void onStreamingEvent(SparkListenerEvent event) {
    if (event instanceof StreamingQueryListener.QueryProgressEvent) {
      StreamingQueryProgress progress = ((StreamingQueryListener.QueryProgressEvent) event).progress();
      agent.onStreamingQueryProgress(progress.id(), progress.runId(), progress);
    } else if (event instanceof StreamingQueryListener.QueryStartedEvent) {
      StreamingQueryListener.QueryStartedEvent started = (StreamingQueryListener.QueryStartedEvent) event;
      agent.onStreamingQueryStarted(started.id(), started.runId(), false);
    } else if (event instanceof StreamingQueryListener.QueryTerminatedEvent) {
      agent.onStreamingQueryTerminated(((StreamingQueryListener.QueryTerminatedEvent) event).runId());
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd applicationEnd) {
    try {
      if (forwards) {
        agent.onApplicationEnd(droppedFromOwnQueue());
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }

  /** What Spark dropped from the agent's queue; 0 when unknown, which must not stop application end's flush. */
  private long droppedFromOwnQueue() {
    try {
      return ownQueueOf == null ? 0 : SparkInternals.droppedEvents(ownQueueOf, AgentListenerQueue.NAME);
    } catch (Throwable t) {
      return 0;
    }
  }

  @Override
  public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    try {
      if (agent != null) {
        agent.onQueryExecuted(qe);
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {
    // A failed execution wrote nothing lineage should show.
  }
}
