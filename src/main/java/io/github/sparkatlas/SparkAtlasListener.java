package io.github.sparkatlas;

import io.github.sparkatlas.capture.SparkInternals;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * The agent's entry point for {@code spark.extraListeners} (alone a complete setup) and for
 * {@code spark.sql.queryExecutionListeners}. Every callback hands over to the one {@link AtlasAgent} and
 * swallows every Throwable: nothing of ours may reach Spark's listener bus or fail the job.
 */
public class SparkAtlasListener extends SparkListener implements QueryExecutionListener {
  private static final String SQL_EXECUTION_START = "SparkListenerSQLExecutionStart";
  private static final String SQL_EXECUTION_END = "SparkListenerSQLExecutionEnd";

  private final AtlasAgent agent;

  /** Used by Spark when it finds a constructor taking the application's SparkConf. */
  public SparkAtlasListener(SparkConf conf) {
    this.agent = startAgent(conf);
  }

  public SparkAtlasListener() {
    this((SparkConf) null);
  }

  /** The listener the agent attaches itself when Spark did not create one from spark.extraListeners. */
  SparkAtlasListener(AtlasAgent agent) {
    this.agent = agent;
  }

  private static AtlasAgent startAgent(SparkConf conf) {
    try {
      AtlasAgent agent = AtlasAgent.get(conf);
      // As a QueryExecutionListener we are created with a session, after the SparkContext has started.
      agent.attachTo(SparkInternals.activeContext());
      return agent;
    } catch (Throwable t) {
      return null;
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    try {
      if (agent == null) {
        return;
      }
      String name = event.getClass().getSimpleName();
      if (SQL_EXECUTION_END.equals(name)) {
        agent.onExecutionEnd(event);
      } else if (SQL_EXECUTION_START.equals(name)) {
        agent.onExecutionStart(event);
      } else if (event instanceof StreamingQueryListener.Event) {
        onStreamingEvent(event);
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
      if (agent != null) {
        agent.onApplicationEnd();
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
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
