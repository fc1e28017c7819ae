package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.TopicDataset;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Which metadata namespace a Kafka cluster's topics are named in. A cluster is known by its bootstrap servers, and
 * a job may list any subset of them in any order: a topic belongs to a mapped cluster when any one of its
 * {@code host:port} is listed for that cluster. Topics of clusters nobody mapped take the metadata namespace, which
 * is what Atlas's Kafka bridge uses when it runs with the same namespace.
 */
public final class KafkaNamespaces {
  private static final KafkaNamespaces NONE = new KafkaNamespaces(Collections.<String, String>emptyMap());

  /** Lower-cased {@code host:port} to the namespace its cluster is mapped to. */
  private final Map<String, String> namespaceByServer;

  private KafkaNamespaces(Map<String, String> namespaceByServer) {
    this.namespaceByServer = namespaceByServer;
  }

  public static KafkaNamespaces none() {
    return NONE;
  }

  /**
   * @param serversByNamespace namespace to the bootstrap servers of its cluster (comma-separated); a server listed
   *                           for two namespaces is refused, the configuration checks that first
   * @throws IllegalArgumentException naming the server listed for two namespaces
   */
  public static KafkaNamespaces of(Map<String, String> serversByNamespace) {
    Map<String, String> byServer = new HashMap<>();
    for (Map.Entry<String, String> mapping : serversByNamespace.entrySet()) {
      for (String server : TopicDataset.servers(mapping.getValue())) {
        String earlier = byServer.put(server, mapping.getKey());
        if (earlier != null && !earlier.equals(mapping.getKey())) {
          throw new IllegalArgumentException("Kafka server " + server + " is mapped to two namespaces, " + earlier
              + " and " + mapping.getKey());
        }
      }
    }
    return byServer.isEmpty() ? NONE : new KafkaNamespaces(Collections.unmodifiableMap(byServer));
  }

  /** The namespace of the cluster with these bootstrap servers; {@code fallback} when none of them is mapped. */
  String namespaceOf(String bootstrapServers, String fallback) {
    if (namespaceByServer.isEmpty()) {
      return fallback;
    }
    for (String server : TopicDataset.servers(bootstrapServers)) {
      String namespace = namespaceByServer.get(server);
      if (namespace != null) {
        return namespace;
      }
    }
    return fallback;
  }
}
