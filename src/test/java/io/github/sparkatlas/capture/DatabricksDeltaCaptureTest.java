package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.databricks.sql.transaction.tahoe.DeltaLog;
import com.databricks.sql.transaction.tahoe.catalog.DeltaTableV2;
import com.databricks.sql.transaction.tahoe.commands.DeleteCommand;
import com.databricks.sql.transaction.tahoe.commands.MergeIntoCommandEdge;
import com.databricks.sql.transaction.tahoe.commands.UpdateCommand;
import com.databricks.sql.transaction.tahoe.files.TahoeLogFileIndex;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.plans.logical.AppendData;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.types.DataTypeUtils;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation$;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * Databricks runtimes ship Delta's plan nodes under {@code com.databricks.sql.transaction.tahoe} (and MERGE as
 * {@code MergeIntoCommandEdge}): with stand-ins of those names and fields, the capture reads them as Delta's own,
 * through the fields alone (the stand-ins fail the test when asked to list files or load a log).
 */
class DatabricksDeltaCaptureTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType)
      .add("name", DataTypes.StringType);
  private static SparkSession spark;
  private static java.nio.file.Path source;
  private static String eventsRoot;
  private static CatalogTable events;

  @BeforeAll
  static void startSpark() throws Exception {
    java.nio.file.Path root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark-databricks",
        UUID.randomUUID().toString()).toAbsolutePath();
    spark = SparkSession.builder().master("local[1]").appName("databricks-delta-capture-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .getOrCreate();
    source = root.resolve("source");
    spark.range(2).selectExpr("id", "concat('n', id) AS name").write().parquet(source.toString());
    eventsRoot = "file:" + root.resolve("events");
    spark.sql("CREATE TABLE events (id BIGINT, name STRING) USING parquet LOCATION '" + eventsRoot + "'")
        .collect();
    events = spark.sessionState().catalog().getTableMetadata(new TableIdentifier("events", Option.apply("default")));
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** What Spark's analysis makes of a Delta table read: a relation over its file index. */
  private static LogicalPlan deltaRelation(String root, CatalogTable table) {
    HadoopFsRelation relation = new HadoopFsRelation(new TahoeLogFileIndex(new Path(root)), new StructType(), SCHEMA,
        Option.empty(), new ParquetFileFormat(), scala.collection.immutable.Map$.MODULE$.empty(), spark);
    return table == null ? LogicalRelation$.MODULE$.apply(relation, false)
        : LogicalRelation$.MODULE$.apply(relation, table);
  }

  private static LogicalPlan parquetSource() {
    return spark.read().parquet(source.toString()).queryExecution().analyzed();
  }

  /** A QueryExecution as the listener gets it: the analyzed plan and the session. */
  public static final class FinishedExecution {
    private final Object analyzed;

    FinishedExecution(Object analyzed) {
      this.analyzed = analyzed;
    }

    public Object analyzed() {
      return analyzed;
    }

    public SparkSession sparkSession() {
      return spark;
    }
  }

  private static QueryLineage capture(Object root) {
    LineageCapture.Result result = new LineageCapture(0, 60_000).capture(new FinishedExecution(root), 3L);
    assertTrue(result.lineage() != null, () -> "nothing captured; unknown " + result.unknownNodes());
    assertTrue(result.unknownNodes().isEmpty(), () -> "unknown nodes " + result.unknownNodes());
    return result.lineage();
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  @Test
  void mergeIntoCommandEdgeWritesItsTargetTableAndReadsItsSourceAndTarget() {
    LogicalPlan target = deltaRelation(eventsRoot, events);
    QueryLineage lineage = capture(new MergeIntoCommandEdge(parquetSource(), target, Option.apply(events),
        new TahoeLogFileIndex(new Path(eventsRoot))));
    assertEquals(List.of("table:default.events"), keys(lineage.outputs()));
    assertEquals(List.of("path:file:" + source, "table:default.events"), keys(lineage.inputs()));
    TableDataset table = (TableDataset) lineage.outputs().get(0);
    assertEquals(eventsRoot, String.valueOf(table.location()));
    assertEquals(List.of("id", "name"), table.columns().stream().map(Column::name).collect(Collectors.toList()));
  }

  @Test
  void updateAndDeleteOfAPathTableWriteAndReadItsRoot() {
    LogicalPlan target = deltaRelation("s3a://lake/by_path", null);
    QueryLineage update = capture(new UpdateCommand(new TahoeLogFileIndex(new Path("s3a://lake/by_path")),
        Option.empty(), target));
    assertEquals(List.of("path:s3a://lake/by_path"), keys(update.outputs()));
    assertEquals(List.of("path:s3a://lake/by_path"), keys(update.inputs()));
    QueryLineage delete = capture(new DeleteCommand(new DeltaLog(new Path("s3a://lake/by_path")), Option.empty(),
        target));
    assertEquals(List.of("path:s3a://lake/by_path"), keys(delete.outputs()));
    assertEquals(List.of("path:s3a://lake/by_path"), keys(delete.inputs()));
  }

  @Test
  void aDsv2DeltaTableIsNamedFromItsFieldsWithoutLoadingItsLog() {
    DataSourceV2Relation byPath = new DataSourceV2Relation(new DeltaTableV2(new Path("s3a://lake/orders@v3"),
        Option.empty()), DataTypeUtils.toAttributes(SCHEMA), Option.empty(), Option.empty(),
        CaseInsensitiveStringMap.empty());
    DataSourceV2Relation byName = new DataSourceV2Relation(new DeltaTableV2(new Path(eventsRoot),
        Option.apply(events)), DataTypeUtils.toAttributes(SCHEMA), Option.empty(), Option.empty(),
        CaseInsensitiveStringMap.empty());
    QueryLineage lineage = capture(AppendData.byName(byName, byPath, scala.collection.immutable.Map$.MODULE$.empty()));
    assertEquals(List.of("table:default.events"), keys(lineage.outputs()));
    assertEquals(List.of("path:s3a://lake/orders"), keys(lineage.inputs()),
        "the table's root, without the version of a time-travel read");
  }
}
