package io.github.sparkatlas.lineage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A Kafka topic read or written, with the bootstrap servers of its cluster as the job gave them: the same topic
 * name on two clusters is two datasets, and the servers are what the user maps to a metadata namespace.
 */
public final class TopicDataset extends Dataset {
  private final String topic;
  private final String bootstrapServers;

  private TopicDataset(String topic, String bootstrapServers) {
    this.topic = topic;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * @param topic            the topic as written (case kept)
   * @param bootstrapServers the {@code kafka.bootstrap.servers} option of the source or sink; null when unknown
   */
  public static TopicDataset of(String topic, String bootstrapServers) {
    Objects.requireNonNull(topic, "topic");
    return new TopicDataset(topic, normalize(bootstrapServers));
  }

  /** Lower-case hosts, no blanks, sorted: one cluster has one spelling whatever order the job listed them in. */
  static String normalize(String servers) {
    return String.join(",", new TreeSet<>(servers(servers)));
  }

  /**
   * The {@code host:port} entries of a bootstrap servers list, trimmed and lower-cased (host names are), in the
   * order given; empty for null. The one reading of such a list, for datasets and for the namespace mapping alike.
   */
  public static List<String> servers(String bootstrapServers) {
    List<String> servers = new ArrayList<>();
    if (bootstrapServers != null) {
      for (String part : bootstrapServers.split(",")) {
        String server = part.trim().toLowerCase(Locale.ROOT);
        if (!server.isEmpty()) {
          servers.add(server);
        }
      }
    }
    return servers;
  }

  public String topic() {
    return topic;
  }

  /** Normalized (lower-case, sorted, comma-separated); empty when unknown. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String key() {
    return "topic:" + bootstrapServers + "/" + topic;
  }
}
