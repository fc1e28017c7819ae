package io.github.sparkatlas.config;

import io.github.sparkatlas.lineage.TopicDataset;
import io.github.sparkatlas.model.DatabricksMounts;
import io.github.sparkatlas.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's validated configuration: every declared key parsed once at start-up, so a bad value fails there,
 * with the key named, instead of at the first event.
 */
public final class AgentConfig {
  private final Map<String, String> raw;
  private final Map<ConfigKey<?>, Object> values;
  private final String origin;

  private AgentConfig(Map<String, String> raw, String origin) {
    this.raw = Collections.unmodifiableMap(new TreeMap<>(raw));
    this.origin = origin;
    Map<ConfigKey<?>, Object> parsed = new LinkedHashMap<>();
    for (ConfigKey<?> key : AgentConfigDef.keys()) {
      String value = raw.get(key.name());
      parsed.put(key, value == null || value.trim().isEmpty() ? key.defaultValue() : key.parse(value));
    }
    this.values = Collections.unmodifiableMap(parsed);
    checkKafkaNamespaces(kafkaNamespaces());
    try {
      DatabricksMounts.parse(get(AgentConfigDef.DATABRICKS_MOUNTS));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(AgentConfigDef.DATABRICKS_MOUNTS.name() + ": " + e.getMessage());
    }
  }

  /** A mapping that names no namespace or no server, or a server mapped twice, would name topics wrongly. */
  private static void checkKafkaNamespaces(Map<String, String> serversByNamespace) {
    Map<String, String> namespaceByServer = new TreeMap<>();
    for (Map.Entry<String, String> mapping : serversByNamespace.entrySet()) {
      String key = AgentConfigDef.KAFKA_NAMESPACE_PREFIX + mapping.getKey();
      if (mapping.getKey().trim().isEmpty()) {
        throw new ConfigException(key + ": the key must end in the namespace, e.g. "
            + AgentConfigDef.KAFKA_NAMESPACE_PREFIX + "prod=broker1:9092,broker2:9092");
      }
      List<String> servers = TopicDataset.servers(mapping.getValue());
      if (servers.isEmpty()) {
        throw new ConfigException(key + ": list the bootstrap servers (host:port) of the Kafka cluster whose "
            + "topics are named in namespace " + mapping.getKey());
      }
      for (String server : servers) {
        String earlier = namespaceByServer.put(server, mapping.getKey());
        if (earlier != null) {
          throw new ConfigException(key + ": Kafka server " + server + " is also listed in "
              + AgentConfigDef.KAFKA_NAMESPACE_PREFIX + earlier + "; a cluster's topics have one namespace");
        }
      }
    }
  }

  /**
   * @param raw    merged properties under their atlas.* names
   * @param origin where they came from, for the start-up line
   * @throws ConfigException naming the first invalid key
   */
  public static AgentConfig of(Map<String, String> raw, String origin) {
    return new AgentConfig(raw, origin);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    return (T) values.get(key);
  }

  public String origin() {
    return origin;
  }

  public boolean enabled() {
    return get(AgentConfigDef.ENABLED);
  }

  public String clientType() {
    String configured = get(AgentConfigDef.CLIENT_TYPE);
    if (configured != null) {
      return configured;
    }
    return kafkaProperties().containsKey("bootstrap.servers") ? AgentConfigDef.CLIENT_KAFKA
        : AgentConfigDef.CLIENT_FILE;
  }

  /** True when nobody chose a sink: the agent then writes files and says so. */
  public boolean usesEmbeddedDefault() {
    return get(AgentConfigDef.CLIENT_TYPE) == null && AgentConfigDef.CLIENT_FILE.equals(clientType());
  }

  public String namespace() {
    String namespace = get(AgentConfigDef.METADATA_NAMESPACE);
    return namespace != null && !namespace.isEmpty() ? namespace : get(AgentConfigDef.CLUSTER_NAME);
  }

  public String topic() {
    return get(AgentConfigDef.HOOK_TOPIC);
  }

  public Path fileSinkDir() {
    return Paths.get(get(AgentConfigDef.FILE_SINK_DIR)).toAbsolutePath();
  }

  /**
   * The spool's base directory: configured, or on the driver's local disk. Deliberately not YARN's per-container
   * LOCAL_DIRS, which are deleted with the application: the spool must outlive it.
   *
   * @param sparkLocalDirs spark.local.dir (a comma-separated list), or null
   * @param tmpDir         java.io.tmpdir
   * @param user           the driver's user, so that users of a shared machine do not share a spool
   */
  public Path spoolDir(String sparkLocalDirs, String tmpDir, String user) {
    String configured = get(AgentConfigDef.SPOOL_DIR);
    if (configured != null && !configured.trim().isEmpty()) {
      return Paths.get(configured.trim()).toAbsolutePath();
    }
    String first = sparkLocalDirs == null ? "" : sparkLocalDirs.split(",")[0].trim();
    String base = first.isEmpty() ? tmpDir : first;
    String owner = user == null || user.isEmpty() ? "unknown" : user.replaceAll("[^A-Za-z0-9._-]", "_");
    return Paths.get(base, "spark-atlas-agent-spool-" + owner).toAbsolutePath();
  }

  /**
   * Where the spool goes when {@link #spoolDir} is refused (not the user's own, writable by others, a symbolic
   * link): a directory in the user's home, which no other user can create first. Null when the home directory
   * does not exist (service accounts often have none): the agent never creates a home.
   */
  public static Path spoolFallbackDir(String userHome) {
    if (userHome == null || userHome.trim().isEmpty()) {
      return null;
    }
    Path home = Paths.get(userHome.trim());
    if (!home.isAbsolute() || !Files.isDirectory(home)) {
      return null;
    }
    return home.resolve(".spark-atlas-agent").resolve("spool");
  }

  /** The atlas.kafka.* properties with the prefix removed, exactly as the user wrote them. */
  public Map<String, String> kafkaProperties() {
    Map<String, String> kafka = new TreeMap<>();
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      if (entry.getKey().startsWith(AgentConfigDef.KAFKA_PREFIX)) {
        kafka.put(entry.getKey().substring(AgentConfigDef.KAFKA_PREFIX.length()), entry.getValue().trim());
      }
    }
    return kafka;
  }

  /**
   * The Kafka clusters whose topics are named in another namespace: namespace to bootstrap servers, from the
   * {@code atlas.spark.kafka.namespace.<namespace>} keys.
   */
  public Map<String, String> kafkaNamespaces() {
    Map<String, String> namespaces = new TreeMap<>();
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      if (entry.getKey().startsWith(AgentConfigDef.KAFKA_NAMESPACE_PREFIX)) {
        namespaces.put(entry.getKey().substring(AgentConfigDef.KAFKA_NAMESPACE_PREFIX.length()),
            entry.getValue() == null ? "" : entry.getValue());
      }
    }
    return namespaces;
  }

  /** One line for the log: what the agent will do, secrets masked. */
  public String describe(String version) {
    StringBuilder line = new StringBuilder();
    line.append("spark-atlas-agent ").append(version).append(" enabled: sink=").append(clientType());
    if (AgentConfigDef.CLIENT_KAFKA.equals(clientType())) {
      Map<String, String> kafka = kafkaProperties();
      line.append(", topic=").append(topic())
          .append(", bootstrap.servers=").append(kafka.get("bootstrap.servers"))
          .append(", security.protocol=").append(kafka.getOrDefault("security.protocol", "PLAINTEXT"));
      if (kafka.containsKey("sasl.jaas.config")) {
        line.append(", sasl.jaas.config=")
            .append(Redactor.defaults().redactValue("sasl.jaas.config", kafka.get("sasl.jaas.config")));
      }
    } else {
      line.append(", dir=").append(fileSinkDir());
    }
    line.append(", namespace=").append(namespace()).append(", config from ").append(origin);
    return line.toString();
  }
}
