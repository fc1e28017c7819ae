package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;

/**
 * The qualifiedName conventions of Atlas's own hooks (FIELD-NOTES §3), so that our entities meet the ones other
 * hooks and scanners create instead of making disconnected twins.
 */
public final class Naming {
  public static final String SPARK_TABLE = "spark_table";
  public static final String HIVE_TABLE = "hive_table";

  private final String namespace;
  private final KafkaNamespaces kafkaNamespaces;
  private final NamingMode mode;
  private final DatabricksMounts mounts;
  private final boolean hiveTables;

  public Naming(String namespace) {
    this(namespace, KafkaNamespaces.none());
  }

  /** @param kafkaNamespaces the namespaces of Kafka clusters mapped away from {@code namespace} */
  public Naming(String namespace, KafkaNamespaces kafkaNamespaces) {
    this(namespace, kafkaNamespaces, NamingMode.ATLAS);
  }

  public Naming(String namespace, KafkaNamespaces kafkaNamespaces, NamingMode mode) {
    this(namespace, kafkaNamespaces, mode, DatabricksMounts.none(), false);
  }

  private Naming(String namespace, KafkaNamespaces kafkaNamespaces, NamingMode mode, DatabricksMounts mounts,
      boolean hiveTables) {
    this.namespace = namespace;
    this.kafkaNamespaces = kafkaNamespaces;
    this.mode = mode;
    this.mounts = mounts;
    this.hiveTables = hiveTables;
  }

  /** The same naming, with paths under these Databricks mount points named as the cloud paths they are. */
  public Naming withMounts(DatabricksMounts value) {
    return new Naming(namespace, kafkaNamespaces, mode, value, hiveTables);
  }

  /**
   * The same naming, with Hive metastore tables referenced as the {@code hive_table}s Atlas's Hive hook registers
   * ({@code atlas.spark.hive.table.type=hive_table}) instead of sent as spark_tables.
   */
  public Naming withHiveTables(boolean value) {
    return new Naming(namespace, kafkaNamespaces, mode, mounts, value);
  }

  public DatabricksMounts mounts() {
    return mounts;
  }

  /**
   * The Atlas type of a table: the one place that decides it. {@code hive_table} for a table of the Hive metastore
   * (Hive format, provider {@code hive}, of the session catalog) when Hive tables are named as the Hive hook names
   * them, else {@code spark_table}. A hive_table is only referenced, by qualifiedName, never created: its entity,
   * database, columns and storage belong to the Hive hook.
   */
  public String tableType(TableDataset table) {
    return hiveTables && isHiveMetastoreTable(table) ? HIVE_TABLE : SPARK_TABLE;
  }

  /**
   * A Hive-format table of the session catalog: provider {@code hive}. Tables of other catalogs (their database
   * holds the catalog name, {@code cat.db}) and data source tables (provider parquet, delta, ...) are Spark's own.
   */
  static boolean isHiveMetastoreTable(TableDataset table) {
    return "hive".equalsIgnoreCase(table.provider()) && table.database().indexOf('.') < 0;
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
}
