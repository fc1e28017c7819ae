package io.github.sparkatlas.e2e;

import static io.github.sparkatlas.e2e.HookMessages.DatasetRef.sparkTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.IcebergWritesApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.testsupport.MessageSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache Iceberg end to end: one job with iceberg-spark-runtime from Maven Central on its classpath and a Hadoop
 * catalog named {@code local}, publishing over SASL_SSL to a real broker at query granularity, so that every write
 * is a process of its own: CTAS, RTAS, INSERT INTO, static and dynamic INSERT OVERWRITE, MERGE INTO, UPDATE, a
 * metadata-only and a row-level DELETE, a DELETE of all rows, reads of a table and of a snapshot
 * ({@code TIMESTAMP AS OF}), and {@code writeTo(...).append()} / {@code overwritePartitions()}. Each names exactly its
 * tables by catalog, namespace and table, never a data or metadata file, and every message validates. Then DDL and
 * DROP on the Iceberg catalog ({@link #DDL_SCRIPT}): each is a catalog change of its own, in order with the
 * processes, and the dropped table never comes back. (A Hadoop catalog cannot rename a table, so RENAME is not here.)
 */
class IcebergLineageEndToEndTest {

    private static final String TOPIC = "ATLAS_HOOK_iceberg";
    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    /** Statements ending with a {@code ;} at line end, as SqlScriptApp reads them. */
    private static final String SCRIPT = """
            CREATE TABLE default.landing_orders USING parquet AS SELECT * FROM VALUES
              (1, 'ann', 'eu', 10.0D), (2, 'bob', 'us', 20.0D), (3, 'cy', 'apac', 30.0D), (4, 'dee', 'eu', 40.0D)
              AS v(id, customer, region, amount);
            CREATE TABLE default.landing_updates USING parquet AS SELECT * FROM VALUES
              (2, 'bob', 'us', 25.0D), (5, 'eve', 'us', 50.0D), (6, 'fay', 'eu', 500.0D)
              AS v(id, customer, region, amount);
            CREATE TABLE local.db.orders USING iceberg PARTITIONED BY (region) AS SELECT * FROM default.landing_orders;
            CREATE OR REPLACE TABLE local.db.customers USING iceberg PARTITIONED BY (region)
              AS SELECT DISTINCT customer, region FROM local.db.orders;
            INSERT INTO local.db.orders SELECT * FROM default.landing_updates;
            INSERT OVERWRITE local.db.customers PARTITION (region = 'eu')
              SELECT DISTINCT customer FROM default.landing_updates WHERE region = 'eu';
            SET spark.sql.sources.partitionOverwriteMode=dynamic;
            INSERT OVERWRITE local.db.customers SELECT DISTINCT customer, region FROM default.landing_orders;
            SET spark.sql.sources.partitionOverwriteMode=static;
            MERGE INTO local.db.orders t USING default.landing_updates s ON t.id = s.id
              WHEN MATCHED THEN UPDATE SET t.amount = s.amount WHEN NOT MATCHED THEN INSERT *;
            UPDATE local.db.orders SET amount = amount * 2
              WHERE customer IN (SELECT customer FROM local.db.customers WHERE region = 'us');
            DELETE FROM local.db.orders WHERE region = 'apac';
            DELETE FROM local.db.orders WHERE id IN (SELECT id FROM default.landing_orders WHERE amount < 15);
            CREATE TABLE local.db.orders_archive USING iceberg PARTITIONED BY (region)
              AS SELECT * FROM local.db.orders WHERE amount > 1000;
            CREATE TABLE default.region_totals USING parquet
              AS SELECT region, sum(amount) AS total FROM local.db.orders GROUP BY region;
            CREATE TABLE default.orders_as_of USING parquet
              AS SELECT * FROM local.db.orders TIMESTAMP AS OF '2999-01-01 00:00:00';
            DELETE FROM local.db.customers;
            """;

    /** Run after the writes: DDL and DROP on the Iceberg catalog, and one more write after the drop. */
    private static final String DDL_SCRIPT = """
            CREATE TABLE local.db.returns (id INT, reason STRING) USING iceberg;
            ALTER TABLE local.db.returns ADD COLUMN amount DOUBLE;
            ALTER TABLE local.db.returns SET TBLPROPERTIES ('team' = 'etl');
            DROP TABLE local.db.customers;
            INSERT INTO local.db.returns SELECT id, customer, amount FROM default.landing_updates;
            CREATE NAMESPACE local.scratch;
            DROP NAMESPACE local.scratch;
            """;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-iceberg"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyIcebergWriteNamesExactlyItsCatalogTablesAndNoFile() throws IOException {
        Path runDir = WorkDirs.newDir("iceberg");
        Path warehouse = runDir.resolve("iceberg-warehouse").toAbsolutePath();
        Path script = runDir.resolve("iceberg-writes.sql");
        Files.createDirectories(runDir);
        Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
        Path ddlScript = runDir.resolve("iceberg-ddl.sql");
        Files.writeString(ddlScript, DDL_SCRIPT, StandardCharsets.UTF_8);
        Map<String, String> props = SampleEtl.saslSslProperties(broker, TOPIC, NAMESPACE);
        props.put("atlas.spark.process.granularity", "query");
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = SparkSubmitRun.app(IcebergWritesApp.class.getName())
                .workingDir(runDir)
                .args(script.toString(), "local.db.orders_archive", ddlScript.toString())
                .jobJars("iceberg")
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .conf("spark.sql.catalog.local", "org.apache.iceberg.spark.SparkCatalog")
                .conf("spark.sql.catalog.local.type", "hadoop")
                .conf("spark.sql.catalog.local.warehouse", "file:" + warehouse)
                .conf("spark.sql.shuffle.partitions", "2")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(IcebergWritesApp.DONE_LINE), result::toString);
        List<Write> writes = expectedWrites();
        List<String> catalogChanges = expectedCatalogChanges();
        int ddlMessages = catalogChanges.size() - 2;
        int expectedMessages = writes.size() + ddlMessages;
        List<ConsumedRecord> records = broker.consumeAll(TOPIC, expectedMessages, Duration.ofSeconds(30));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl", values);
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(values);
        assertEquals(expectedMessages, messages.size(), () -> "one message per write and per DDL: " + messages);

        Set<String> seenLocations = new TreeSet<>();
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            assertNoFileEntity(message, MessageSummary.of(message));
            seenLocations.addAll(icebergLocations(message, warehouse, MessageSummary.of(message)));
        }
        List<JsonNode> processes = HookMessages.processMessages(messages);
        assertEquals(writes.size(), processes.size(), () -> "one process per write: " + messages);
        for (int i = 0; i < processes.size(); i++) {
            Write write = writes.get(i);
            ProcessView process = HookMessages.onlyProcess(processes.get(i));
            assertEquals(write.inputs, process.inputs(), () -> "inputs of " + write.statement);
            assertEquals(write.outputs, process.outputs(), () -> "outputs of " + write.statement);
        }
        List<String> tail = new ArrayList<>();
        for (JsonNode message : messages.subList(writes.size() - 2, messages.size())) {
            tail.add(MessageSummary.of(message).replaceAll(" parameters=\\{[^}]*\\}", ""));
        }
        assertEquals(String.join("\n", catalogChanges), String.join("\n", tail),
                "the DDL and DROP after the writes, each a catalog change of its own, in order with the last write");
        List<JsonNode> ddl = HookMessages.catalogMessages(messages);
        assertEquals(ddlMessages, ddl.size(), "no catalog change among the writes: " + messages);
        assertEquals("etl", table(ddl.get(2)).path("attributes").path("parameters").path("team").asText(),
                "SET TBLPROPERTIES");
        assertTrue(table(ddl.get(1)).path("attributes").path("parameters").path("team").isMissingNode(),
                "no property before SET TBLPROPERTIES");
        assertEquals("iceberg", table(ddl.get(0)).path("attributes").path("provider").asText(), "CREATE's provider");
        int dropped = messages.indexOf(ddl.get(3));
        for (JsonNode later : messages.subList(dropped + 1, messages.size())) {
            assertFalse(HookMessages.entityNames(later).stream().anyMatch(n -> n.contains("local.db.customers@")),
                    () -> "the dropped table came back: " + later);
        }
        assertEquals(Set.of("file:" + warehouse + "/db/orders", "file:" + warehouse + "/db/customers",
                "file:" + warehouse + "/db/orders_archive", "file:" + warehouse + "/db/returns"), seenLocations,
                "the tables' locations, from the metadata Iceberg had loaded");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"),
                "no command left uncaptured, no plan node unknown");
    }

    /** One write of the job: what it reads and writes, in the order the job runs them. */
    private record Write(String statement, Set<DatasetRef> inputs, Set<DatasetRef> outputs) {
    }

    private static List<Write> expectedWrites() {
        DatasetRef landingOrders = sparkTable("default.landing_orders@" + NAMESPACE);
        DatasetRef landingUpdates = sparkTable("default.landing_updates@" + NAMESPACE);
        DatasetRef orders = sparkTable("local.db.orders@" + NAMESPACE);
        DatasetRef customers = sparkTable("local.db.customers@" + NAMESPACE);
        DatasetRef archive = sparkTable("local.db.orders_archive@" + NAMESPACE);
        List<Write> writes = new ArrayList<>();
        writes.add(new Write("CTAS landing_orders (session catalog)", Set.of(), Set.of(landingOrders)));
        writes.add(new Write("CTAS landing_updates (session catalog)", Set.of(), Set.of(landingUpdates)));
        writes.add(new Write("CTAS local.db.orders", Set.of(landingOrders), Set.of(orders)));
        writes.add(new Write("RTAS local.db.customers", Set.of(orders), Set.of(customers)));
        writes.add(new Write("INSERT INTO orders", Set.of(landingUpdates), Set.of(orders)));
        writes.add(new Write("INSERT OVERWRITE customers PARTITION", Set.of(landingUpdates), Set.of(customers)));
        writes.add(new Write("dynamic INSERT OVERWRITE customers", Set.of(landingOrders), Set.of(customers)));
        writes.add(new Write("MERGE INTO orders (the target's kept rows are read)", Set.of(landingUpdates, orders),
                Set.of(orders)));
        writes.add(new Write("UPDATE orders with a subquery", Set.of(orders, customers), Set.of(orders)));
        writes.add(new Write("metadata-only DELETE of a partition", Set.of(orders), Set.of(orders)));
        writes.add(new Write("row-level DELETE with a subquery", Set.of(orders, landingOrders), Set.of(orders)));
        writes.add(new Write("CTAS orders_archive", Set.of(orders), Set.of(archive)));
        writes.add(new Write("read of an Iceberg table", Set.of(orders),
                Set.of(sparkTable("default.region_totals@" + NAMESPACE))));
        writes.add(new Write("read of a snapshot", Set.of(orders),
                Set.of(sparkTable("default.orders_as_of@" + NAMESPACE))));
        writes.add(new Write("DELETE of all rows", Set.of(), Set.of(customers)));
        writes.add(new Write("writeTo append", Set.of(landingOrders), Set.of(archive)));
        writes.add(new Write("writeTo overwritePartitions", Set.of(landingUpdates), Set.of(archive)));
        writes.add(new Write("INSERT INTO the table CREATE TABLE made, after the DROP", Set.of(landingUpdates),
                Set.of(sparkTable("local.db.returns@" + NAMESPACE))));
        return writes;
    }

    /** From the last write before {@link #DDL_SCRIPT} on: what each message of the script's statements says. */
    private static List<String> expectedCatalogChanges() {
        String returns = "spark_table:local.db.returns@" + NAMESPACE;
        return List.of(
                "process in=[spark_table:default.landing_updates@e2e] out=[spark_table:local.db.orders_archive@e2e]",
                "define " + returns + " columns=[id int, reason string]",
                "define " + returns + " columns=[id int, reason string, amount double]",
                "define " + returns + " columns=[id int, reason string, amount double]",
                "delete spark_table:local.db.customers@e2e, spark_storagedesc:local.db.customers@e2e_storage",
                "process in=[spark_table:default.landing_updates@e2e] out=[" + returns + "]",
                "define spark_db:local.scratch@e2e",
                "delete spark_db:local.scratch@e2e");
    }

    /** The one spark_table at the top of a create message. */
    private static JsonNode table(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_table".equals(entity.path("typeName").asText())) {
                return entity;
            }
        }
        throw new AssertionError("no spark_table in " + message);
    }

    /** No path entity at all, and no name of a data or metadata file or folder of a table. */
    private static void assertNoFileEntity(JsonNode message, String statement) {
        for (String name : HookMessages.entityNames(message)) {
            assertFalse(name.startsWith("fs_path:") || name.startsWith("hdfs_path:"),
                    () -> "a path entity in the message of " + statement + ": " + name);
            assertFalse(name.contains("/metadata") || name.contains("/data/") || name.contains(".parquet")
                    || name.contains(".avro"), () -> "a file of a table in the message of " + statement + ": " + name);
        }
    }

    /**
     * The locations of the Iceberg tables of a message: each, where known, its table's root in the warehouse, the
     * table of its spark_table (spark_storagedesc {@code <db>.<table>@<ns>_storage}).
     */
    private static Set<String> icebergLocations(JsonNode message, Path warehouse, String statement) {
        Map<String, String> locations = new LinkedHashMap<>();
        List<JsonNode> entities = new ArrayList<>();
        message.path("entities").path("entities").forEach(entities::add);
        message.path("entities").path("referredEntities").forEach(entities::add);
        for (JsonNode entity : entities) {
            JsonNode attributes = entity.path("attributes");
            String qualifiedName = attributes.path("qualifiedName").asText();
            if ("spark_storagedesc".equals(entity.path("typeName").asText()) && qualifiedName.startsWith("local.db.")
                    && attributes.hasNonNull("location")) {
                String table = qualifiedName.substring("local.db.".length(), qualifiedName.indexOf('@'));
                String location = attributes.path("location").asText();
                assertEquals("file:" + warehouse + "/db/" + table, location,
                        () -> "location of " + table + " in the message of " + statement);
                locations.put(table, location);
            }
            if ("spark_table".equals(entity.path("typeName").asText()) && qualifiedName.startsWith("local.db.")) {
                assertEquals("iceberg", attributes.path("provider").asText(),
                        () -> "provider of " + qualifiedName + " in the message of " + statement);
            }
        }
        return Set.copyOf(locations.values());
    }
}
