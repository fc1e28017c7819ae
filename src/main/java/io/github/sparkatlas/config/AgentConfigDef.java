package io.github.sparkatlas.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every configuration key of the agent, declared once. The README's configuration table is checked against
 * this list by a test, so a key cannot exist without its documentation.
 */
public final class AgentConfigDef {
  private static final List<ConfigKey<?>> KEYS = new ArrayList<>();

  /** Keys that start with this prefix go to the Kafka producer with the prefix removed. */
  public static final String KAFKA_PREFIX = "atlas.kafka.";

  public static final String KAFKA_PREFIX_DOC =
      "Passed to the Kafka producer with the prefix removed (bootstrap.servers, security.protocol, "
          + "sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...). Overrides the agent's producer defaults.";

  /** {@code <prefix><namespace>} = the bootstrap servers of the Kafka cluster whose topics are named in it. */
  public static final String KAFKA_NAMESPACE_PREFIX = "atlas.spark.kafka.namespace.";

  public static final String KAFKA_NAMESPACE_PREFIX_DOC =
      "Names the topics of one Kafka cluster <topic>@<namespace> instead of <topic>@<metadata namespace>: the "
          + "value lists bootstrap servers (host:port, comma-separated) of that cluster, and a topic whose source "
          + "or sink gives any of them (host case ignored) is in that namespace. One key per cluster; a server "
          + "listed for two namespaces is a configuration error.";

  public static final ConfigKey<Boolean> ENABLED = define("atlas.spark.enabled", ConfigType.BOOLEAN, true, null,
      "Set to false to switch the agent off without removing it from the Spark configuration.");

  public static final String CLIENT_KAFKA = "kafka";
  public static final String CLIENT_FILE = "file";

  public static final ConfigKey<String> CLIENT_TYPE = define("atlas.client.type",
      ConfigType.oneOf(CLIENT_KAFKA, CLIENT_FILE), null,
      "kafka if atlas.kafka.bootstrap.servers is set, else file",
      "Where messages go: kafka (Atlas hook topic, Purview Event Hubs) or file (offline mode: JSON lines in "
          + "atlas.spark.file.sink.dir, one folder per application, to upload or replay later).");

  public static final ConfigKey<String> HOOK_TOPIC = define("atlas.notification.hook.topic.name",
      ConfigType.STRING, "ATLAS_HOOK", null, "Kafka topic (Event Hub name for Purview) the notifications go to.");

  public static final ConfigKey<String> METADATA_NAMESPACE = define("atlas.metadata.namespace", ConfigType.STRING,
      null, "atlas.cluster.name",
      "Suffix of every qualifiedName (<name>@<namespace>); use the same value as the Hive hook of your cluster.");

  public static final ConfigKey<String> CLUSTER_NAME = define("atlas.cluster.name", ConfigType.STRING, "primary",
      null, "Older name of atlas.metadata.namespace, used when that is not set.");

  public static final ConfigKey<Integer> MESSAGE_MAX_LENGTH = define("atlas.notification.message.max.length.bytes",
      ConfigType.intInRange(4096, 100_000_000), 900_000, null,
      "A message whose JSON is longer is compressed and, if still too long, split into parts of at most this "
          + "size minus 512 bytes (as Atlas does). The default stays under Event Hubs' 1 MB event limit.");

  public static final ConfigKey<Boolean> COMPRESSION_ENABLED = define(
      "atlas.notification.message.compression.enabled", ConfigType.BOOLEAN, true, null,
      "Gzip+Base64 messages over the max length, as Atlas does. When false, such messages are split uncompressed.");

  public static final ConfigKey<String> FILE_SINK_DIR = define("atlas.spark.file.sink.dir", ConfigType.STRING,
      "spark-atlas-lineage", null,
      "Directory of the file sink (relative paths are resolved against the driver's working directory).");

  public static final ConfigKey<Integer> PLAN_TEXT_MAX_LENGTH = define("atlas.spark.plan.text.max.length",
      ConfigType.intInRange(0, 100_000_000), 20_000, null,
      "Characters of plan text kept in spark_process.details and sparkPlanDescription; 0 leaves them out.");

  public static final ConfigKey<Long> CAPTURE_BUDGET_MS = define("atlas.spark.capture.budget.ms",
      ConfigType.longInRange(1, 60_000), 100L, null,
      "Time the agent may spend capturing one SQL execution on Spark's listener thread (plan walk, names, "
          + "columns), and again rendering its plan text on the agent's own thread. Over it, what was found is kept "
          + "and the rest left out, counted in the summary (partial captures, dropped plan texts).");

  public static final ConfigKey<String> REDACTION_REGEX = define("atlas.spark.redaction.regex", ConfigType.STRING,
      null, "none",
      "Extra regular expression; every match in plan text, names and log lines is replaced by "
          + "*********(redacted), in addition to the built-in rules and Spark's spark.redaction.regex and "
          + "spark.sql.redaction.string.regex.");

  public static final ConfigKey<Integer> QUEUE_CAPACITY = define("atlas.spark.queue.capacity",
      ConfigType.intInRange(1, 1_000_000), 1_000, null,
      "Captured events waiting for the agent thread; beyond it an event is dropped and counted, never waited for.");

  public static final ConfigKey<Long> SHUTDOWN_FLUSH_TIMEOUT_MS = define("atlas.spark.shutdown.flush.timeout.ms",
      ConfigType.longInRange(0, 600_000), 10_000L, null,
      "How long application end and JVM shutdown wait at most for Kafka to acknowledge pending messages; what is "
          + "not acknowledged by then stays in the spool.");

  public static final ConfigKey<String> SPOOL_DIR = define("atlas.spark.spool.dir", ConfigType.STRING, null,
      "<first of spark.local.dir, else java.io.tmpdir>/spark-atlas-agent-spool-<user>",
      "Where messages wait, on the driver's local disk, until Kafka acknowledges them. Shared by the "
          + "applications of one user on a machine, so a later one sends what an earlier one could not. A directory "
          + "not owned by the user, writable by others or a symbolic link is refused with one ERROR, and "
          + "<user.home>/.spark-atlas-agent/spool is used instead.");

  public static final ConfigKey<Long> SPOOL_MAX_BYTES = define("atlas.spark.spool.max.bytes",
      ConfigType.longInRange(1L << 20, 1L << 40), 256L << 20, null,
      "Size limit of one application's spool. When full, superseded messages (a newer state of the same process "
          + "holds them) are removed first, then plan text of the oldest messages is dropped, then the oldest "
          + "messages; the last two are logged at ERROR and counted.");

  public static final ConfigKey<Long> SPOOL_RETENTION_HOURS = define("atlas.spark.spool.retention.hours",
      ConfigType.longInRange(1, 87_600), 168L, null,
      "Age limit of what no application sends by itself: spools left for another Kafka destination (they wait for "
          + "the replay command) and dead-letter files. Those last written longer ago are removed when an "
          + "application opens the spool directory, each logged at ERROR with what it held.");

  public static final ConfigKey<Long> SPOOL_RETENTION_BYTES = define("atlas.spark.spool.retention.bytes",
      ConfigType.longInRange(1L << 20, 1L << 40), 1L << 30, null,
      "Size limit of all spools left for other Kafka destinations and dead-letter files in the spool directory "
          + "together. Over it, the oldest are removed when an application opens the spool directory, each logged "
          + "at ERROR with what it held.");

  public static final String GRANULARITY_APPLICATION = "application";
  public static final String GRANULARITY_QUERY = "query";

  public static final ConfigKey<String> PROCESS_GRANULARITY = define("atlas.spark.process.granularity",
      ConfigType.oneOf(GRANULARITY_APPLICATION, GRANULARITY_QUERY), GRANULARITY_APPLICATION, null,
      "What a spark_process stands for. application: one per application, <applicationId>@<namespace>, with "
          + "everything it read and wrote. query: one spark_application per application, and a spark_process per "
          + "batch write (the same inputs written to the same outputs again is the same process) and per streaming "
          + "query, each with only its own inputs and outputs. See Granularity in the README.");

  public static final ConfigKey<String> NAMING_MODE = define("atlas.spark.naming.mode",
      ConfigType.oneOf("atlas", "purview", "path"), "atlas", null,
      "How paths and database tables are named, so that lineage meets the entities already in the catalog. atlas: "
          + "as Atlas's own hooks name them (object stores as Atlas's cloud types, HDFS as hdfs_path). purview: as "
          + "Purview's scanners name Azure storage and Azure SQL, else as atlas. path: every path an fs_path "
          + "<uri>@<namespace>. See Naming in the README.");

  public static final ConfigKey<String> DATABRICKS_MOUNTS = define("atlas.spark.databricks.mounts",
      ConfigType.STRING, null, "none",
      "Databricks mount points and the cloud URIs they stand for, <mount point>=<URI>, comma-separated (e.g. "
          + "/mnt/raw=abfss://raw@acct.dfs.core.windows.net/,/mnt/lake=s3a://lake/data): a path under a mount "
          + "(dbfs:/mnt/raw/x) is named as its cloud path, by atlas.spark.naming.mode. Without it such paths are "
          + "fs_path dbfs:/mnt/...@<namespace>.");

  public static final String HIVE_TABLE_TYPE_SPARK = "spark_table";
  public static final String HIVE_TABLE_TYPE_HIVE = "hive_table";

  public static final ConfigKey<String> HIVE_TABLE_TYPE = define("atlas.spark.hive.table.type",
      ConfigType.oneOf(HIVE_TABLE_TYPE_SPARK, HIVE_TABLE_TYPE_HIVE), HIVE_TABLE_TYPE_SPARK, null,
      "How Hive-format tables of the session catalog are named. spark_table: sent as spark_table entities with "
          + "their database, columns and storage. hive_table: referenced by qualifiedName as the hive_table "
          + "<db>.<table>@<namespace> the Hive hook registers, never created by the agent; only for sites where "
          + "the Hive hook registers every such table (see Naming in the README).");

  public static final ConfigKey<Long> PROCESS_UPDATE_INTERVAL_MS = define("atlas.spark.process.update.interval.ms",
      ConfigType.longInRange(1_000, 86_400_000), 30_000L, null,
      "A process's message is sent only when its inputs or outputs change. A change to a large application or "
          + "streaming query that grows it by less than 25% waits until the oldest such change is this old (and is "
          + "sent at application end in any case): at most one such message per interval, which bounds the bytes a "
          + "long application sends.");

  public static final ConfigKey<Integer> INTERNAL_ERRORS_MAX = define("atlas.spark.internal.errors.max",
      ConfigType.intInRange(1, 1_000_000), 100, null,
      "After this many internal errors the agent switches itself off for the rest of the application, with one "
          + "ERROR line; the Spark job is never affected.");

  private AgentConfigDef() {
  }

  private static <T> ConfigKey<T> define(String name, ConfigType<T> type, T defaultValue, String defaultDoc,
      String doc) {
    ConfigKey<T> key = new ConfigKey<>(name, type, defaultValue, defaultDoc, doc);
    KEYS.add(key);
    return key;
  }

  public static List<ConfigKey<?>> keys() {
    return Collections.unmodifiableList(KEYS);
  }

  /** The README configuration table, one row per key, as Markdown. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder();
    table.append("| key (atlas-application.properties) | Spark conf | type | default | meaning |\n");
    table.append("| --- | --- | --- | --- | --- |\n");
    for (ConfigKey<?> key : KEYS) {
      String def = key.defaultValue() != null ? String.valueOf(key.defaultValue()) : key.defaultDoc();
      table.append("| `").append(key.name()).append("` | `").append(key.sparkConfName()).append("` | ")
          .append(key.type().description()).append(" | ").append(def).append(" | ").append(key.doc())
          .append(" |\n");
    }
    table.append("| `").append(KAFKA_PREFIX).append("*` | `").append(ConfigKey.sparkConfNameOf(KAFKA_PREFIX))
        .append("*` | string | see \"Kafka producer defaults\" | ").append(KAFKA_PREFIX_DOC).append(" |\n");
    table.append("| `").append(KAFKA_NAMESPACE_PREFIX).append("<namespace>` | `")
        .append(ConfigKey.sparkConfNameOf(KAFKA_NAMESPACE_PREFIX)).append("<namespace>` | string | none | ")
        .append(KAFKA_NAMESPACE_PREFIX_DOC).append(" |\n");
    return table.toString();
  }
}
