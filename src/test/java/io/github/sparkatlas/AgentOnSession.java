package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.MessageSummary;
import io.github.sparkatlas.testsupport.RecordingSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.SparkSession;

/**
 * A real agent listening to an in-JVM SparkSession, recording what it would send: for the tests of catalog changes,
 * which need the whole path from Spark's events through the agent thread to the messages.
 */
final class AgentOnSession implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final RecordingSink sink = new RecordingSink();
  private final LineagePipeline pipeline;
  private final SparkAtlasListener listener;

  /** @param root a directory of the test's own, where the agent finds no configuration file */
  AgentOnSession(SparkSession spark, Path root) {
    this.spark = spark;
    ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG, Redactor.defaults(), Long.MAX_VALUE, () -> { });
    pipeline = new LineagePipeline(100, () -> sink, new Naming("cl1"), Redactor.defaults(), errors);
    AgentConfig config = new ConfigLoader(key -> null, key -> null, root, new ClassLoader(null) { })
        .load(Map.of());
    AtlasAgent agent = new AtlasAgent(config, new LineageCapture(10_000, 60_000), pipeline, errors, null);
    listener = new SparkAtlasListener(agent);
    spark.sparkContext().addSparkListener(listener);
  }

  /**
   * Every message since the last call, summarised ({@link MessageSummary}), each valid for Atlas; a catalog change is
   * never superseded and is keyed like the application's process.
   */
  List<String> messages() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    assertTrue(pipeline.flush(10_000), "pipeline flushed");
    List<String> out = new ArrayList<>();
    for (OutboundMessage message : sink.accepted) {
      JsonNode body;
      try {
        body = JSON.readTree(message.body());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(body), () -> "valid for Atlas: " + body);
      String summary = MessageSummary.of(body);
      if (!summary.startsWith("process")) {
        assertEquals(false, message.replacesEarlier(), () -> "a catalog change is never superseded: " + summary);
        assertEquals(spark.sparkContext().applicationId() + "@cl1", message.key(),
            () -> "keyed like the application's process, to keep its order on Kafka: " + summary);
      }
      out.add(summary);
    }
    sink.accepted.clear();
    return out;
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(listener);
    pipeline.close(1_000);
  }
}
