package io.github.sparkatlas.delivery;

import java.util.Locale;

/** Names a Kafka failure and its fix in words a Spark user can act on, without echoing any secret. */
final class DeliveryProblem {
  final String kind;
  final String advice;
  /**
   * The broker answered and said no (credentials, certificate, authorization, no such topic): unlike a broker that
   * does not answer, trying again cannot succeed until someone changes the configuration or the cluster.
   */
  final boolean refusal;

  private DeliveryProblem(String kind, String advice, boolean refusal) {
    this.kind = kind;
    this.advice = advice;
    this.refusal = refusal;
  }

  static DeliveryProblem of(Throwable error, String topic, String bootstrap) {
    Throwable root = error;
    boolean noMetadata = false;
    boolean noSuchTopic = false;
    for (Throwable t = error; t != null; t = t.getCause()) {
      String name = t.getClass().getSimpleName();
      if (name.equals("SaslAuthenticationException")) {
        return new DeliveryProblem("sasl",
            "SASL authentication to " + bootstrap + " failed: the broker rejected the user name or password in "
                + "atlas.kafka.sasl.jaas.config (for Event Hubs / Purview: username \"$ConnectionString\" and the "
                + "namespace connection string as password)", true);
      }
      if (name.equals("SslAuthenticationException")) {
        return new DeliveryProblem("ssl", "TLS handshake with " + bootstrap + " failed: the broker's certificate "
            + "is not trusted; set atlas.kafka.ssl.truststore.location/password or check the host name", true);
      }
      if (name.equals("TopicAuthorizationException")) {
        return new DeliveryProblem("acl", "not authorized to write topic " + topic
            + "; grant the producer WRITE on it (Event Hubs: Send claim)", true);
      }
      if (name.equals("RecordTooLargeException")) {
        return new DeliveryProblem("size", "a record was larger than the broker accepts; lower "
            + "atlas.notification.message.max.length.bytes or raise the broker's message.max.bytes", false);
      }
      // Kafka 3.9 gives the metadata timeout the broker's answer as its cause (UnknownTopicOrPartition for a
      // missing topic), so the words are on an outer exception, not on the root.
      noSuchTopic |= name.equals("UnknownTopicOrPartitionException");
      noMetadata |= noSuchTopic
          || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("not present in metadata");
      root = t;
    }
    String message = String.valueOf(root.getMessage());
    if (noMetadata) {
      return new DeliveryProblem("metadata", "no metadata for topic " + topic + " from " + bootstrap
          + " within max.block.ms: either the broker is unreachable (check atlas.kafka.bootstrap.servers and the "
          + "network) or the topic does not exist (create it; for Event Hubs create the Event Hub, or set "
          + "atlas.notification.hook.topic.name)", noSuchTopic);
    }
    return new DeliveryProblem(root.getClass().getSimpleName(), "sending to " + bootstrap + " failed: "
        + root.getClass().getSimpleName() + ": " + message, false);
  }
}
