package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.JdbcUrl;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.net.URI;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.SparkContext;

/**
 * Pays up front, on a thread of the agent's own, what the first captures of an application would otherwise pay on
 * Spark's listener thread: loading the capture's classes, and Java's reflection data and the capture's method
 * lookups for Spark's common plan classes (a failed lookup costs an exception, and a capture makes dozens). Spark's
 * classes are loaded, not initialized (but for the TreePattern enumeration the capture reads), and nothing of Spark
 * is called. Classes a Spark version lacks are skipped. Measured in-process on the benchmark's workload, this took
 * about 25 ms of CPU off the listener thread over an application's first twenty executions.
 */
public final class CaptureWarmUp {
  /** The classes of the events, sessions and plans of the most common writes and reads. */
  static final List<String> SPARK_CLASSES = Collections.unmodifiableList(Arrays.asList(
      "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart",
      "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd",
      "org.apache.spark.sql.execution.QueryExecution",
      "org.apache.spark.sql.SparkSession",
      "org.apache.spark.sql.classic.SparkSession",
      "org.apache.spark.sql.internal.SessionState",
      "org.apache.spark.sql.catalyst.catalog.SessionCatalog",
      "org.apache.spark.sql.hive.HiveSessionCatalog",
      "org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand",
      "org.apache.spark.sql.execution.command.CreateDataSourceTableAsSelectCommand",
      "org.apache.spark.sql.hive.execution.InsertIntoHiveTable",
      "org.apache.spark.sql.hive.execution.CreateHiveTableAsSelectCommand",
      "org.apache.spark.sql.hive.execution.InsertIntoHiveDirCommand",
      "org.apache.spark.sql.execution.command.InsertIntoDataSourceDirCommand",
      "org.apache.spark.sql.execution.command.LoadDataCommand",
      "org.apache.spark.sql.execution.command.CreateViewCommand",
      "org.apache.spark.sql.execution.datasources.LogicalRelation",
      "org.apache.spark.sql.execution.datasources.HadoopFsRelation",
      "org.apache.spark.sql.execution.datasources.InMemoryFileIndex",
      "org.apache.spark.sql.catalyst.catalog.HiveTableRelation",
      "org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation",
      "org.apache.spark.sql.catalyst.catalog.CatalogTable",
      "org.apache.spark.sql.catalyst.catalog.CatalogStorageFormat",
      "org.apache.spark.sql.catalyst.catalog.CatalogTableType",
      "org.apache.spark.sql.catalyst.TableIdentifier",
      "org.apache.spark.sql.types.StructType",
      "org.apache.spark.sql.types.StructField",
      "org.apache.spark.sql.types.StringType$",
      "org.apache.spark.sql.types.IntegerType$",
      "org.apache.spark.sql.types.LongType$",
      "org.apache.spark.sql.types.DoubleType$",
      "org.apache.spark.sql.catalyst.plans.logical.Project",
      "org.apache.spark.sql.catalyst.plans.logical.Filter",
      "org.apache.spark.sql.catalyst.plans.logical.Join",
      "org.apache.spark.sql.catalyst.plans.logical.Aggregate",
      "org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias",
      "org.apache.spark.sql.catalyst.plans.logical.View",
      "org.apache.spark.sql.catalyst.plans.logical.Union",
      "org.apache.spark.sql.catalyst.plans.logical.Sort",
      "org.apache.spark.sql.catalyst.plans.logical.Distinct",
      "org.apache.spark.sql.catalyst.plans.logical.Deduplicate",
      "org.apache.spark.sql.catalyst.plans.logical.Range",
      "org.apache.spark.sql.catalyst.plans.logical.LocalRelation",
      "org.apache.spark.sql.catalyst.plans.logical.Repartition",
      "org.apache.spark.sql.catalyst.plans.logical.RepartitionByExpression",
      // DSv2 writes (an Iceberg or Delta table of a catalog), row-level writes, DELETE and the DDL of issue 9.
      // Only Spark's own classes: Delta's and Iceberg's may be absent, and the capture matches them by name.
      "org.apache.spark.sql.catalyst.plans.logical.AppendData",
      "org.apache.spark.sql.catalyst.plans.logical.OverwriteByExpression",
      "org.apache.spark.sql.catalyst.plans.logical.OverwritePartitionsDynamic",
      "org.apache.spark.sql.catalyst.plans.logical.CreateTableAsSelect",
      "org.apache.spark.sql.catalyst.plans.logical.ReplaceTableAsSelect",
      "org.apache.spark.sql.catalyst.plans.logical.ReplaceData",
      "org.apache.spark.sql.catalyst.plans.logical.WriteDelta",
      "org.apache.spark.sql.catalyst.plans.logical.DeleteFromTable",
      "org.apache.spark.sql.catalyst.plans.logical.CreateTable",
      "org.apache.spark.sql.catalyst.plans.logical.ReplaceTable",
      "org.apache.spark.sql.catalyst.plans.logical.DropTable",
      "org.apache.spark.sql.catalyst.plans.logical.RenameTable",
      "org.apache.spark.sql.catalyst.plans.logical.CreateNamespace",
      "org.apache.spark.sql.catalyst.plans.logical.DropNamespace",
      "org.apache.spark.sql.catalyst.plans.logical.TableSpec",
      "org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier",
      "org.apache.spark.sql.catalyst.analysis.ResolvedTable",
      "org.apache.spark.sql.catalyst.analysis.ResolvedNamespace",
      "org.apache.spark.sql.connector.catalog.IdentifierImpl",
      "org.apache.spark.sql.execution.datasources.v2.DataSourceV2ScanRelation",
      // JDBC reads and writes.
      "org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand",
      "org.apache.spark.sql.execution.datasources.InsertIntoDataSourceCommand",
      "org.apache.spark.sql.execution.datasources.jdbc.JDBCRelation",
      "org.apache.spark.sql.execution.datasources.jdbc.JDBCOptions",
      "org.apache.spark.sql.execution.datasources.jdbc.JdbcRelationProvider",
      "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTable",
      "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog",
      // The external catalog's events, read on the listener thread (CatalogEvents).
      "org.apache.spark.sql.catalyst.catalog.CreateTableEvent",
      "org.apache.spark.sql.catalyst.catalog.DropTableEvent",
      "org.apache.spark.sql.catalyst.catalog.RenameTableEvent",
      "org.apache.spark.sql.catalyst.catalog.AlterTableEvent",
      "org.apache.spark.sql.catalyst.catalog.CreateDatabaseEvent",
      "org.apache.spark.sql.catalyst.catalog.DropDatabaseEvent",
      "org.apache.spark.sql.catalyst.catalog.AlterDatabaseEvent",
      "org.apache.hadoop.fs.Path",
      "scala.Some",
      "scala.None$",
      "scala.collection.immutable.$colon$colon",
      "scala.collection.immutable.Nil$",
      "scala.collection.immutable.Vector",
      "scala.collection.immutable.VectorIterator",
      "scala.collection.immutable.ArraySeq",
      "scala.collection.mutable.ArraySeq",
      "scala.collection.mutable.WrappedArray$ofRef"));

  /** Every member name the capture reads from plans, sessions and events. */
  private static final List<String> MEMBERS = Collections.unmodifiableList(Arrays.asList(
      "_1", "_2", "analyzed", "cacheBuilder", "catalog", "catalogString", "catalogTable", "child", "children",
      "commandExecuted", "comment", "createTime", "currentDb", "dataType", "database", "executionFailure",
      "executionId", "fields", "getComment", "identifier", "inputFormat", "isLocal", "location", "locationUri",
      "name", "namespace", "nullable", "options", "outputFormat", "outputPath", "owner", "partitionColumnNames",
      "path", "plan", "properties", "provider", "qe", "query", "relation", "rootExecutionId", "rootPaths", "schema",
      "serde", "sessionState", "sparkContext", "sparkSession", "storage", "subqueries", "table", "tableDesc",
      "tableIdentifier", "tableMeta", "tableName", "tableType", "toUri", "viewType", "isDefined", "get",
      "iterator", "hasNext", "next", "kind", "newName", "tableSpec", "originalTable", "jdbcOptions", "parameters",
      "logicalRelation", "dataSource", "sharedState"));

  private CaptureWarmUp() {
  }

  /** Never throws; meant for a daemon thread started with the agent. */
  public static void run() {
    try {
      ClassLoader loader = SparkContext.class.getClassLoader();
      for (String name : SPARK_CLASSES) {
        try {
          Class<?> type = Class.forName(name, false, loader);
          for (String member : MEMBERS) {
            Reflect.lookUpOnly(type, member);
          }
          Subqueries.lookUpOnly(type);
        } catch (Throwable t) {
          // Absent in this Spark version, or with members of types that are absent (Hive classes without Hive).
        }
      }
      // The capture's own classes, loaded and run once on plain values.
      CaptureContext context = new CaptureContext(SessionDefaults.NONE, System.nanoTime() + 1_000_000_000L);
      InputCollector collector = new InputCollector(Collections.<InputExtractor>emptyList(), context);
      collector.walk(context);
      collector.collect();
      Commands.isCommand(context);
      new QueryLineage("warm-up", null, 0, "warm-up", null, 0L,
          Collections.singletonList(TableDataset.builder("default", "warm_up").build()),
          Collections.singletonList(context.path(URI.create("/warm-up"), true)), null)
          .withPlanTextSource(new PlanText(context)).withPlanText(null);
      PathDataset.of(URI.create("file:/warm-up"));
      // A JDBC table name is read at capture; a query is parsed later, on the agent thread, and is not warmed here.
      JdbcTableNames.ofDbtable(JdbcUrl.parse("jdbc:postgresql://warm-up/warm_up"), "warm_up.\"warm_up\"",
          (key, message) -> { });
      CatalogEvents.read(context);
    } catch (Throwable t) {
      // A warm-up that fails leaves the first captures as slow as they would have been, nothing worse.
    }
  }
}
