package io.github.sparkatlas;

import io.github.sparkatlas.capture.SparkInternals;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/**
 * The entry point for {@code spark.sql.streaming.streamingQueryListeners}, also added by the agent itself to every
 * session whose queries its SparkListener sees. Its one advantage over the SparkListener, which receives the same
 * events later on Spark's listener thread, is {@link #onQueryStarted}: Spark calls it on the query's own thread
 * before the first micro-batch, while the query is certainly still running, so even a query that processes one batch
 * and ends is read. Every callback only notes the event for the agent thread and swallows every Throwable.
 */
public class SparkAtlasStreamingListener extends StreamingQueryListener {
  private final AtlasAgent agent;

  public SparkAtlasStreamingListener(SparkConf conf) {
    this.agent = startAgent(conf);
  }

  public SparkAtlasStreamingListener() {
    this((SparkConf) null);
  }

  /** The listener the agent adds to a session itself. */
  SparkAtlasStreamingListener(AtlasAgent agent) {
    this.agent = agent;
  }

  private static AtlasAgent startAgent(SparkConf conf) {
    try {
      AtlasAgent agent = AtlasAgent.get(conf);
      agent.attachTo(SparkInternals.activeContext());
      return agent;
    } catch (Throwable t) {
      // A failing agent never prevents the streaming query from starting.
      return null;
    }
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
    try {
      if (agent != null) {
        agent.onStreamingQueryStarted(event.id(), event.runId(), true);
      }
    } catch (Throwable t) {
      // Never let anything reach the streaming query's thread.
    }
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    try {
      if (agent != null) {
        agent.onStreamingQueryProgress(event.progress().id(), event.progress().runId(), event.progress());
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
    try {
      if (agent != null) {
        agent.onStreamingQueryTerminated(event.runId());
      }
    } catch (Throwable t) {
      // Never let anything reach Spark's listener bus.
    }
  }
}
