package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.lineage.TopicDataset;
import io.github.sparkatlas.redact.Redactor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a process's lineage into one self-contained ENTITY_CREATE_V2 notification: the spark_process plus
 * every dataset, database, storage descriptor and column it references, linked by temporary guids, so Atlas
 * never has to find a referenced entity elsewhere (an unknown reference makes it reject the whole message).
 */
public final class SparkEntityFactory {
  /** Wide tables are cut here to keep a message (and the Atlas UI) a sensible size. */
  public static final int MAX_COLUMNS_PER_TABLE = 1_000;
  /** 64 bits of SHA-256 name a write within its application: no collision among the writes one application does. */
  private static final int WRITE_DIGEST_BYTES = 8;
  /** Outputs named in a per-write process's name. */
  private static final int NAMES_LISTED = 3;

  private final Naming naming;
  private final Redactor redactor;
  private final DatasetNames names;
  private final RdbmsEntities rdbms;

  public SparkEntityFactory(Naming naming) {
    this(naming, Redactor.defaults());
  }

  /**
   * @param redactor masks secrets in the names of datasets, databases and columns, in locations, and in the free
   *                 text of catalog entries (table and column comments), which users sometimes fill with connection
   *                 strings
   */
  public SparkEntityFactory(Naming naming, Redactor redactor) {
    this.naming = naming;
    this.redactor = redactor;
    this.names = new DatasetNames(naming, redactor);
    this.rdbms = new RdbmsEntities(naming, redactor);
  }

  /**
   * Which spark_process a record belongs to. At query granularity a batch write is named by a digest of the names
   * its inputs and outputs are sent under (after redaction, so the digest is of nothing secret): the same write
   * again is the same process, a write of other datasets another one.
   */
  public ProcessKey processKey(QueryLineage record, boolean perQuery) {
    if (!perQuery) {
      return ProcessKey.application(record.applicationId());
    }
    if (record.streamingQueryId() != null) {
      return ProcessKey.streamingQuery(record.applicationId(), record.streamingQueryId());
    }
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    update(sha256, "inputs", record.inputs());
    update(sha256, "outputs", record.outputs());
    byte[] digest = sha256.digest();
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < WRITE_DIGEST_BYTES; i++) {
      hex.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
    }
    return ProcessKey.write(record.applicationId(), hex.toString());
  }

  private void update(MessageDigest digest, String side, List<Dataset> datasets) {
    List<String> sent = new ArrayList<>(datasets.size());
    for (Dataset dataset : datasets) {
      sent.add(sentName(dataset));
    }
    Collections.sort(sent);
    digest.update((side + "\n").getBytes(StandardCharsets.UTF_8));
    for (String name : sent) {
      digest.update((name + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The Atlas type a catalog table or view is sent as: the one place that decides it, for process messages and
   * catalog changes alike (a naming mode that hands Hive tables to Atlas's Hive hook is wired here).
   */
  public String tableTypeName(TableDataset table) {
    return naming.tableType(table);
  }

  /** The names a table is sent under: what a catalog change deletes or renames. */
  DatasetNames.Table tableNames(TableDataset table) {
    return names.table(table);
  }

  DatasetNames names() {
    return names;
  }

  /**
   * A table (or view) on its own, current, with its database, storage descriptor and columns: what a CREATE or
   * ALTER sends. No process: nothing was read or written.
   */
  public HookNotification tableNotification(String user, TableDataset table) {
    Message message = new Message();
    message.dataset(table);
    return HookNotification.entityCreate(user, message.entities, new ArrayList<>(message.referred.values()));
  }

  /** A database on its own: what a CREATE or ALTER DATABASE sends. */
  public HookNotification databaseNotification(String user, io.github.sparkatlas.lineage.DatabaseDefinition db) {
    String name = redactor.redact(db.name());
    // Spark keeps a database's owner among its properties; Atlas has an attribute for it.
    Map<String, String> properties = new LinkedHashMap<>(db.properties());
    String owner = properties.remove("owner");
    Map<String, String> parameters = parameters(properties);
    AtlasEntity entity = AtlasEntity.builder("spark_db", "-1")
        .attribute("qualifiedName", naming.database(name))
        .attribute("name", name)
        .attribute("description", redactor.redact(db.description()))
        .attribute("location", db.location() != null ? names.uriText(db.location()) : null)
        .attribute("clusterName", naming.namespace())
        .attribute("owner", owner)
        .attribute("parameters", parameters)
        .build();
    return HookNotification.entityCreate(user, Collections.singletonList(entity),
        Collections.<AtlasEntity>emptyList());
  }

  /** Catalog properties as sent: every value of a secret-looking key masked; none at all is left out. */
  private Map<String, String> parameters(Map<String, String> properties) {
    if (properties.isEmpty()) {
      return null;
    }
    Map<String, String> sent = new LinkedHashMap<>();
    for (Map.Entry<String, String> property : properties.entrySet()) {
      sent.put(redactor.redact(property.getKey()),
          redactor.redact(redactor.redactValue(property.getKey(), property.getValue())));
    }
    return sent;
  }

  /** The type and qualifiedName a dataset is sent under. */
  private String sentName(Dataset dataset) {
    if (dataset instanceof TableDataset) {
      return tableTypeName((TableDataset) dataset) + ":" + names.table((TableDataset) dataset).qualifiedName;
    }
    if (dataset instanceof PathDataset) {
      return names.path((PathDataset) dataset).sentName();
    }
    if (dataset instanceof DatabaseTableDataset) {
      RdbmsEntities.Names table = rdbms.names((DatabaseTableDataset) dataset);
      return table.tableType + ":" + table.tableQualifiedName();
    }
    return redactor.redact(dataset.key());
  }

  /**
   * The process's whole state as one notification. At application granularity, the application's spark_process;
   * at query granularity, the spark_process of one write or streaming query with its spark_application, linked
   * through {@code spark_application_processes}, so that every message stands on its own.
   */
  public HookNotification processNotification(ProcessLineage lineage) {
    boolean wholeApplication = lineage.key().kind() == ProcessKey.Kind.APPLICATION;
    Message message = new Message();
    // Datasets whose names differ only in what redaction masks become one entity: listed once per side.
    Set<String> inputGuids = new HashSet<>();
    List<AtlasObjectId> inputs = new ArrayList<>();
    for (Dataset input : lineage.inputs()) {
      AtlasObjectId id = message.dataset(input);
      if (inputGuids.add(id.key())) {
        inputs.add(id);
      }
    }
    Set<String> outputGuids = new HashSet<>();
    List<AtlasObjectId> outputs = new ArrayList<>();
    List<String> outputNames = new ArrayList<>();
    for (Dataset output : lineage.outputs()) {
      AtlasObjectId id = message.dataset(output);
      if (outputGuids.add(id.key())) {
        outputs.add(id);
        if (outputNames.size() < NAMES_LISTED) {
          outputNames.add(message.name(id));
        }
      }
    }
    if (wholeApplication) {
      // Not an input of what the application also writes (after redaction too): no loop from a table to itself.
      inputs.removeIf(id -> outputGuids.contains(id.key()));
    }
    String applicationName = lineage.applicationName() != null ? lineage.applicationName()
        : lineage.applicationId();
    String latest = "execution " + lineage.latestExecutionId() + " " + lineage.latestOperation();
    AtlasEntity.Builder process = AtlasEntity.builder("spark_process", message.nextGuid())
        .attribute("qualifiedName", naming.process(lineage.key()))
        .attribute("inputs", inputs)
        .attribute("outputs", outputs)
        .attribute("currUser", lineage.user())
        .attribute("executionId", lineage.latestExecutionId())
        .attribute("sparkPlanDescription", lineage.latestPlanText());
    switch (lineage.key().kind()) {
      case WRITE:
        process.attribute("name", applicationName + ": write to " + listed(outputNames, outputs.size()))
            .attribute("details", "application " + lineage.applicationId() + ", " + latest);
        break;
      case STREAMING_QUERY:
        process.attribute("name", applicationName + ": streaming query " + lineage.key().id())
            .attribute("details", "streaming query " + lineage.key().id() + " of application "
                + lineage.applicationId() + ", latest change: " + latest);
        break;
      default:
        process.attribute("name", applicationName)
            .attribute("details", "application " + lineage.applicationId() + ", latest change: " + latest);
    }
    if (!wholeApplication) {
      AtlasEntity application = AtlasEntity.builder("spark_application", message.nextGuid())
          .attribute("qualifiedName", naming.application(lineage.applicationId()))
          .attribute("name", applicationName)
          .attribute("currentUser", lineage.user())
          .build();
      message.entities.add(0, application);
      process.relationship("application", application.id());
    }
    message.entities.add(process.build());
    return HookNotification.entityCreate(lineage.user(), message.entities,
        new ArrayList<>(message.referred.values()));
  }

  /** The first few names, then how many more: a name stays readable in Atlas's UI. */
  private static String listed(List<String> names, int total) {
    if (names.isEmpty()) {
      return "nothing";
    }
    String listed = String.join(", ", names);
    return total > names.size() ? listed + " and " + (total - names.size()) + " more" : listed;
  }

  /** The entities of one message under construction, with their guids. */
  private final class Message {
    private int lastGuid;
    private final List<AtlasEntity> entities = new ArrayList<>();
    private final Map<String, AtlasEntity> referred = new LinkedHashMap<>();
    private final Map<String, AtlasObjectId> datasets = new LinkedHashMap<>();
    /** Names of datasets referenced by qualifiedName, which have no entity in the message. */
    private final Map<String, String> referenceNames = new LinkedHashMap<>();

    String nextGuid() {
      return Integer.toString(--lastGuid);
    }

    /** Keyed by the qualifiedName sent, so one message never holds two entities of the same name. */
    AtlasObjectId dataset(Dataset dataset) {
      if (dataset instanceof TableDataset) {
        TableDataset table = (TableDataset) dataset;
        DatasetNames.Table tableNames = names.table(table);
        if (Naming.HIVE_TABLE.equals(naming.tableType(table))) {
          // The Hive hook's entity, with its database, columns and storage: referenced, never made here.
          AtlasObjectId reference = AtlasObjectId.byQualifiedName(Naming.HIVE_TABLE, tableNames.qualifiedName);
          referenceNames.put(reference.key(), tableNames.table);
          return reference;
        }
        AtlasObjectId id = datasets.get("table:" + tableNames.qualifiedName);
        return id != null ? id : add("table:" + tableNames.qualifiedName, table(table, tableNames));
      }
      if (dataset instanceof TopicDataset) {
        DatasetNames.Topic topicNames = names.topic((TopicDataset) dataset);
        String key = "kafka_topic:" + topicNames.qualifiedName;
        AtlasObjectId id = datasets.get(key);
        return id != null ? id : add(key, topic(topicNames));
      }
      if (dataset instanceof DatabaseTableDataset) {
        RdbmsEntities.Names tableNames = rdbms.names((DatabaseTableDataset) dataset);
        String key = tableNames.tableType + ":" + tableNames.tableQualifiedName();
        AtlasObjectId id = datasets.get(key);
        return id != null ? id : add(key, rdbms.table(tableNames, this::nextGuid, datasets, referred));
      }
      return path(names.path((PathDataset) dataset));
    }

    /** The name attribute of an entity of this message. */
    String name(AtlasObjectId id) {
      if (id.guid() == null) {
        return referenceNames.getOrDefault(id.key(), id.qualifiedName());
      }
      for (AtlasEntity entity : entities) {
        if (entity.guid().equals(id.guid())) {
          return String.valueOf(entity.attributes().get("name"));
        }
      }
      return id.guid();
    }

    private AtlasObjectId add(String key, AtlasEntity entity) {
      entities.add(entity);
      datasets.put(key, entity.id());
      return entity.id();
    }

    /**
     * A path's entity and, as referred entities, the parents its type requires (bucket, container, directories
     * above it), each once per message: two paths in one bucket share the bucket's entity. Built from the top down,
     * without recursion, so a path of any depth costs no stack.
     */
    private AtlasObjectId path(PathEntity dataset) {
      List<PathEntity> chain = new ArrayList<>();
      for (PathEntity level = dataset; level != null && !datasets.containsKey(level.sentName());
          level = level.parent()) {
        chain.add(level);
      }
      for (int i = chain.size() - 1; i >= 0; i--) {
        PathEntity level = chain.get(i);
        AtlasEntity.Builder builder = AtlasEntity.builder(level.typeName(), nextGuid())
            .attribute("qualifiedName", level.qualifiedName())
            .attribute("name", level.name());
        for (Map.Entry<String, Object> attribute : level.attributes().entrySet()) {
          builder.attribute(attribute.getKey(), attribute.getValue());
        }
        if (level.parent() != null) {
          builder.relationship(level.parentAttribute(), datasets.get(level.parent().sentName()));
        }
        AtlasEntity entity = builder.build();
        if (level == dataset) {
          add(level.sentName(), entity);
        } else {
          referred.put(entity.guid(), entity);
          datasets.put(level.sentName(), entity.id());
        }
      }
      return datasets.get(dataset.sentName());
    }

    /**
     * The attributes Atlas's Kafka bridge sets where the model has them: its {@code uri} is the topic too. The
     * bridge's {@code clusterName} is left out: kafka_topic does not define it (Atlas drops it), the namespace is in
     * the qualifiedName.
     */
    private AtlasEntity topic(DatasetNames.Topic topicNames) {
      return AtlasEntity.builder("kafka_topic", nextGuid())
          .attribute("qualifiedName", topicNames.qualifiedName)
          .attribute("name", topicNames.topic)
          .attribute("topic", topicNames.topic)
          .attribute("uri", topicNames.topic)
          .build();
    }

    private AtlasEntity table(TableDataset table, DatasetNames.Table tableNames) {
      String tableGuid = nextGuid();
      AtlasObjectId tableId = new AtlasObjectId(tableGuid, tableTypeName(table));
      AtlasEntity storage = AtlasEntity.builder("spark_storagedesc", nextGuid())
          .attribute("qualifiedName", tableNames.storageQualifiedName)
          .attribute("location", table.location() != null ? names.uriText(table.location()) : null)
          .attribute("inputFormat", table.inputFormat())
          .attribute("outputFormat", table.outputFormat())
          .attribute("serde", table.serde())
          .attribute("compressed", false)
          .build();
      referred.put(storage.guid(), storage);
      // Atlas creates only referred entities reachable from the top level: the table lists its columns.
      List<AtlasObjectId> columnIds = new ArrayList<>();
      List<Column> columns = table.columns();
      for (int i = 0; i < columns.size() && i < MAX_COLUMNS_PER_TABLE; i++) {
        Column column = columns.get(i);
        DatasetNames.Column columnNames = names.column(tableNames, column.name());
        AtlasEntity entity = AtlasEntity.builder("spark_column", nextGuid())
            .attribute("qualifiedName", columnNames.qualifiedName)
            .attribute("name", columnNames.name)
            .attribute("type", column.type())
            .attribute("nullable", column.nullable())
            .attribute("comment", redactor.redact(column.comment()))
            .relationship("table", tableId)
            .build();
        referred.put(entity.guid(), entity);
        columnIds.add(entity.id());
      }
      return AtlasEntity.builder(tableTypeName(table), tableGuid)
          .attribute("qualifiedName", tableNames.qualifiedName)
          .attribute("name", tableNames.table)
          .attribute("owner", table.owner())
          .attribute("tableType", table.tableType())
          .attribute("provider", table.provider())
          .attribute("partitionColumnNames", partitionColumns(table))
          .attribute("createTime", table.createTime())
          .attribute("comment", redactor.redact(table.comment()))
          .attribute("parameters", parameters(table.properties()))
          .relationship("db", database(tableNames))
          .relationship("sd", storage.id())
          .relationship("columns", columnIds.isEmpty() ? null : columnIds)
          .build();
    }

    private List<String> partitionColumns(TableDataset table) {
      if (table.partitionColumns().isEmpty()) {
        return null;
      }
      List<String> columns = new ArrayList<>(table.partitionColumns().size());
      for (String column : table.partitionColumns()) {
        columns.add(names.columnName(column));
      }
      return columns;
    }

    private AtlasObjectId database(DatasetNames.Table tableNames) {
      String key = "db:" + tableNames.databaseQualifiedName;
      AtlasObjectId id = datasets.get(key);
      if (id == null) {
        AtlasEntity db = AtlasEntity.builder("spark_db", nextGuid())
            .attribute("qualifiedName", tableNames.databaseQualifiedName)
            .attribute("name", tableNames.database)
            .attribute("clusterName", naming.namespace())
            .build();
        referred.put(db.guid(), db);
        id = db.id();
        datasets.put(key, id);
      }
      return id;
    }
  }
}
