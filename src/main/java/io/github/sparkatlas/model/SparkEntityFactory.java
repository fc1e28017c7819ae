package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.lineage.TopicDataset;
import io.github.sparkatlas.redact.Redactor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an application's lineage into one self-contained ENTITY_CREATE_V2 notification: the spark_process plus
 * every dataset, database, storage descriptor and column it references, linked by temporary guids, so Atlas
 * never has to find a referenced entity elsewhere (an unknown reference makes it reject the whole message).
 */
public final class SparkEntityFactory {
  /** Wide tables are cut here to keep a message (and the Atlas UI) a sensible size. */
  public static final int MAX_COLUMNS_PER_TABLE = 1_000;

  private final Naming naming;
  private final Redactor redactor;
  private final DatasetNames names;

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
  }

  public HookNotification processNotification(ApplicationLineage app) {
    Message message = new Message();
    // Datasets whose names differ only in what redaction masks become one entity: listed once, and not as an input
    // of what the application also writes.
    Set<String> inputGuids = new HashSet<>();
    List<AtlasObjectId> inputs = new ArrayList<>();
    for (Dataset input : app.inputs()) {
      AtlasObjectId id = message.dataset(input);
      if (inputGuids.add(id.guid())) {
        inputs.add(id);
      }
    }
    Set<String> outputGuids = new HashSet<>();
    List<AtlasObjectId> outputs = new ArrayList<>();
    for (Dataset output : app.outputs()) {
      AtlasObjectId id = message.dataset(output);
      if (outputGuids.add(id.guid())) {
        outputs.add(id);
      }
    }
    inputs.removeIf(id -> outputGuids.contains(id.guid()));
    AtlasEntity process = AtlasEntity.builder("spark_process", message.nextGuid())
        .attribute("qualifiedName", naming.process(app.applicationId()))
        .attribute("name", app.applicationName() != null ? app.applicationName() : app.applicationId())
        .attribute("inputs", inputs)
        .attribute("outputs", outputs)
        .attribute("currUser", app.user())
        .attribute("executionId", app.latestExecutionId())
        .attribute("details", "application " + app.applicationId() + ", latest write: execution "
            + app.latestExecutionId() + " " + app.latestOperation())
        .attribute("sparkPlanDescription", app.latestPlanText())
        .build();
    message.entities.add(process);
    return HookNotification.entityCreate(app.user(), message.entities, new ArrayList<>(message.referred.values()));
  }

  /** The entities of one message under construction, with their guids. */
  private final class Message {
    private int lastGuid;
    private final List<AtlasEntity> entities = new ArrayList<>();
    private final Map<String, AtlasEntity> referred = new LinkedHashMap<>();
    private final Map<String, AtlasObjectId> datasets = new LinkedHashMap<>();

    String nextGuid() {
      return Integer.toString(--lastGuid);
    }

    /** Keyed by the qualifiedName sent, so one message never holds two entities of the same name. */
    AtlasObjectId dataset(Dataset dataset) {
      if (dataset instanceof TableDataset) {
        TableDataset table = (TableDataset) dataset;
        DatasetNames.Table tableNames = names.table(table);
        AtlasObjectId id = datasets.get("table:" + tableNames.qualifiedName);
        return id != null ? id : add("table:" + tableNames.qualifiedName, table(table, tableNames));
      }
      if (dataset instanceof TopicDataset) {
        DatasetNames.Topic topicNames = names.topic((TopicDataset) dataset);
        String key = "kafka_topic:" + topicNames.qualifiedName;
        AtlasObjectId id = datasets.get(key);
        return id != null ? id : add(key, topic(topicNames));
      }
      PathDataset path = (PathDataset) dataset;
      DatasetNames.Path pathNames = names.path(path);
      String key = Naming.pathType(path) + ":" + pathNames.qualifiedName;
      AtlasObjectId id = datasets.get(key);
      return id != null ? id : add(key, path(path, pathNames));
    }

    private AtlasObjectId add(String key, AtlasEntity entity) {
      entities.add(entity);
      datasets.put(key, entity.id());
      return entity.id();
    }

    private AtlasEntity path(PathDataset path, DatasetNames.Path pathNames) {
      String type = Naming.pathType(path);
      return AtlasEntity.builder(type, nextGuid())
          .attribute("qualifiedName", pathNames.qualifiedName)
          .attribute("name", pathNames.name)
          .attribute("path", pathNames.path)
          .attribute("clusterName", "hdfs_path".equals(type) ? naming.namespace() : null)
          .build();
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
      AtlasObjectId tableId = new AtlasObjectId(tableGuid, "spark_table");
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
      return AtlasEntity.builder("spark_table", tableGuid)
          .attribute("qualifiedName", tableNames.qualifiedName)
          .attribute("name", tableNames.table)
          .attribute("owner", table.owner())
          .attribute("tableType", table.tableType())
          .attribute("provider", table.provider())
          .attribute("partitionColumnNames", partitionColumns(table))
          .attribute("createTime", table.createTime())
          .attribute("comment", redactor.redact(table.comment()))
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
