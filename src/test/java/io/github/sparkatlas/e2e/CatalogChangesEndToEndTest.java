package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.apps.SqlScriptApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.testsupport.MessageSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DDL and DROP on a Hive catalog reach Atlas over SASL_SSL, in order with the application's process: databases
 * and tables defined on their own (CREATE, ALTER of columns, properties and location, CREATE TABLE LIKE), renamed
 * by partial updates of the same entities, dropped by ENTITY_DELETE_V2 (a table, a view, a database with its
 * tables), and no process message after a drop names what was dropped. One spark-submit of one SQL script.
 */
class CatalogChangesEndToEndTest {

    private static final String TOPIC = "ATLAS_HOOK";
    private static final String NS = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-catalog-changes"));
        broker.createTopic(TOPIC, 1);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void ddlAndDropOnAHiveCatalogAreSentInOrderAndADroppedTableNeverComesBack() throws IOException {
        Path runDir = WorkDirs.newDir("catalog-changes");
        Path moved = runDir.toAbsolutePath().resolve("events-moved");
        Path export = runDir.toAbsolutePath().resolve("export");
        Path after = runDir.toAbsolutePath().resolve("after-drop");
        Path script = runDir.resolve("ddl.sql");
        Files.createDirectories(runDir);
        Files.write(script, List.of(
                "CREATE DATABASE lake;",
                "CREATE TABLE lake.orders (id INT, amount DOUBLE) STORED AS PARQUET;",
                "CREATE TABLE lake.events (id INT, kind STRING) USING parquet;",
                "ALTER TABLE lake.events ADD COLUMNS (day STRING);",
                "ALTER TABLE lake.events SET TBLPROPERTIES ('team' = 'etl');",
                "ALTER TABLE lake.events UNSET TBLPROPERTIES ('team');",
                "ALTER TABLE lake.events SET LOCATION '" + moved.toUri() + "';",
                "INSERT INTO lake.orders VALUES (1, 2.5);",
                "CREATE TABLE lake.events_like LIKE lake.events;",
                "CREATE VIEW lake.big_orders AS SELECT id FROM lake.orders WHERE amount > 1;",
                "ALTER TABLE lake.orders RENAME TO lake.orders_v2;",
                "DROP VIEW lake.big_orders;",
                "DROP TABLE lake.events_like;",
                "DROP TABLE IF EXISTS lake.never_there;",
                "CREATE TEMPORARY VIEW scratch AS SELECT 1 AS x;",
                "DROP VIEW scratch;",
                "INSERT OVERWRITE DIRECTORY '" + export.toUri() + "' USING parquet SELECT id FROM lake.orders_v2;",
                "DROP DATABASE lake CASCADE;",
                "INSERT OVERWRITE DIRECTORY '" + after.toUri() + "' USING parquet SELECT 1 AS x;"),
                StandardCharsets.UTF_8);
        Map<String, String> props = SampleEtl.saslSslProperties(broker, TOPIC, NS);
        SampleEtl.writeAtlasProperties(runDir, props);

        SparkSubmitRun.Result result = SparkSubmitRun.app(SqlScriptApp.class.getName())
                .workingDir(runDir)
                .args(script.toAbsolutePath().toString(), "catalog-changes")
                .hive(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SqlScriptApp.DONE_PREFIX + 19), result::toString);

        List<ConsumedRecord> records = broker.consumeAll(TOPIC, 1, Duration.ofSeconds(20));
        SampleEtl.saveRecords(runDir, "consumed-" + TOPIC + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        List<String> summaries = new ArrayList<>();
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            summaries.add(MessageSummary.of(message).replaceAll(" parameters=\\{[^}]*\\}", ""));
        }
        String warehouse = "file:" + runDir.toAbsolutePath().resolve("warehouse");
        String exportPath = "fs_path:" + SampleEtl.localUri(export) + "@" + NS;
        String afterPath = "fs_path:" + SampleEtl.localUri(after) + "@" + NS;
        List<String> expected = List.of(
                "define spark_db:lake@e2e",
                "define spark_table:lake.orders@e2e columns=[id int, amount double]",
                "define spark_table:lake.events@e2e columns=[id int, kind string]",
                "define spark_table:lake.events@e2e columns=[id int, kind string, day string]",
                "define spark_table:lake.events@e2e columns=[id int, kind string, day string]",
                "define spark_table:lake.events@e2e columns=[id int, kind string, day string]",
                "define spark_table:lake.events@e2e columns=[id int, kind string, day string]",
                "process in=[] out=[spark_table:lake.orders@e2e]",
                "define spark_table:lake.events_like@e2e columns=[id int, kind string, day string]",
                "process in=[] out=[spark_table:lake.orders@e2e, spark_table:lake.big_orders@e2e]",
                "define spark_table:lake.orders@e2e columns=[id int, amount double]",
                "rename spark_column:lake.orders.id@e2e -> lake.orders_v2.id@e2e",
                "rename spark_column:lake.orders.amount@e2e -> lake.orders_v2.amount@e2e",
                "rename spark_storagedesc:lake.orders@e2e_storage -> lake.orders_v2@e2e_storage",
                "rename spark_table:lake.orders@e2e -> lake.orders_v2@e2e",
                "define spark_table:lake.orders_v2@e2e columns=[id int, amount double]",
                "delete spark_table:lake.big_orders@e2e, spark_storagedesc:lake.big_orders@e2e_storage",
                "delete spark_table:lake.events_like@e2e, spark_storagedesc:lake.events_like@e2e_storage",
                "process in=[] out=[spark_table:lake.orders_v2@e2e, " + exportPath + "]",
                "delete spark_table:lake.orders_v2@e2e, spark_storagedesc:lake.orders_v2@e2e_storage",
                "delete spark_table:lake.events@e2e, spark_storagedesc:lake.events@e2e_storage",
                "delete spark_db:lake@e2e",
                "process in=[] out=[" + exportPath + ", " + afterPath + "]");
        assertEquals(String.join("\n", expected), String.join("\n", summaries), () -> "messages of " + records);

        assertEquals("etl", table(messages.get(4)).path("attributes").path("parameters").path("team").asText(),
                "SET TBLPROPERTIES");
        assertTrue(table(messages.get(5)).path("attributes").path("parameters").path("team").isMissingNode(),
                "UNSET TBLPROPERTIES");
        assertEquals(SampleEtl.localUri(moved), storage(messages.get(6)).path("attributes").path("location").asText(),
                "SET LOCATION");
        assertTrue(storage(messages.get(2)).path("attributes").path("location").asText().startsWith(warehouse),
                () -> "a managed table's location, as the catalog made it: " + messages.get(2));
        for (ConsumedRecord record : records) {
            assertTrue(record.key().matches("local-\\d+@" + NS), () -> "every message keyed like the application's"
                    + " process, so that they stay in order in one partition: " + record.key());
        }
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"), "no command left uncaptured");
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

    private static JsonNode storage(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("referredEntities")) {
            if ("spark_storagedesc".equals(entity.path("typeName").asText())) {
                return entity;
            }
        }
        throw new AssertionError("no spark_storagedesc in " + message);
    }
}
