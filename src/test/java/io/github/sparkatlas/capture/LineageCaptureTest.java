package io.github.sparkatlas.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every batch write form of issue 2, run on a real in-JVM SparkSession with a Hive (Derby) catalog. */
class LineageCaptureTest {
  private static Path root;
  private static Path csv;
  private static SparkSession spark;
  private static final CapturedExecutions CAPTURED = new CapturedExecutions();

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    csv = root.resolve("people-csv");
    Files.createDirectories(csv);
    Files.write(csv.resolve("part-0.csv"), Arrays.asList("name,age", "ann,31", "bob,42"), StandardCharsets.UTF_8);
    System.setProperty("derby.system.home", root.toString());
    spark = SparkSession.builder().master("local[1]").appName("capture-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
            "jdbc:derby:;databaseName=" + root.resolve("metastore_db") + ";create=true")
        .enableHiveSupport()
        .getOrCreate();
    spark.sparkContext().addSparkListener(CAPTURED);
    spark.read().option("header", "true").csv(csv.toString()).write().saveAsTable("people");
    spark.sql("CREATE TABLE hive_people (name STRING, age STRING) STORED AS TEXTFILE");
    drain();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void clear() {
    drain();
    CAPTURED.clearUnknown();
  }

  private static List<QueryLineage> drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("listener bus did not drain", e);
    }
    return CAPTURED.drain();
  }

  private static List<QueryLineage> sql(String statement) {
    spark.sql(statement).collect();
    return drain();
  }

  private static List<String> keys(List<Dataset> datasets) {
    return datasets.stream().map(Dataset::key).sorted().collect(Collectors.toList());
  }

  private static String file(Path path) {
    return "path:file:" + path.toAbsolutePath();
  }

  /** The statement produced lineage, every event of it names the same datasets, and these are they. */
  private static QueryLineage single(List<QueryLineage> captured, List<String> inputs, List<String> outputs) {
    assertFalse(captured.isEmpty(), "no lineage captured");
    for (QueryLineage lineage : captured) {
      assertEquals(inputs.stream().sorted().collect(Collectors.toList()), keys(lineage.inputs()),
          "inputs of " + lineage);
      assertEquals(outputs, keys(lineage.outputs()), "outputs of " + lineage);
    }
    assertTrue(CAPTURED.unknownNodes().isEmpty(), "unknown nodes: " + CAPTURED.unknownNodes());
    return captured.get(captured.size() - 1);
  }

  @Test
  void saveAsTableReadsTheCsvRootPathAndWritesTheTable() {
    spark.read().option("header", "true").csv(csv.toString()).write().mode(SaveMode.Overwrite).saveAsTable("people2");
    QueryLineage lineage = single(drain(), Arrays.asList(file(csv)), Arrays.asList("table:default.people2"));
    TableDataset table = (TableDataset) lineage.outputs().get(0);
    assertEquals(Arrays.asList("name", "age"),
        table.columns().stream().map(c -> c.name()).collect(Collectors.toList()));
  }

  @Test
  void parquetSaveReadsTableAndWritesPath() {
    Path out = root.resolve("out-parquet");
    spark.table("people").write().parquet(out.toString());
    single(drain(), Arrays.asList("table:default.people"), Arrays.asList(file(out)));
  }

  @Test
  void everyFileFormatWriterIsCaptured() {
    for (String format : Arrays.asList("csv", "json", "orc")) {
      Path out = root.resolve("out-" + format);
      spark.table("people").write().format(format).save(out.toString());
      single(drain(), Arrays.asList("table:default.people"), Arrays.asList(file(out)));
    }
  }

  @Test
  void dataSourceCtasWritesTheNewTable() {
    single(sql("CREATE TABLE ctas_ds USING parquet AS SELECT name FROM people WHERE age > 35"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.ctas_ds"));
  }

  @Test
  void hiveCtasWritesTheNewTable() {
    single(sql("CREATE TABLE ctas_hive STORED AS TEXTFILE AS SELECT name, age FROM people"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.ctas_hive"));
  }

  @Test
  void hiveCtasConvertedToParquetWritesTheNewTable() {
    single(sql("CREATE TABLE ctas_hive_parquet STORED AS PARQUET AS SELECT name, age FROM people"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.ctas_hive_parquet"));
  }

  @Test
  void insertIntoDataSourceTableIsOneLineageDespiteCommandAndCollectEvents() {
    sql("CREATE TABLE IF NOT EXISTS people_copy (name STRING, age STRING) USING parquet");
    List<QueryLineage> captured = sql("INSERT INTO people_copy SELECT name, age FROM people");
    assertEquals(1, captured.size(), "captured: " + captured);
    single(captured, Arrays.asList("table:default.people"), Arrays.asList("table:default.people_copy"));
  }

  @Test
  void insertOverwriteHiveTableReadsTheSourceTable() {
    single(sql("INSERT OVERWRITE TABLE hive_people SELECT name, age FROM people"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.hive_people"));
  }

  @Test
  void insertIntoApiWritesTheHiveTable() {
    spark.table("people").write().insertInto("hive_people");
    single(drain(), Arrays.asList("table:default.people"), Arrays.asList("table:default.hive_people"));
  }

  @Test
  void loadDataLocalInpathReadsTheLocalFile() throws IOException {
    Path data = root.resolve("load.txt");
    Files.write(data, Collections.singletonList("carl\u000150"), StandardCharsets.UTF_8);
    single(sql("LOAD DATA LOCAL INPATH '" + data + "' INTO TABLE hive_people"), Arrays.asList(file(data)),
        Arrays.asList("table:default.hive_people"));
  }

  @Test
  void insertOverwriteLocalDirectoryHiveFormatWritesTheDirectory() {
    Path dir = root.resolve("hive-dir");
    single(sql("INSERT OVERWRITE LOCAL DIRECTORY '" + dir + "' STORED AS TEXTFILE SELECT name FROM people"),
        Arrays.asList("table:default.people"), Arrays.asList(file(dir)));
  }

  @Test
  void insertOverwriteDirectoryUsingParquetWritesTheDirectory() {
    Path dir = root.resolve("ds-dir");
    single(sql("INSERT OVERWRITE DIRECTORY '" + dir + "' USING parquet SELECT name FROM people"),
        Arrays.asList("table:default.people"), Arrays.asList(file(dir)));
  }

  @Test
  void persistentViewIsAnOutputAndResolvesToItsBaseTableWhenRead() {
    single(sql("CREATE VIEW adults AS SELECT name FROM people WHERE age >= 18"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.adults"));
    single(sql("CREATE TABLE from_view USING parquet AS SELECT * FROM adults"),
        Arrays.asList("table:default.people"), Arrays.asList("table:default.from_view"));
  }

  @Test
  void temporaryViewsAreNotDatasets() {
    assertTrue(sql("CREATE TEMPORARY VIEW tmp_adults AS SELECT name FROM people").isEmpty());
  }

  @Test
  void joinAndSubqueryInputsAreAllCaptured() {
    single(sql("CREATE TABLE joined USING parquet AS SELECT p.name FROM people p JOIN hive_people h "
        + "ON p.name = h.name WHERE p.name IN (SELECT name FROM people2_src)"),
        Arrays.asList("table:default.hive_people", "table:default.people", "table:default.people2_src"),
        Arrays.asList("table:default.joined"));
  }

  @BeforeAll
  static void createSubquerySource() {
    spark.sql("CREATE TABLE IF NOT EXISTS people2_src USING parquet AS SELECT * FROM people").collect();
  }

  @Test
  void cachedRelationsAreUnwrappedToTheirSource() {
    org.apache.spark.sql.Dataset<Row> cached = spark.table("people").cache();
    cached.count();
    drain();
    Path out = root.resolve("from-cache");
    cached.write().parquet(out.toString());
    single(drain(), Arrays.asList("table:default.people"), Arrays.asList(file(out)));
    cached.unpersist();
  }

  @Test
  void localDataHasNoInputsAndIsNotUnknown() {
    Path out = root.resolve("from-range");
    spark.range(5).write().parquet(out.toString());
    single(drain(), Collections.emptyList(), Arrays.asList(file(out)));
  }

  /**
   * The record says what the query read, the table it writes included: at query granularity that table is the
   * process's input and output; application granularity leaves it out of the inputs (no loop from a table to
   * itself, see SparkEntityFactoryTest and ProcessUpdatesTest).
   */
  @Test
  void readingTheTableBeingWrittenIsRecordedAsItsInput() {
    QueryLineage lineage = single(sql("INSERT INTO hive_people SELECT * FROM hive_people"),
        Arrays.asList("table:default.hive_people"), Arrays.asList("table:default.hive_people"));
    assertEquals(lineage.outputs(), lineage.inputs());
  }

  @Test
  void readsWriteNothing() {
    spark.table("people").collect();
    assertTrue(drain().isEmpty());
  }

  @Test
  void planLineThatTookLongerThanTheBudgetToBuildIsCutAtTheLimitNotLeftOut() {
    // Spark builds a node's line whole before handing it over; for a 20 MB literal that takes far more than 1 ms.
    String literal = String.join("", Collections.nCopies(2_000_000, "0123456789"));
    Object plan = spark.range(1).select(functions.lit(literal).as("blob")).queryExecution().analyzed();

    PlanTextSource.Rendering rendered = new PlanText(plan).render(1_000, System.nanoTime() + 1_000_000L);

    assertFalse(rendered.overBudget());
    assertFalse(rendered.complete());
    assertEquals(1_000, rendered.text().length());
    assertEquals(literal.substring(0, 100), rendered.text().substring(rendered.text().indexOf('0'),
        rendered.text().indexOf('0') + 100));
  }
}
