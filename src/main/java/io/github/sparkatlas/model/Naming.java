package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;

/**
 * The qualifiedName conventions of Atlas's own hooks (FIELD-NOTES §3), so that our entities meet the ones other
 * hooks and scanners create instead of making disconnected twins.
 */
public final class Naming {
  private final String namespace;
  private final KafkaNamespaces kafkaNamespaces;
  private final NamingMode mode;

  public Naming(String namespace) {
    this(namespace, KafkaNamespaces.none());
  }

  /** @param kafkaNamespaces the namespaces of Kafka clusters mapped away from {@code namespace} */
  public Naming(String namespace, KafkaNamespaces kafkaNamespaces) {
    this(namespace, kafkaNamespaces, NamingMode.ATLAS);
  }

  public Naming(String namespace, KafkaNamespaces kafkaNamespaces, NamingMode mode) {
    this.namespace = namespace;
    this.kafkaNamespaces = kafkaNamespaces;
    this.mode = mode;
  }

  /** How paths and database tables are named. */
  public NamingMode mode() {
    return mode;
  }

  public String namespace() {
    return namespace;
  }

  /** The application's spark_process at application granularity. */
  public String process(String applicationId) {
    return applicationId + "@" + namespace;
  }

  /** The application's spark_application (query granularity): the same name, another type. */
  public String application(String applicationId) {
    return applicationId + "@" + namespace;
  }

  /**
   * A spark_process: {@code <applicationId>@<ns>} for a whole application; {@code <applicationId>/write/<digest>@<ns>}
   * for one batch write, the digest naming its inputs and outputs, so the same write again in the application is
   * the same process (as Atlas's Hive hook names a process after its inputs and outputs); and
   * {@code spark-streaming-query/<queryId>@<ns>} for a streaming query, whose id a restart from its checkpoint keeps.
   */
  public String process(ProcessKey key) {
    switch (key.kind()) {
      case WRITE:
        return key.applicationId() + "/write/" + key.id() + "@" + namespace;
      case STREAMING_QUERY:
        return "spark-streaming-query/" + key.id() + "@" + namespace;
      default:
        return process(key.applicationId());
    }
  }

  public String database(String database) {
    return database + "@" + namespace;
  }

  public String table(TableDataset table) {
    return table(table.database(), table.table());
  }

  /** From names as they are sent (see {@link DatasetNames}). */
  public String table(String database, String table) {
    return database + "." + table + "@" + namespace;
  }

  public String storageDescriptor(TableDataset table) {
    return storageDescriptor(table.database(), table.table());
  }

  public String storageDescriptor(String database, String table) {
    return table(database, table) + "_storage";
  }

  public String column(TableDataset table, String column) {
    return column(table.database(), table.table(), column);
  }

  public String column(String database, String table, String column) {
    return database + "." + table + "." + column.toLowerCase(java.util.Locale.ROOT) + "@" + namespace;
  }

  /** {@code <uri>@<ns>}, path case kept: paths are case-sensitive on every file system we name. */
  public String path(PathDataset path) {
    return path(path.uri().toString());
  }

  /** From a path's text as it is sent (see {@link DatasetNames}). */
  public String path(String uriText) {
    return uriText + "@" + namespace;
  }

  /**
   * {@code <topic lower-cased>@<ns>}, as Atlas's Kafka bridge names the topics it imports, so lineage meets them;
   * ns is the namespace the topic's cluster is mapped to, else the metadata namespace.
   *
   * @param topic            the topic as it is sent (see {@link DatasetNames})
   * @param bootstrapServers the servers of its cluster, as the job gave them; empty when unknown
   */
  public String topic(String topic, String bootstrapServers) {
    return topic.toLowerCase(java.util.Locale.ROOT) + "@" + topicNamespace(bootstrapServers);
  }

  /** The namespace of a Kafka cluster: the one it is mapped to, else the metadata namespace. */
  public String topicNamespace(String bootstrapServers) {
    return kafkaNamespaces.namespaceOf(bootstrapServers, namespace);
  }

  /** Atlas's type for a path: hdfs_path for HDFS (what the Hive hook creates), fs_path for everything else. */
  public static String pathType(PathDataset path) {
    return "hdfs".equals(path.scheme()) ? "hdfs_path" : "fs_path";
  }
}
