package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
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
  void aBrokerThatAnswersNoIsARefusalOneThatDoesNotAnswerIsNot() {
    Throwable missingTopic = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.",
        new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
    Throwable unreachable = new TimeoutException("Topic ATLAS_HOOK not present in metadata after 5000 ms.");

    assertTrue(DeliveryProblem.of(missingTopic, TOPIC, BOOTSTRAP).refusal, "no such topic");
    assertTrue(DeliveryProblem.of(new SaslAuthenticationException("Authentication failed"), TOPIC, BOOTSTRAP).refusal,
        "wrong password");
    assertTrue(DeliveryProblem.of(new SslAuthenticationException("SSL handshake failed"), TOPIC, BOOTSTRAP).refusal,
        "untrusted certificate");
    assertTrue(DeliveryProblem.of(new TopicAuthorizationException("Not authorized"), TOPIC, BOOTSTRAP).refusal,
        "no write permission");
    assertFalse(DeliveryProblem.of(unreachable, TOPIC, BOOTSTRAP).refusal, "no answer: the broker may come back");
    assertFalse(DeliveryProblem.of(new NetworkException("connection reset"), TOPIC, BOOTSTRAP).refusal);
  }

  @Test
  void otherFailuresNameTheirRootCause() {
    Throwable error = new RuntimeException("wrapper", new NetworkException("connection reset"));

    DeliveryProblem problem = DeliveryProblem.of(error, TOPIC, BOOTSTRAP);

    assertEquals("NetworkException", problem.kind);
    assertEquals("sending to broker:9093 failed: NetworkException: connection reset", problem.advice);
  }
}
