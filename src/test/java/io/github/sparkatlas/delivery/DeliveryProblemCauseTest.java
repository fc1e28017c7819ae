package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** The advice for the metadata failures a producer meets, whatever cause Kafka chains to them. */
class DeliveryProblemCauseTest {
  private static final String TOPIC = "ATLAS_HOOK";
  private static final String BOOTSTRAP = "broker:9093";

  @Test
  void metadataTimeoutWithTheBrokersUnknownTopicAsCauseSaysTheTopicMayNotExist() {
    // What kafka-clients 3.9 gives for a topic that does not exist on a broker without auto-creation.
    Throwable error = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.",
        new UnknownTopicOrPartitionException("This server does not host this topic-partition."));

    DeliveryProblem problem = DeliveryProblem.of(error, TOPIC, BOOTSTRAP);

    assertEquals("metadata", problem.kind);
    assertTrue(problem.advice.startsWith("no metadata for topic ATLAS_HOOK from broker:9093"), problem.advice);
    assertTrue(problem.advice.contains("the topic does not exist (create it"), problem.advice);
  }

  @Test
  void metadataTimeoutWithoutCauseSaysTheBrokerMayBeUnreachable() {
    Throwable error = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.");

    DeliveryProblem problem = DeliveryProblem.of(error, TOPIC, BOOTSTRAP);

    assertEquals("metadata", problem.kind);
    assertTrue(problem.advice.contains("the broker is unreachable"), problem.advice);
  }

  @Test
  void otherFailuresNameTheirRootCause() {
    Throwable error = new RuntimeException("wrapper", new NetworkException("connection reset"));

    DeliveryProblem problem = DeliveryProblem.of(error, TOPIC, BOOTSTRAP);

    assertEquals("NetworkException", problem.kind);
    assertEquals("sending to broker:9093 failed: NetworkException: connection reset", problem.advice);
  }
}
