package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks every test holds our messages to. Violations tagged {@code [Atlas]} come from Apache Atlas 2.4.0's own
 * code (type registry, {@code AtlasEntityType.validateValue} and the server steps around it), so these tests pin
 * what Atlas itself rejects, in Atlas's words. The untagged ones are our own checks, kept only for what Atlas's type
 * system lets through (FIELD-NOTES §3): unknown attribute names, references to the wrong type, a self-contained
 * message (guids unique and resolving inside it, referred entities reachable), exact JSON types where Atlas converts
 * silently, and nothing outside Purview's 2.1.0-rc3 spark model. Record sizes are checked where records are made
 * (NotificationEncoderTest, the e2e tests).
 */
class AtlasTypeSystemTest {

    static AtlasTypeSystem atlas;
    static AtlasTypeSystem purview;

    @BeforeAll
    static void loadModels() {
        atlas = AtlasTypeSystem.atlas240();
        purview = AtlasTypeSystem.sparkModel210rc3();
    }

    /**
     * A hand-written ENTITIES body: a spark_process reading an fs_path and an hdfs_path and writing a spark_table
     * that sits in a spark_db, with a storage descriptor and one column.
     */
    static final String VALID = """
            {
              "entities": [
                {
                  "typeName": "spark_process",
                  "guid": "-1",
                  "attributes": {
                    "qualifiedName": "app-20240101_0001-exec-7",
                    "name": "insert into sales.daily",
                    "executionId": 7,
                    "currUser": "alice",
                    "remoteUser": "alice",
                    "details": "== Parsed Logical Plan ==",
                    "sparkPlanDescription": "InsertIntoHadoopFsRelationCommand",
                    "inputs": [ {"guid": "-4", "typeName": "fs_path"}, {"guid": "-5"} ],
                    "outputs": [ {"guid": "-2", "typeName": "spark_table"} ]
                  }
                }
              ],
              "referredEntities": {
                "-2": {
                  "typeName": "spark_table",
                  "guid": "-2",
                  "attributes": {
                    "qualifiedName": "sales.daily@primary",
                    "name": "daily",
                    "tableType": "MANAGED",
                    "provider": "parquet",
                    "partitionColumnNames": ["day"],
                    "createTime": 1704067200000,
                    "parameters": {"k": "v"},
                    "owner": "alice"
                  },
                  "relationshipAttributes": {
                    "db": {"guid": "-3", "typeName": "spark_db"},
                    "sd": {"guid": "-6"},
                    "columns": [ {"guid": "-7", "relationshipType": "spark_table_columns"} ]
                  }
                },
                "-3": {
                  "typeName": "spark_db",
                  "guid": "-3",
                  "attributes": {
                    "qualifiedName": "sales@primary",
                    "name": "sales",
                    "location": "file:/warehouse/sales.db",
                    "parameters": {}
                  }
                },
                "-4": {
                  "typeName": "fs_path",
                  "guid": "-4",
                  "attributes": {
                    "qualifiedName": "file:/data/in.csv@primary",
                    "name": "/data/in.csv",
                    "path": "file:/data/in.csv",
                    "isFile": true,
                    "fileSize": 1234
                  }
                },
                "-5": {
                  "typeName": "hdfs_path",
                  "guid": "-5",
                  "attributes": {
                    "qualifiedName": "hdfs://nn:8020/data/in@primary",
                    "name": "/data/in",
                    "path": "hdfs://nn:8020/data/in",
                    "clusterName": "primary",
                    "numberOfReplicas": 3
                  }
                },
                "-6": {
                  "typeName": "spark_storagedesc",
                  "guid": "-6",
                  "attributes": {
                    "qualifiedName": "sales.daily@primary_storage",
                    "location": "file:/warehouse/sales.db/daily",
                    "compressed": false,
                    "serde": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                  },
                  "relationshipAttributes": { "table": {"guid": "-2"} }
                },
                "-7": {
                  "typeName": "spark_column",
                  "guid": "-7",
                  "attributes": {
                    "qualifiedName": "sales.daily.amount@primary",
                    "name": "amount",
                    "type": "decimal(10,2)",
                    "nullable": true
                  },
                  "relationshipAttributes": { "table": {"guid": "-2"} }
                }
              }
            }
            """;

    static ObjectNode valid() {
        return (ObjectNode) AtlasTypeSystem.json(VALID);
    }

    static ObjectNode entity(ObjectNode body, String guid) {
        if (body.path("referredEntities").has(guid)) {
            return (ObjectNode) body.path("referredEntities").path(guid);
        }
        for (JsonNode e : body.path("entities")) {
            if (guid.equals(e.path("guid").asText())) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError("no entity " + guid);
    }

    static ObjectNode attrs(ObjectNode body, String guid) {
        return (ObjectNode) entity(body, guid).path("attributes");
    }

    static ObjectNode rels(ObjectNode body, String guid) {
        return (ObjectNode) entity(body, guid).path("relationshipAttributes");
    }

    static List<String> violationsAfter(Consumer<ObjectNode> change) {
        ObjectNode body = valid();
        change.accept(body);
        return atlas.validate(body);
    }

    /** Exactly one violation is expected, and it must mention every fragment. */
    static void assertSingleViolation(List<String> violations, String... fragments) {
        assertEquals(1, violations.size(), () -> "expected one violation, got:\n" + String.join("\n", violations));
        assertMentions(violations.get(0), fragments);
    }

    static void assertAnyViolation(List<String> violations, String... fragments) {
        assertTrue(violations.stream().anyMatch(v -> mentionsAll(v, fragments)),
                () -> "no violation mentions " + List.of(fragments) + " in:\n" + String.join("\n", violations));
    }

    static void assertMentions(String violation, String... fragments) {
        assertTrue(mentionsAll(violation, fragments), () -> violation + "\n  should mention " + List.of(fragments));
    }

    static boolean mentionsAll(String v, String... fragments) {
        for (String f : fragments) {
            if (!v.contains(f)) {
                return false;
            }
        }
        return true;
    }

    static ObjectNode idRef(String guid) {
        ObjectNode n = AtlasTypeSystem.object();
        n.put("guid", guid);
        return n;
    }

    // ------------------------------------------------------------------------------------------------ Atlas's own code

    @Test
    void atlasClassesRunFromAtlasJarsInTheirOwnLoaderNotFromTheTestClasspath() throws Exception {
        String version = System.getProperty("atlas.version", "2.4.0");
        ClassLoader loader = AtlasClassLoader.get();
        assertTrue(jarOf(loader.loadClass("org.apache.atlas.type.AtlasTypeRegistry"))
                .endsWith("/atlas-intg-" + version + ".jar"));
        assertTrue(jarOf(loader.loadClass("org.apache.atlas.notification.hook.HookMessageDeserializer"))
                .endsWith("/atlas-notification-" + version + ".jar"));
        // with the Jackson Atlas 2.4.0 runs with, not Spark's
        assertTrue(jarOf(loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                .endsWith("/jackson-databind-2.12.7.jar"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.atlas.type.AtlasTypeRegistry",
                false, AtlasTypeSystemTest.class.getClassLoader()));
    }

    private static String jarOf(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().getPath();
    }

    @Test
    void typedefsAreTheProjectsOwnTestResources() {
        Path project = Path.of(System.getProperty("project.dir", "")).toAbsolutePath().normalize();
        for (String release : List.of("2.4.0", "2.1.0-rc3")) {
            Path dir = AtlasTypeSystem.modelsDir(release);
            assertTrue(dir.toAbsolutePath().normalize().startsWith(project), dir + " is not inside " + project);
            assertTrue(Files.isRegularFile(dir.resolve("1000-Hadoop/1100-spark_model.json")), dir.toString());
        }
        Path carried = AtlasTypeSystem.modelsDir("2.4.0").getParent();
        for (String file : List.of("LICENSE", "NOTICE", "README.md")) {
            assertTrue(Files.isRegularFile(carried.resolve(file)), "atlas-models/" + file);
        }
        assertTrue(Path.of(atlas.origin()).startsWith(project), atlas.origin());
        assertTrue(Path.of(purview.origin()).startsWith(project), purview.origin());
        assertEquals(List.of(), atlas.fileFailures(), "typedef files Atlas's registry refused");
        assertEquals(List.of(), purview.fileFailures(), "typedef files Atlas's registry refused");
    }

    // ------------------------------------------------------------------------------------------------ loading

    @Test
    void loadsAtlas240WithPatchesApplied() {
        assertTrue(atlas.isEntityType("spark_process"));
        assertTrue(atlas.isSubtypeOf("spark_process", "Process"));
        assertTrue(atlas.isSubtypeOf("spark_table", "DataSet"));
        assertTrue(atlas.isSubtypeOf("hdfs_path", "fs_path"));
        assertTrue(atlas.isSubtypeOf("hdfs_path", "Referenceable"));
        assertTrue(atlas.isSubtypeOf("fs_path", "Path"), "2.4.0's fs model lists Path among fs_path's supertypes");
        assertFalse(atlas.isSubtypeOf("hive_db", "DataSet"));
        assertFalse(atlas.isSubtypeOf("spark_storagedesc", "DataSet"));

        // inherited attributes
        assertTrue(atlas.allAttributeNames("spark_column").containsAll(List.of("qualifiedName", "name", "type")));
        assertTrue(atlas.requiredAttributeNames("spark_column").containsAll(List.of("qualifiedName", "name", "type")));
        assertEquals(List.of("compressed", "qualifiedName"), List.copyOf(atlas.requiredAttributeNames("spark_storagedesc")));
        assertEquals(List.of("name", "path", "qualifiedName"), List.copyOf(atlas.requiredAttributeNames("hdfs_path")));
        // patch 001 of the base model
        assertTrue(atlas.allAttributeNames("spark_table").contains("replicatedFrom"));
        // patch 015: spark_process.queryText
        assertEquals("string", atlas.attributeType("spark_process", "queryText"));
        assertEquals("1.1", atlas.typeVersion("spark_process"));
        assertTrue(atlas.patchLog().stream().anyMatch(l -> l.contains("TYPEDEF_PATCH_1000_015_001")
                && l.endsWith("APPLIED")));
        // 018 is already folded into the 2.4.0 fs model file (fs_path is 1.1 there), so the server skips it
        assertTrue(atlas.patchLog().stream().anyMatch(l -> l.contains("TYPEDEF_PATCH_1000_018_001")
                && l.contains("SKIPPED")));
        // relationship ends
        assertTrue(atlas.relationshipAttributeNames("spark_table").containsAll(List.of("db", "columns", "sd",
                "inputToProcesses", "outputFromProcesses", "meanings")));
        assertEquals(List.of("table"), List.copyOf(atlas.requiredRelationshipAttributeNames("spark_column")));
        assertEquals(List.of("USER", "ROLE", "GROUP"), atlas.enumValues("hive_principal_type"));
    }

    @Test
    void loadsPurviewModelWithoutSparkPatches() {
        assertTrue(purview.isSubtypeOf("spark_db", "DataSet"));
        assertTrue(purview.isSubtypeOf("spark_process", "Process"));
        assertNull(purview.attributeType("spark_process", "queryText"));
        assertEquals("1.0", purview.typeVersion("spark_process"));
        assertFalse(purview.isSubtypeOf("fs_path", "Path"));
        assertFalse(purview.hasType("Path"));
        // base-model patches do apply (Purview's own base types are not ours to know; Atlas's patched ones are
        // the closest stand-in)
        assertTrue(purview.allAttributeNames("Referenceable").contains("replicatedTo"));
        assertTrue(purview.patchLog().stream().anyMatch(l -> l.contains("TYPEDEF_PATCH_1000_015_001")
                && l.contains("NOT APPLIED")));
    }

    @Test
    void bothModelsAgreeOnTheSparkTypesExceptQueryText() {
        for (String t : atlas.entityTypeNames()) {
            if (t.startsWith("spark_")) {
                assertTrue(purview.isEntityType(t), t);
                assertEquals(atlas.allSuperTypes(t), purview.allSuperTypes(t), t);
                assertEquals(atlas.relationshipAttributeNames(t), purview.relationshipAttributeNames(t), t);
                var a = new java.util.TreeSet<>(atlas.allAttributeNames(t));
                if (t.equals("spark_process")) {
                    a.remove("queryText");
                }
                assertEquals(a, purview.allAttributeNames(t), t);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ valid

    @Test
    void handWrittenMessageIsValid() {
        assertEquals(List.of(), atlas.validate(valid()));
        assertEquals(List.of(), purview.validate(valid()));
        assertEquals(List.of(), atlas.validateAgainstOlderModel(valid(), purview));
    }

    @Test
    void acceptsWholeHookMessageAndSingleEntityBody() {
        ObjectNode msg = AtlasTypeSystem.object();
        msg.put("type", "ENTITY_CREATE_V2");
        msg.put("user", "alice");
        msg.set("entities", valid());
        assertEquals(List.of(), atlas.validate(msg));

        ObjectNode single = (ObjectNode) AtlasTypeSystem.json("""
                {"entity": {"typeName": "spark_db", "guid": "-1",
                            "attributes": {"qualifiedName": "db@primary", "name": "db"}},
                 "referredEntities": {}}
                """);
        assertEquals(List.of(), atlas.validate(single));
    }

    @Test
    void partialUpdateSkipsRequiredAttributes() {
        JsonNode msg = AtlasTypeSystem.json("""
                {"type": "ENTITY_PARTIAL_UPDATE_V2", "user": "alice",
                 "entityId": {"typeName": "spark_table", "uniqueAttributes": {"qualifiedName": "db.t@primary"}},
                 "entity": {"entity": {"typeName": "spark_table", "guid": "-1",
                                       "attributes": {"comment": "new comment"}}}}
                """);
        assertEquals(List.of(), atlas.validate(msg));
        ObjectNode create = (ObjectNode) msg.deepCopy();
        create.put("type", "ENTITY_CREATE_V2");
        create.set("entities", AtlasTypeSystem.json("""
                {"entities": [{"typeName": "spark_table", "guid": "-1", "attributes": {"comment": "c"}}]}
                """));
        create.remove("entity");
        create.remove("entityId");
        List<String> v = atlas.validate(create);
        assertAnyViolation(v, "spark_table(guid=-1)", "[Atlas]", "spark_table.qualifiedName",
                "mandatory attribute value missing in type Referenceable");
        assertAnyViolation(v, "spark_table(guid=-1)", "[Atlas]", "spark_table.name",
                "mandatory attribute value missing in type Asset");
    }

    @Test
    void deleteMessageChecksObjectIds() {
        JsonNode ok = AtlasTypeSystem.json("""
                {"type": "ENTITY_DELETE_V2", "user": "alice",
                 "entities": [{"typeName": "spark_table", "uniqueAttributes": {"qualifiedName": "db.t@primary"}}]}
                """);
        assertEquals(List.of(), atlas.validate(ok));
        JsonNode bad = AtlasTypeSystem.json("""
                {"type": "ENTITY_DELETE_V2", "user": "alice",
                 "entities": [{"typeName": "spark_tabel", "uniqueAttributes": {"qualifiedName": "db.t@primary"}}]}
                """);
        assertAnyViolation(atlas.validate(bad), "spark_tabel", "not an entity type");
    }

    // ------------------------------------------------------------------------------------------------ violations

    @Test
    void missingQualifiedName() {
        List<String> v = violationsAfter(b -> attrs(b, "-3").remove("qualifiedName"));
        assertSingleViolation(v, "spark_db(guid=-3)", "[Atlas]", "spark_db.qualifiedName",
                "mandatory attribute value missing in type Referenceable");
    }

    @Test
    void nullRequiredAttributeCountsAsMissing() {
        List<String> v = violationsAfter(b -> attrs(b, "-6").putNull("compressed"));
        assertSingleViolation(v, "spark_storagedesc(guid=-6", "[Atlas]", "spark_storagedesc.compressed",
                "mandatory attribute value missing");
    }

    @Test
    void sparkColumnWithoutType() {
        List<String> v = violationsAfter(b -> attrs(b, "-7").remove("type"));
        assertSingleViolation(v, "spark_column(guid=-7", "sales.daily.amount@primary", "[Atlas]", "spark_column.type",
                "mandatory attribute value missing in type spark_column");
    }

    @Test
    void sparkColumnWithoutItsTableIsRejected() {
        // spark_table_columns is a COMPOSITION: the column end ('table') is mandatory for Atlas
        List<String> v = violationsAfter(b -> entity(b, "-7").remove("relationshipAttributes"));
        assertSingleViolation(v, "spark_column(guid=-7", "[Atlas]", "spark_column.table",
                "mandatory attribute value missing in type spark_column");
        assertEquals(List.of("table"), List.copyOf(atlas.requiredRelationshipAttributeNames("spark_column")));
        // given in 'attributes' instead, Atlas moves it over (compactAttributes): fine
        List<String> v2 = violationsAfter(b -> {
            entity(b, "-7").remove("relationshipAttributes");
            attrs(b, "-7").set("table", idRef("-2"));
        });
        assertEquals(List.of(), v2);
    }

    @Test
    void wrongAttributeTypes() {
        assertSingleViolation(violationsAfter(b -> attrs(b, "-1").put("executionId", "7")),
                "spark_process(guid=-1", "attributes.executionId", "expected long", "string \"7\"");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-1").put("executionId", 7.0)),
                "spark_process(guid=-1", "attributes.executionId", "integral");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-6").put("compressed", "false")),
                "spark_storagedesc(guid=-6", "attributes.compressed", "expected boolean");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-2").put("createTime", "2024-01-01")),
                "spark_table(guid=-2", "[Atlas]", "spark_table.createTime=2024-01-01", "invalid value for type date");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-2").put("createTime", "1704067200000")),
                "spark_table(guid=-2", "attributes.createTime", "epoch milliseconds");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-2").put("partitionColumnNames", "day")),
                "spark_table(guid=-2", "[Atlas]", "spark_table.partitionColumnNames=day",
                "invalid value for type array<string>");
        assertSingleViolation(violationsAfter(b -> ((ObjectNode) attrs(b, "-2").path("parameters")).put("n", 1)),
                "spark_table(guid=-2", "attributes.parameters[\"n\"]", "expected string");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-5").put("numberOfReplicas", 3_000_000_000L)),
                "hdfs_path(guid=-5", "[Atlas]", "hdfs_path.numberOfReplicas=3000000000", "invalid value for type int");
        assertSingleViolation(violationsAfter(b -> attrs(b, "-7").put("name", 5)),
                "spark_column(guid=-7", "attributes.name", "expected string");
    }

    @Test
    void structAndEnumValues() {
        assertEquals(List.of(), violationsAfter(b -> attrs(b, "-4").set("posixPermissions", AtlasTypeSystem.json("""
                {"typeName": "fs_permissions", "attributes": {"group": "READ", "user": "ALL", "sticky": false,
                                                               "others": "NONE"}}
                """))));
        List<String> v = violationsAfter(b -> attrs(b, "-4").set("posixPermissions", AtlasTypeSystem.json("""
                {"group": "READ", "user": "everything", "sticky": false, "others": "NONE"}
                """)));
        assertSingleViolation(v, "fs_path(guid=-4", "[Atlas]", "fs_path.posixPermissions.user=everything",
                "invalid value for type file_action");
    }

    @Test
    void unknownAttribute() {
        List<String> v = violationsAfter(b -> attrs(b, "-2").put("tableComment", "x"));
        assertSingleViolation(v, "spark_table(guid=-2", "attributes.tableComment", "unknown attribute");
        List<String> v2 = violationsAfter(b -> rels(b, "-2").set("database", idRef("-3")));
        assertSingleViolation(v2, "spark_table(guid=-2", "relationshipAttributes.database", "no relationshipDef");
        List<String> v3 = violationsAfter(b -> entity(b, "-2").set("relationshipAttribute", AtlasTypeSystem.object()));
        assertSingleViolation(v3, "spark_table(guid=-2", "unknown entity property 'relationshipAttribute'");
    }

    @Test
    void relationshipAttributeInsideAttributesIsAccepted() {
        assertEquals(List.of(), violationsAfter(b -> {
            rels(b, "-2").remove("db");
            attrs(b, "-2").set("db", idRef("-3"));
        }));
        // given in both places with different values: Atlas silently keeps the relationshipAttributes one
        assertAnyViolation(violationsAfter(b -> attrs(b, "-2").set("db", idRef("-4"))),
                "spark_table(guid=-2", "attributes.db", "also given, differently");
    }

    @Test
    void unresolvedGuid() {
        List<String> v = violationsAfter(b -> ((ArrayNode) attrs(b, "-1").path("inputs")).add(idRef("-99")));
        assertSingleViolation(v, "spark_process(guid=-1", "attributes.inputs[2]", "'-99'", "does not resolve");
    }

    @Test
    void sparkDbIsADataSetSoItMayBeAProcessInput() {
        // decided by the model: spark_db's superTypes are [DataSet] (in 2.4.0 and in 2.1.0-rc3)
        assertTrue(atlas.isSubtypeOf("spark_db", "DataSet"));
        assertTrue(purview.isSubtypeOf("spark_db", "DataSet"));
        ObjectNode body = valid();
        ((ArrayNode) attrs(body, "-1").path("inputs")).add(idRef("-3"));
        assertEquals(List.of(), atlas.validate(body));
        assertEquals(List.of(), purview.validate(body));
    }

    @Test
    void hiveDbIsNotADataSet() {
        List<String> v = violationsAfter(b -> {
            ((ObjectNode) b.path("referredEntities")).set("-8", AtlasTypeSystem.json("""
                    {"typeName": "hive_db", "guid": "-8",
                     "attributes": {"qualifiedName": "sales@primary", "name": "sales", "clusterName": "primary"}}
                    """));
            ((ArrayNode) attrs(b, "-1").path("inputs")).add(idRef("-8"));
        });
        assertSingleViolation(v, "spark_process(guid=-1", "attributes.inputs[2]", "references a hive_db",
                "dataset_process_inputs", "DataSet");
        // same through a uniqueAttributes reference
        List<String> v2 = violationsAfter(b -> ((ArrayNode) attrs(b, "-1").path("inputs")).add(AtlasTypeSystem.json(
                "{\"typeName\": \"hive_db\", \"uniqueAttributes\": {\"qualifiedName\": \"sales@primary\"}}")));
        assertSingleViolation(v2, "spark_process(guid=-1", "attributes.inputs[2]", "references a hive_db");
    }

    @Test
    void wrongRelationshipEndType() {
        List<String> v = violationsAfter(b -> rels(b, "-2").set("db", idRef("-4")));
        assertAnyViolation(v, "spark_table(guid=-2", "relationshipAttributes.db", "references a fs_path",
                "spark_table_db", "spark_db");
        List<String> v2 = violationsAfter(b -> rels(b, "-6").set("table", idRef("-3")));
        assertSingleViolation(v2, "spark_storagedesc(guid=-6", "relationshipAttributes.table",
                "references a spark_db", "spark_table_storagedesc");
    }

    @Test
    void referenceTypeNameMustAgreeWithTheEntity() {
        List<String> v = violationsAfter(b -> ((ObjectNode) rels(b, "-2").path("db")).put("typeName", "hive_db"));
        assertSingleViolation(v, "spark_table(guid=-2", "relationshipAttributes.db", "'hive_db'", "spark_db");
    }

    @Test
    void cardinality() {
        List<String> v = violationsAfter(b -> {
            ArrayNode arr = AtlasTypeSystem.object().arrayNode();
            arr.add(idRef("-3"));
            rels(b, "-2").set("db", arr);
        });
        assertSingleViolation(v, "spark_table(guid=-2", "[Atlas]", "spark_table.db=[{guid=-3}]", "invalid value");
        List<String> v2 = violationsAfter(b -> rels(b, "-2").set("columns", idRef("-7")));
        assertSingleViolation(v2, "spark_table(guid=-2", "[Atlas]", "spark_table.columns={guid=-7}",
                "invalid value for type array<");
        List<String> v3 = violationsAfter(b -> attrs(b, "-1").set("outputs", idRef("-2")));
        assertSingleViolation(v3, "spark_process(guid=-1", "[Atlas]", "spark_process.outputs={guid=-2}",
                "invalid value for type array<");
    }

    @Test
    void relationshipTypeMustDefineTheAttribute() {
        List<String> v = violationsAfter(b -> ((ObjectNode) rels(b, "-2").path("columns").get(0))
                .put("relationshipType", "hive_table_columns"));
        assertSingleViolation(v, "spark_table(guid=-2", "relationshipAttributes.columns", "hive_table_columns");
    }

    @Test
    void guidsMustBeUniqueAndPresent() {
        List<String> v = violationsAfter(b -> entity(b, "-5").put("guid", "-4"));
        assertAnyViolation(v, "guid '-4' is used by more than one entity");
        List<String> v2 = violationsAfter(b -> entity(b, "-1").remove("guid"));
        assertSingleViolation(v2, "spark_process(guid=?", "guid missing");
        List<String> v3 = violationsAfter(b -> ((ArrayNode) b.path("entities")).add(AtlasTypeSystem.json("""
                {"typeName": "spark_db", "guid": "5f1c0e4e-0000-4000-8000-000000000000",
                 "attributes": {"qualifiedName": "x@primary", "name": "x"}}
                """)));
        assertSingleViolation(v3, "spark_db(guid=5f1c0e4e", "assigned guid");
    }

    @Test
    void typeNameMustBeAnEntityType() {
        List<String> v = violationsAfter(b -> entity(b, "-3").put("typeName", "spark_database"));
        assertAnyViolation(v, "spark_database(guid=-3", "[Atlas]",
                "Type ENTITY with name spark_database does not exist");
        List<String> v2 = violationsAfter(b -> entity(b, "-6").put("typeName", "fs_permissions"));
        assertAnyViolation(v2, "fs_permissions(guid=-6", "[Atlas]",
                "Type ENTITY with name fs_permissions does not exist");
    }

    @Test
    void uniqueAttributeReferences() {
        ObjectNode body = valid();
        ((ArrayNode) attrs(body, "-1").path("inputs")).add(AtlasTypeSystem.json(
                "{\"typeName\": \"hive_table\", \"uniqueAttributes\": {\"qualifiedName\": \"sales.raw@primary\"}}"));
        assertEquals(List.of(), atlas.validate(body));
        assertEquals(List.of("hive_table {\"qualifiedName\":\"sales.raw@primary\"}"),
                atlas.externalUniqueAttributeReferences(body));

        List<String> v = violationsAfter(b -> ((ArrayNode) attrs(b, "-1").path("inputs")).add(AtlasTypeSystem.json(
                "{\"typeName\": \"hive_table\", \"uniqueAttributes\": {\"name\": \"raw\"}}")));
        assertSingleViolation(v, "spark_process(guid=-1", "uniqueAttributes.name", "not a unique attribute");
        List<String> v2 = violationsAfter(b -> ((ArrayNode) attrs(b, "-1").path("inputs")).add(AtlasTypeSystem.json(
                "{\"typeName\": \"hive_table\"}")));
        assertSingleViolation(v2, "spark_process(guid=-1", "[Atlas]", "spark_process.inputs[2]={typeName=hive_table}",
                "invalid value for type objectid");
    }

    @Test
    void inlineEntityInsteadOfReference() {
        List<String> v = violationsAfter(b -> ((ArrayNode) attrs(b, "-1").path("inputs")).add(AtlasTypeSystem.json("""
                {"typeName": "fs_path", "guid": "-4", "attributes": {"qualifiedName": "file:/data/in.csv@primary"}}
                """)));
        assertSingleViolation(v, "spark_process(guid=-1", "attributes.inputs[2]", "inline entity");
    }

    @Test
    void unreachableReferredEntity() {
        List<String> v = violationsAfter(b -> ((ObjectNode) b.path("referredEntities")).set("-9",
                AtlasTypeSystem.json("""
                        {"typeName": "spark_db", "guid": "-9", "attributes": {"qualifiedName": "o@primary", "name": "o"}}
                        """)));
        assertSingleViolation(v, "spark_db(guid=-9", "not reachable");
    }

    @Test
    void internalTypesAreFlagged() {
        List<String> v = violationsAfter(b -> ((ArrayNode) b.path("entities")).add(AtlasTypeSystem.json("""
                {"typeName": "__AtlasUserProfile", "guid": "-20", "attributes": {"name": "alice"}}
                """)));
        assertSingleViolation(v, "__AtlasUserProfile", "internal");
    }

    @Test
    void queryTextIsFlaggedAgainstThePurviewModel() {
        ObjectNode body = valid();
        attrs(body, "-1").put("queryText", "INSERT INTO sales.daily SELECT * FROM csv.`/data/in.csv`");
        assertEquals(List.of(), atlas.validate(body), "Atlas 2.4.0 has spark_process.queryText (patch 015)");
        List<String> older = atlas.validateAgainstOlderModel(body, purview);
        assertSingleViolation(older, "spark_process(guid=-1", "attributes.queryText", "older model");
        assertSingleViolation(purview.validate(body), "spark_process(guid=-1", "attributes.queryText",
                "unknown attribute");
    }

    @Test
    void olderModelFlagsTypesAndRelationshipNames() {
        ObjectNode body = valid();
        ((ArrayNode) body.path("entities")).add(AtlasTypeSystem.json("""
                {"typeName": "gcp_storage_bucket", "guid": "-30",
                 "attributes": {"qualifiedName": "gs://b@primary", "name": "b"}}
                """));
        List<String> older = atlas.validateAgainstOlderModel(body, purview);
        assertAnyViolation(older, "gcp_storage_bucket(guid=-30", "not defined in the older model");
    }

    // ------------------------------------------------------------------------------------------------ patches

    static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    static final String TINY_MODEL = """
            {"entityDefs": [
               {"name": "Referenceable", "typeVersion": "1.0", "superTypes": [],
                "attributeDefs": [{"name": "qualifiedName", "typeName": "string", "isOptional": false,
                                   "cardinality": "SINGLE", "isUnique": true}]},
               {"name": "t_parent", "typeVersion": "1.0", "superTypes": ["Referenceable"],
                "attributeDefs": [{"name": "kids", "typeName": "array<t_child>", "isOptional": true,
                                   "cardinality": "SET"}]},
               {"name": "t_child", "typeVersion": "1.0", "superTypes": ["Referenceable"],
                "attributeDefs": [{"name": "parent", "typeName": "t_parent", "isOptional": true,
                                   "cardinality": "SINGLE"}]}],
             "relationshipDefs": [
               {"name": "t_parent_kids", "typeVersion": "1.0", "relationshipCategory": "AGGREGATION",
                "endDef1": {"type": "t_parent", "name": "kids", "cardinality": "SET", "isContainer": true,
                            "isLegacyAttribute": true},
                "endDef2": {"type": "t_child", "name": "parent", "cardinality": "SINGLE",
                            "isLegacyAttribute": true}}]}
            """;

    @Test
    void patchesApplyInFileOrderAndByVersion(@TempDir Path dir) throws IOException {
        write(dir.resolve("0100-test/0100-model.json"), TINY_MODEL);
        write(dir.resolve("0100-test/patches/002-add.json"), """
                {"patches": [
                  {"id": "P2", "action": "ADD_ATTRIBUTE", "typeName": "t_parent", "applyToVersion": "1.1",
                   "updateToVersion": "1.2",
                   "attributeDefs": [{"name": "size", "typeName": "long", "isOptional": false,
                                      "cardinality": "SINGLE"}]},
                  {"id": "P3", "action": "ADD_ATTRIBUTE", "typeName": "t_parent", "applyToVersion": "1.0",
                   "updateToVersion": "1.9",
                   "attributeDefs": [{"name": "never", "typeName": "string", "isOptional": true,
                                      "cardinality": "SINGLE"}]},
                  {"id": "P4", "action": "SET_SERVICE_TYPE", "typeName": "no_such_type", "applyToVersion": "1.0",
                   "updateToVersion": "1.1", "serviceType": "x"}]}
                """);
        write(dir.resolve("0100-test/patches/001-legacy.json"), """
                {"patches": [
                  {"id": "P1", "action": "REMOVE_LEGACY_REF_ATTRIBUTES", "typeName": "t_parent_kids",
                   "applyToVersion": "1.0", "updateToVersion": "1.1",
                   "params": {"relationshipLabel": "__t_parent.kids", "relationshipCategory": "COMPOSITION"}},
                  {"id": "P1b", "action": "UPDATE_TYPEDEF_OPTIONS", "typeName": "t_parent", "applyToVersion": "1.0",
                   "updateToVersion": "1.1", "typeDefOptions": {"schemaElementsAttribute": "kids"}}]}
                """);
        AtlasTypeSystem ts = AtlasTypeSystem.load(dir, java.util.Set.of());
        // 001 runs before 002: legacy attributes gone from the entity defs, still there as relationship ends,
        // and the relationship became a COMPOSITION, so the child's end is now mandatory
        assertFalse(ts.allAttributeNames("t_parent").contains("kids"));
        assertTrue(ts.relationshipAttributeNames("t_parent").contains("kids"));
        assertEquals(List.of("parent"), List.copyOf(ts.requiredRelationshipAttributeNames("t_child")));
        // P2 applies to 1.1 (set by P1b), P3 no longer matches (1.2)
        assertEquals("long", ts.attributeType("t_parent", "size"));
        assertNull(ts.attributeType("t_parent", "never"));
        assertEquals("1.2", ts.typeVersion("t_parent"));
        assertTrue(ts.patchLog().stream().anyMatch(l -> l.contains("P3") && l.contains("SKIPPED")));
        assertTrue(ts.patchLog().stream().anyMatch(l -> l.contains("P4") && l.contains("FAILED")));

        List<String> v = ts.validate(AtlasTypeSystem.json("""
                {"entities": [{"typeName": "t_child", "guid": "-1", "attributes": {"qualifiedName": "c"}}]}
                """));
        assertSingleViolation(v, "t_child(guid=-1", "[Atlas]", "t_child.parent",
                "mandatory attribute value missing in type t_child");
    }

    @Test
    void unknownPatchActionFailsLoudly(@TempDir Path dir) throws IOException {
        write(dir.resolve("0100-test/0100-model.json"), TINY_MODEL);
        write(dir.resolve("0100-test/patches/001-x.json"), """
                {"patches": [{"id": "PX", "action": "RENAME_EVERYTHING", "typeName": "t_parent",
                              "applyToVersion": "1.0", "updateToVersion": "1.1"}]}
                """);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AtlasTypeSystem.load(dir, java.util.Set.of()));
        assertMentions(e.getMessage(), "RENAME_EVERYTHING", "PX");
    }
}
