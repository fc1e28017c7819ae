package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.redact.Redactor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  public SparkEntityFactory(Naming naming) {
    this(naming, Redactor.defaults());
  }

  /**
   * @param redactor masks secrets in the free text of catalog entries (table and column comments), which users
   *                 sometimes fill with connection strings
   */
  public SparkEntityFactory(Naming naming, Redactor redactor) {
    this.naming = naming;
    this.redactor = redactor;
  }

  public HookNotification processNotification(ApplicationLineage app) {
    Message message = new Message();
    List<AtlasObjectId> inputs = new ArrayList<>();
    for (Dataset input : app.inputs()) {
      inputs.add(message.dataset(input));
    }
    List<AtlasObjectId> outputs = new ArrayList<>();
    for (Dataset output : app.outputs()) {
      outputs.add(message.dataset(output));
    }
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

    AtlasObjectId dataset(Dataset dataset) {
      AtlasObjectId id = datasets.get(dataset.key());
      if (id == null) {
        AtlasEntity entity = dataset instanceof TableDataset ? table((TableDataset) dataset)
            : path((PathDataset) dataset);
        entities.add(entity);
        id = entity.id();
        datasets.put(dataset.key(), id);
      }
      return id;
    }

    private AtlasEntity path(PathDataset path) {
      String type = Naming.pathType(path);
      String rawPath = path.uri().getPath();
      return AtlasEntity.builder(type, nextGuid())
          .attribute("qualifiedName", naming.path(path))
          .attribute("name", rawPath == null || rawPath.isEmpty() ? path.uri().toString() : rawPath)
          .attribute("path", path.uri().toString())
          .attribute("clusterName", "hdfs_path".equals(type) ? naming.namespace() : null)
          .build();
    }

    private AtlasEntity table(TableDataset table) {
      String tableGuid = nextGuid();
      AtlasObjectId tableId = new AtlasObjectId(tableGuid, "spark_table");
      AtlasEntity storage = AtlasEntity.builder("spark_storagedesc", nextGuid())
          .attribute("qualifiedName", naming.storageDescriptor(table))
          .attribute("location", table.location() != null ? redactor.redact(table.location().toString()) : null)
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
        AtlasEntity entity = AtlasEntity.builder("spark_column", nextGuid())
            .attribute("qualifiedName", naming.column(table, column.name()))
            .attribute("name", column.name())
            .attribute("type", column.type())
            .attribute("nullable", column.nullable())
            .attribute("comment", redactor.redact(column.comment()))
            .relationship("table", tableId)
            .build();
        referred.put(entity.guid(), entity);
        columnIds.add(entity.id());
      }
      return AtlasEntity.builder("spark_table", tableGuid)
          .attribute("qualifiedName", naming.table(table))
          .attribute("name", table.table())
          .attribute("owner", table.owner())
          .attribute("tableType", table.tableType())
          .attribute("provider", table.provider())
          .attribute("partitionColumnNames", table.partitionColumns().isEmpty() ? null : table.partitionColumns())
          .attribute("createTime", table.createTime())
          .attribute("comment", redactor.redact(table.comment()))
          .relationship("db", database(table.database()))
          .relationship("sd", storage.id())
          .relationship("columns", columnIds.isEmpty() ? null : columnIds)
          .build();
    }

    private AtlasObjectId database(String database) {
      String key = "db:" + database;
      AtlasObjectId id = datasets.get(key);
      if (id == null) {
        AtlasEntity db = AtlasEntity.builder("spark_db", nextGuid())
            .attribute("qualifiedName", naming.database(database))
            .attribute("name", database)
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
