package io.github.sparkatlas;

import io.github.sparkatlas.capture.SparkInternals;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/**
 * The entry point for {@code spark.sql.streaming.streamingQueryListeners}. Streaming lineage comes with the
 * streaming issue; today it makes sure the agent runs and batch writes of the same application are captured.
 */
public class SparkAtlasStreamingListener extends StreamingQueryListener {
  public SparkAtlasStreamingListener(SparkConf conf) {
    try {
      AtlasAgent.get(conf).attachTo(SparkInternals.activeContext());
    } catch (Throwable t) {
      // A failing agent never prevents the streaming query from starting.
    }
  }

  public SparkAtlasStreamingListener() {
    this(null);
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {
  }
}
