package io.github.sparkatlas.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sparkatlas.atlasrules.AtlasHookDecoder;
import io.github.sparkatlas.atlasrules.AtlasPaths;
import io.github.sparkatlas.atlasrules.AtlasTypeSystem;
import io.github.sparkatlas.atlasrules.PurviewTypes;
import io.github.sparkatlas.e2e.HookMessages.DatasetRef;
import io.github.sparkatlas.e2e.HookMessages.ProcessView;
import io.github.sparkatlas.e2e.apps.ObjectStoreTestFileSystem;
import io.github.sparkatlas.e2e.apps.SqlScriptApp;
import io.github.sparkatlas.e2e.harness.ConsumedRecord;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Object-store paths named by {@code atlas.spark.naming.mode}, end to end: a SQL job reads and writes {@code s3a://},
 * {@code abfss://}, {@code gs://}, {@code wasbs://} and a Databricks mount {@code dbfs:/.../mnt/raw} through
 * {@link ObjectStoreTestFileSystem} (registered for those schemes, data on the local disk), over SASL_SSL to a real
 * broker, at query granularity so that every write is a message of its own. One spark-submit per mode: atlas (Atlas's
 * cloud types, every entity as Atlas's own {@code AtlasPathExtractorUtil} makes it for the same URI) and purview
 * (Purview's Azure storage types, validated against the recorded Purview type list).
 */
class ObjectStoreNamingEndToEndTest {

    private static final String NAMESPACE = "e2e";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    private static final List<String> SCHEMES = List.of("s3a", "abfss", "gs", "wasbs", "dbfs");
    private static final int WRITES = 5;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start(WorkDirs.newDir("broker-object-store-naming"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The job's datasets: each one a place on the local disk, named under an object store's URI. */
    private record Places(String s3, String adls, String gcs, String blob, String mount, String mountTable,
            String mounted) {
        static Places under(Path data) {
            String w = data.toAbsolutePath().toString();
            return new Places("s3a://lake" + w + "/raw/events",
                    "abfss://raw@acct.dfs.core.windows.net" + w + "/landing/orders",
                    "gs://bucket" + w + "/curated/orders",
                    "wasbs://archive@acct.blob.core.windows.net" + w + "/archive/orders",
                    "dbfs:" + w + "/mnt/raw/exports",
                    w + "/mnt/raw=abfss://raw@acct.dfs.core.windows.net" + w + "/mounted",
                    "abfss://raw@acct.dfs.core.windows.net" + w + "/mounted/exports");
        }

        String script() {
            return String.join("\n",
                    "INSERT OVERWRITE DIRECTORY '" + s3 + "' USING parquet SELECT id, id % 3 AS k FROM range(20);",
                    "INSERT OVERWRITE DIRECTORY '" + adls + "' USING parquet SELECT * FROM parquet.`" + s3 + "`;",
                    "INSERT OVERWRITE DIRECTORY '" + gcs + "' USING json",
                    "  SELECT k, count(*) AS n FROM parquet.`" + adls + "` GROUP BY k;",
                    "INSERT OVERWRITE DIRECTORY '" + blob + "' USING json SELECT * FROM json.`" + gcs + "`;",
                    "INSERT OVERWRITE DIRECTORY '" + mount + "' USING csv SELECT * FROM json.`" + blob + "`;",
                    "");
        }
    }

    private record Run(Places places, List<JsonNode> messages) {
    }

    private static Run run(String mode, String topic) {
        broker.createTopic(topic, 1);
        Path runDir = WorkDirs.newDir("object-store-naming-" + mode);
        Places places = Places.under(runDir.resolve("data"));
        Map<String, String> props = SampleEtl.saslSslProperties(broker, topic, NAMESPACE);
        props.put("atlas.spark.process.granularity", "query");
        props.put("atlas.spark.naming.mode", mode);
        props.put("atlas.spark.databricks.mounts", places.mountTable());
        SampleEtl.writeAtlasProperties(runDir, props);
        Path script = runDir.resolve("writes.sql");
        try {
            Files.writeString(script, places.script(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SparkSubmitRun submit = SparkSubmitRun.app(SqlScriptApp.class.getName()).workingDir(runDir)
                .args(script.toString(), "object-store-naming")
                .inMemoryCatalog(runDir.resolve("warehouse"))
                .conf("spark.extraListeners", SampleEtl.LISTENER);
        for (String scheme : SCHEMES) {
            submit.conf("spark.hadoop.fs." + scheme + ".impl", ObjectStoreTestFileSystem.class.getName());
        }

        SparkSubmitRun.Result result = submit.run(RUN_TIMEOUT);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.log().contains(SqlScriptApp.DONE_PREFIX + WRITES), result::toString);
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "ERROR"), "no agent errors");
        assertEquals(List.of(), DriverLog.agentLines(result.log(), "WARN"), "no agent warnings");
        List<ConsumedRecord> records = broker.consumeAll(topic, WRITES, Duration.ofSeconds(30));
        SampleEtl.saveRecords(runDir, "consumed-" + topic + ".jsonl",
                records.stream().map(ConsumedRecord::value).toList());
        List<JsonNode> messages = AtlasHookDecoder.decodeAll(records.stream().map(ConsumedRecord::value).toList());
        assertEquals(WRITES, messages.size(), () -> "one message per write: " + messages);
        return new Run(places, messages);
    }

    /** What each write read and wrote, in order, with the names the mode gives them. */
    private static List<List<Set<DatasetRef>>> writes(DatasetRef s3, DatasetRef adls, DatasetRef gcs, DatasetRef blob,
            DatasetRef mount) {
        return List.of(
                List.of(Set.of(), Set.of(s3)),
                List.of(Set.of(s3), Set.of(adls)),
                List.of(Set.of(adls), Set.of(gcs)),
                List.of(Set.of(gcs), Set.of(blob)),
                List.of(Set.of(blob), Set.of(mount)));
    }

    /** The entities Atlas's own hooks make for a URI (the path's own entity and every level above it). */
    private static Set<String> atlasEntities(String uri) {
        Set<String> names = new LinkedHashSet<>();
        for (Map<String, String> entity : AtlasPaths.extract(uri, NAMESPACE)) {
            names.add(entity.get("typeName") + ":" + entity.get("qualifiedName"));
        }
        return names;
    }

    private static DatasetRef atlasDataset(String uri) {
        Map<String, String> own = AtlasPaths.extract(uri, NAMESPACE).get(0);
        return new DatasetRef(own.get("typeName"), own.get("qualifiedName"));
    }

    @Test
    void atlasModeNamesObjectStoresAsAtlasOwnHooksDo() {
        Run run = run("atlas", "ATLAS_HOOK_ATLAS_NAMES");
        List<JsonNode> messages = run.messages();
        Places places = run.places();

        DatasetRef blob = new DatasetRef("fs_path", places.blob() + "@" + NAMESPACE);
        List<List<Set<DatasetRef>>> expected = writes(atlasDataset(places.s3()), atlasDataset(places.adls()),
                atlasDataset(places.gcs()), blob, atlasDataset(places.mounted()));
        Map<String, Set<String>> entitiesOf = new LinkedHashMap<>();
        entitiesOf.put(places.s3(), atlasEntities(places.s3()));
        entitiesOf.put(places.adls(), atlasEntities(places.adls()));
        entitiesOf.put(places.gcs(), atlasEntities(places.gcs()));
        entitiesOf.put(places.blob(), Set.of(blob.toString()));
        entitiesOf.put(places.mounted(), atlasEntities(places.mounted()));
        List<List<String>> uris = List.of(List.of(places.s3()), List.of(places.s3(), places.adls()),
                List.of(places.adls(), places.gcs()), List.of(places.gcs(), places.blob()),
                List.of(places.blob(), places.mounted()));

        for (int i = 0; i < WRITES; i++) {
            JsonNode message = messages.get(i);
            int write = i + 1;
            ProcessView process = HookMessages.onlyProcess(message);
            assertEquals(expected.get(i).get(0), process.inputs(), () -> "inputs of write " + write);
            assertEquals(expected.get(i).get(1), process.outputs(), () -> "outputs of write " + write);
            Set<String> expectedEntities = new LinkedHashSet<>();
            for (String uri : uris.get(i)) {
                expectedEntities.addAll(entitiesOf.get(uri));
            }
            Set<String> datasets = datasetEntities(message);
            assertEquals(expectedEntities, datasets, () -> "entities of write " + write);
            assertEquals(List.of(), AtlasTypeSystem.atlas240().validate(message), () -> "write " + write);
            // GCS types came with Atlas 2.2's cloud model; the rest stays within what Purview's posted model has.
            List<String> older = new ArrayList<>();
            for (String violation : AtlasTypeSystem.atlas240().validateAgainstOlderModel(message,
                    AtlasTypeSystem.sparkModel210rc3())) {
                if (!violation.contains("gcp_storage_")) {
                    older.add(violation);
                }
            }
            assertEquals(List.of(), older, () -> "write " + write + ": " + message);
        }
    }

    @Test
    void purviewModeNamesAzureStorageAsPurviewScansDo() {
        Run run = run("purview", "ATLAS_HOOK_PURVIEW_NAMES");
        List<JsonNode> messages = run.messages();
        Places places = run.places();
        String w = places.s3().substring("s3a://lake".length(), places.s3().length() - "/raw/events".length());

        DatasetRef adls = new DatasetRef("azure_datalake_gen2_path",
                "https://acct.dfs.core.windows.net/raw" + w + "/landing/orders");
        DatasetRef blob = new DatasetRef("azure_blob_path",
                "https://acct.blob.core.windows.net/archive" + w + "/archive/orders");
        DatasetRef mount = new DatasetRef("azure_datalake_gen2_path",
                "https://acct.dfs.core.windows.net/raw" + w + "/mounted/exports");
        List<List<Set<DatasetRef>>> expected = writes(atlasDataset(places.s3()), adls, atlasDataset(places.gcs()),
                blob, mount);
        List<Set<String>> expectedEntities = List.of(atlasEntities(places.s3()),
                union(atlasEntities(places.s3()), Set.of(adls.toString())),
                union(Set.of(adls.toString()), atlasEntities(places.gcs())),
                union(atlasEntities(places.gcs()), Set.of(blob.toString())),
                Set.of(blob.toString(), mount.toString()));

        for (int i = 0; i < WRITES; i++) {
            JsonNode message = messages.get(i);
            int write = i + 1;
            ProcessView process = HookMessages.onlyProcess(message);
            assertEquals(expected.get(i).get(0), process.inputs(), () -> "inputs of write " + write);
            assertEquals(expected.get(i).get(1), process.outputs(), () -> "outputs of write " + write);
            assertEquals(expectedEntities.get(i), datasetEntities(message), () -> "entities of write " + write);
            if (i == 0 || i == 1 || i == 4) {
                // Without GCS entities, which Purview's posted model lacks (see the atlas mode test).
                PurviewTypes.assertValidForPurview(message);
            } else {
                assertEquals(List.of(), PurviewTypes.atlasWithPurview().validate(message), () -> "write " + write);
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** Every entity of a message but the process and its application. */
    private static Set<String> datasetEntities(JsonNode message) {
        Set<String> names = new LinkedHashSet<>(HookMessages.entityNames(message));
        names.removeIf(name -> name.startsWith("spark_process:") || name.startsWith("spark_application:"));
        return names;
    }
}
