package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolEntry;
import io.github.sparkatlas.e2e.apps.PlantedSecretsApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.message.OutboundMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A job whose plan text carries secrets of every form (passwords in JDBC URLs and option maps, an Azure SAS
 * signature and account key, AWS keys, a JAAS password, and strings only the job's or the agent's own redaction
 * settings name), whose tables have passwords in their comments, which writes to a path and a table whose names
 * hold secrets only those settings name, and which writes to JDBC with passwords, sending over SASL_SSL: no secret,
 * nor the SASL or truststore password, reaches the topic, the spool on disk or the driver log, while the text that
 * does reach them shows the mask where each secret was, in the plan text and in the names alike.
 */
class PlantedSecretsEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    /** For one write of the job to reach the topic or the spool while the job waits at its gate. */
    private static final Duration GATE_TIMEOUT = Duration.ofSeconds(90);
    private static final String MASK = "*********(redacted)";
    /**
     * CTAS, INSERT, the Parquet write to a secret path, the CTAS of a secret table, and the JDBC write (to a Derby
     * table whose URL and connection properties hold passwords).
     */
    private static final int WRITES = 5;
    /** The job's CREATE TABLE (its CTAS's and saveAsTable's tables are in their processes' messages). */
    private static final int DDL_MESSAGES = 1;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-secrets"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void plantedSecretsReachNeitherTheTopicNorTheDriverLog() {
        String topic = "ATLAS_HOOK_planted_secrets";
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("secrets-delivered");
        SampleEtl.writeAtlasProperties(runDir, saslSslProperties(broker.saslSslBootstrap(), topic));

        Path gates = runDir.resolve("gates");
        SparkSubmitRun.Running driver = submit(runDir).args(gates.toString()).start();
        SparkSubmitRun.Result result;
        try {
            // The CTAS's state, whose plan text holds the query's secrets, reaches the topic before the job goes on:
            // made later, a newer state of the process could supersede it while it waited.
            List<ConsumedRecord> first = broker.consumeAll(topic, 1, GATE_TIMEOUT);
            assertEquals(1, first.size(), () -> "the CTAS's message on the topic:\n" + driver.log());
            for (int write = 1; write < WRITES; write++) {
                openGate(gates, write);
            }
            result = assertSecretsInPlan(runDir, driver.await(RUN_TIMEOUT));
        } finally {
            if (driver.process().isAlive()) {
                driver.killForcibly();
            }
        }

        // The later states may supersede one another; the summary counts each either sent or superseded.
        int sent = DriverLog.assertSentOrSuperseded(DriverLog.summary(result.log()), WRITES + DDL_MESSAGES);
        List<ConsumedRecord> records = broker.consumeAll(topic, sent, Duration.ofSeconds(30));
        assertEquals(sent, records.size(), "one record per message sent, a write with lineage each (CTAS, INSERT, "
                + "Parquet, CTAS, JDBC) unless superseded");
        for (ConsumedRecord record : records) {
            assertNoSecret(record.value(), "record value at offset " + record.offset());
            assertNoSecret(record.key(), "record key at offset " + record.offset());
        }
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        assertEquals(sent, messages.size());
        List<Set<HookMessages.DatasetRef>> outputsAfter = outputsAfterEachWrite(runDir);
        int previousWrite = -1;
        for (JsonNode message : messages) {
            HookMessages.assertValidForAtlasAndPurview(message);
            assertNoSecret(message.toString(), "decoded message");
            if (!HookMessages.isProcessMessage(message)) {
                continue;
            }
            Set<HookMessages.DatasetRef> outputs = HookMessages.onlyProcess(message).outputs();
            int write = outputsAfter.indexOf(outputs);
            assertTrue(write > previousWrite, () -> "states in the order of the writes, none twice: " + outputs);
            previousWrite = write;
        }
        assertEquals(outputsAfter.get(0), HookMessages.onlyProcess(messages.get(0)).outputs(),
                "the first message is the CTAS's state, taken before the job went on");
        HookMessages.ProcessView process = HookMessages.onlyProcess(messages.get(messages.size() - 1));
        assertEquals(outputsAfter.get(WRITES - 1),
                process.outputs(), "the lineage is reported as usual, the secrets in names masked in place");
        assertMaskedWhereSecretsWere(planText(messages.get(0)), "delivered plan text of the CTAS");
        assertMaskedComments(messages.get(messages.size() - 1).toString(), "delivered message of the INSERT");

        assertNoSecretInDriverLog(result);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
    }

    @Test
    void plantedSecretsAreNotWrittenToTheSpool() throws IOException {
        Path runDir = WorkDirs.newDir("secrets-spooled");
        Path spoolBase = runDir.resolve("spool");
        // Nothing listens there: every message stays in the spool, as after an outage of Event Hubs.
        SampleEtl.writeAtlasProperties(runDir, saslSslProperties("127.0.0.1:" + closedPort(), "ATLAS_HOOK"));

        Path gates = runDir.resolve("gates");
        SparkSubmitRun.Running driver = submit(runDir).args(gates.toString())
                .conf("spark.atlas.spark.spool.dir", spoolBase.toString())
                .conf("spark.atlas.spark.shutdown.flush.timeout.ms", "2000")
                .start();
        // Each state waits in the spool until the next one supersedes it: each is read while it is the newest.
        List<JsonNode> statesInSpool = new ArrayList<>();
        SparkSubmitRun.Result result;
        try {
            for (int write = 1; write < WRITES; write++) {
                Set<HookMessages.DatasetRef> outputs = outputsAfterEachWrite(runDir).get(write - 1);
                List<JsonNode> pending = Spools.awaitLastPending(spoolBase,
                        message -> HookMessages.isProcessMessage(message)
                                && HookMessages.onlyProcess(message).outputs().equals(outputs), GATE_TIMEOUT);
                statesInSpool.add(pending.get(pending.size() - 1));
                openGate(gates, write);
            }
            result = assertSecretsInPlan(runDir, driver.await(RUN_TIMEOUT));
        } finally {
            if (driver.process().isAlive()) {
                driver.killForcibly();
            }
        }
        Map<String, Long> summary = DriverLog.summary(result.log());
        assertEquals(WRITES + DDL_MESSAGES, summary.get("messages"),
                () -> "one message per write with lineage and per DDL: " + summary);
        assertEquals(0, summary.get("sent"), () -> "nothing sent: " + summary);
        assertEquals(1 + DDL_MESSAGES, summary.get("spooled"),
                () -> "the newest state and the DDL (never superseded) kept in the spool: " + summary);
        assertEquals(WRITES - 1, summary.get("superseded"), () -> "it holds the older ones: " + summary);

        List<Path> files;
        try (Stream<Path> walk = Files.walk(spoolBase)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().anyMatch(file -> file.toString().endsWith(".seg")), () -> "spool files " + files);
        for (Path file : files) {
            assertNoSecret(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), "spool file " + file);
        }
        List<Path> spools = Spool.directories(spoolBase);
        assertEquals(1, spools.size(), () -> "one spool for the application: " + spools);
        SpoolEntry newest = Spools.assertOnlyNewestStateLeft(spools.get(0), WRITES + DDL_MESSAGES);
        OutboundMessage notification = newest.notification();
        for (String field : List.of(notification.body(), notification.key(), notification.user(),
                notification.applicationId())) {
            assertNoSecret(field, "spooled notification " + newest.sequence());
        }
        for (int i = 0; i < statesInSpool.size(); i++) {
            assertNoSecret(statesInSpool.get(i).toString(), "spooled state after write " + (i + 1));
        }
        assertMaskedWhereSecretsWere(planText(statesInSpool.get(0)), "spooled plan text of the CTAS");
        assertMaskedComments(notification.body(), "spooled message of the INSERT");
        String last = notification.body();
        assertEquals(outputsAfterEachWrite(runDir).get(WRITES - 1),
                HookMessages.onlyProcess(AtlasHookDecoder.envelopeOf(last)).outputs(), "the newest state's outputs");
        for (String maskedName : List.of("\"default.exported_" + MASK + "@" + NAMESPACE + "\"",
                "\"" + maskedExportPath(runDir) + "\"")) {
            assertTrue(last.contains(maskedName), () -> "spooled message lacks " + maskedName + ": " + last);
        }

        assertNoSecretInDriverLog(result);
    }

    private static SparkSubmitRun submit(Path runDir) {
        return SparkSubmitRun.app(PlantedSecretsApp.class.getName())
                .workingDir(runDir)
                .args(planFile(runDir).toString())
                .conf("spark.extraListeners", SampleEtl.LISTENER)
                // Spark's default plus a word of this job's own, so that only this setting masks the hushword.
                .conf("spark.redaction.regex", "(?i)secret|password|token|access[.]?key|hushword")
                .conf("spark.sql.redaction.string.regex", "SECRET_J[0-9]+")
                // Case-insensitive: the catalog keeps table names in lower case.
                .conf("spark.atlas.spark.redaction.regex", "(?i)SECRET_K[0-9]+")
                .inMemoryCatalog(runDir.resolve("warehouse"));
    }

    /** The process's outputs after each write with lineage: CTAS, INSERT, Parquet, CTAS, JDBC. */
    private static List<Set<HookMessages.DatasetRef>> outputsAfterEachWrite(Path runDir) {
        HookMessages.DatasetRef table = table(PlantedSecretsApp.TABLE);
        HookMessages.DatasetRef copy = table(PlantedSecretsApp.TABLE + "_copy");
        HookMessages.DatasetRef export = HookMessages.DatasetRef.fsPath(maskedExportPath(runDir));
        HookMessages.DatasetRef exported = table("exported_" + MASK);
        // An embedded Derby database: no host; the URL's user and password are never part of the name.
        HookMessages.DatasetRef derby = new HookMessages.DatasetRef("rdbms_table",
                "derby:memory:///planted/PLANTED@" + NAMESPACE);
        return List.of(Set.of(table), Set.of(table, copy), Set.of(table, copy, export),
                Set.of(table, copy, export, exported), Set.of(table, copy, export, exported, derby));
    }

    /** Lets the job go on after its write with lineage number {@code write}. */
    private static void openGate(Path gates, int write) {
        try {
            Files.createDirectories(gates);
            Files.createFile(gates.resolve("after-write-" + write));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job succeeded, and its plan really holds every secret the query planted (else the test proves nothing). */
    private static SparkSubmitRun.Result assertSecretsInPlan(Path runDir, SparkSubmitRun.Result result) {
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(PlantedSecretsApp.DONE_LINE), result::toString);
        String sparkPlan;
        try {
            sparkPlan = Files.readString(planFile(runDir), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String secret : PlantedSecretsApp.IN_QUERY) {
            assertTrue(sparkPlan.contains(secret), () -> secret + " is not in Spark's plan:\n" + sparkPlan);
        }
        return result;
    }

    /**
     * Each secret of the query was replaced by the mask in place, the text around it kept: proof that the rules
     * fired one by one rather than the plan text being dropped or cut.
     */
    private static void assertMaskedWhereSecretsWere(String planText, String where) {
        List<String> expected = List.of(
                "jdbc:postgresql://bob:" + MASK + "@db:5432/x",
                ";password=" + MASK,
                "&password=" + MASK,
                "password -> " + MASK,
                "&sig=" + MASK,
                "fs.azure.account.key.acct.dfs.core.windows.net=" + MASK,
                "aws id " + MASK,
                "fs.s3a.secret.key=" + MASK,
                "password=\"" + MASK + "\"",
                "hushword=" + MASK,
                "note " + MASK,
                "ref " + MASK);
        List<String> missing = expected.stream().filter(fragment -> !planText.contains(fragment)).toList();
        assertEquals(List.of(), missing, () -> where + " lacks these masked fragments:\n" + planText);
    }

    /** The catalog's free text is masked like plan text: the table's comment and a column's comment. */
    private static void assertMaskedComments(String json, String where) {
        assertTrue(json.contains("\"loaded from jdbc:postgresql://etl:" + MASK + "@db:5432/x\""),
                () -> where + " lacks the masked table comment: " + json);
        assertTrue(json.contains("\"api_token=" + MASK + "\""),
                () -> where + " lacks the masked column comment: " + json);
    }

    /**
     * The whole driver log, whoever wrote it: Spark does not print plans or JDBC options at the levels the harness
     * uses (the Hive metastore client, which would, is held at WARN by SparkSubmitRun).
     */
    private static void assertNoSecretInDriverLog(SparkSubmitRun.Result result) {
        assertNoSecret(result.log(), "driver log " + result.logFile());
    }

    private static void assertNoSecret(String text, String where) {
        if (text == null) {
            return;
        }
        List<String> found = new ArrayList<>();
        for (String secret : secrets()) {
            // The tail too, in case a rule masked only the start of a value.
            String tail = secret.substring(secret.length() - 10);
            if (text.contains(secret) || text.contains(tail)) {
                int at = Math.max(text.indexOf(secret), text.indexOf(tail));
                found.add(secret + " near: " + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 40)));
            }
        }
        assertEquals(List.of(), found, () -> "secrets in the " + where);
    }

    private static List<String> secrets() {
        List<String> secrets = new ArrayList<>(PlantedSecretsApp.SECRETS);
        secrets.add(broker.saslPassword());
        secrets.add(broker.truststorePassword());
        return secrets;
    }

    private static String planText(JsonNode message) {
        for (JsonNode entity : message.path("entities").path("entities")) {
            if ("spark_process".equals(entity.path("typeName").asText())) {
                JsonNode text = entity.path("attributes").path("sparkPlanDescription");
                assertTrue(text.isTextual(), () -> "sparkPlanDescription of " + message);
                return text.asText();
            }
        }
        throw new AssertionError("no spark_process in " + message);
    }

    private static HookMessages.DatasetRef table(String name) {
        return HookMessages.DatasetRef.sparkTable("default." + name + "@" + NAMESPACE);
    }

    /** The qualifiedName of the Parquet output, its secret masked where it was. */
    private static String maskedExportPath(Path runDir) {
        String exportDir = planFile(runDir).getParent().resolve(PlantedSecretsApp.EXPORT_DIR).toString();
        return "file:" + exportDir.replace(PlantedSecretsApp.PATH_NAME_SECRET, MASK) + "@" + NAMESPACE;
    }

    private static Path planFile(Path runDir) {
        return runDir.toAbsolutePath().resolve("spark-plan-with-secrets.txt");
    }

    private static Map<String, String> saslSslProperties(String bootstrap, String topic) {
        Map<String, String> props = new LinkedHashMap<>();
        broker.saslSslClientProperties().forEach((k, v) -> props.put("atlas.kafka." + k, v));
        props.put("atlas.kafka.bootstrap.servers", bootstrap);
        props.put("atlas.notification.hook.topic.name", topic);
        props.put("atlas.metadata.namespace", NAMESPACE);
        return props;
    }

    /** A local port nothing listens on: bound, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
