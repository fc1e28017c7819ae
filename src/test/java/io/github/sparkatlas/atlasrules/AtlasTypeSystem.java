package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test support: Apache Atlas's own type registry, built from the typedef files Atlas ships in its {@code models}
 * folder (carried in {@code src/test/resources/atlas-models}, see the README there), with the bootstrap patches applied
 * as an Atlas server applies them at start-up, and the checks an Atlas server runs on the entities of a hook message.
 *
 * <p>Atlas's classes run in {@link AtlasClassLoader}; the work is done by {@code atlasrules.inatlas.TypeModels} and
 * {@code MessageCheck}. {@link #validate} reports two kinds of violations:
 * <ul>
 *   <li>tagged {@code [Atlas]}: what Atlas's own code rejects ({@code AtlasEntityType.validateValue} and the steps
 *       around it on the server): required attributes, mandatory relationship ends, values Atlas cannot convert,
 *       unknown types, invalid guids;</li>
 *   <li>untagged: our own checks, kept only for what Atlas's type system does not check (FIELD-NOTES §3): unknown
 *       attribute names, references to the wrong type, a self-contained message (every guid reference resolves inside
 *       it, every referred entity is reached), exact JSON types where Atlas silently converts. Record sizes are
 *       checked where records are made (NotificationEncoderTest, the e2e tests), Purview's 2.1.0-rc3 spark model by
 *       {@link #validateAgainstOlderModel}.</li>
 * </ul>
 * Each models folder is loaded once per JVM.
 */
public final class AtlasTypeSystem {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, AtlasTypeSystem> CACHE = new ConcurrentHashMap<>();

    /** The typedef file Microsoft's Purview guide posts. */
    private static final String POSTED_SPARK_MODEL = "1000-Hadoop/1100-spark_model.json";

    private final Object models;

    private AtlasTypeSystem(Object models) {
        this.models = models;
    }

    // ------------------------------------------------------------------------------------------------ loading

    /** A models folder carried in the test resources: {@code atlas-models/<atlasRelease>}. */
    public static Path modelsDir(String atlasRelease) {
        URL url = AtlasTypeSystem.class.getResource("/atlas-models/" + atlasRelease);
        if (url == null) {
            throw new IllegalArgumentException("no test resource atlas-models/" + atlasRelease);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Atlas 2.4.0's models, patches applied. */
    public static AtlasTypeSystem atlas240() {
        return load(modelsDir("2.4.0"));
    }

    /**
     * What Purview has after Microsoft's guide: the spark model file POSTed as is. We load all of Atlas
     * 2.1.0-rc3's models (so Referenceable/Asset/DataSet/Process resolve) and apply that release's patches to the
     * base types, but no patch to a type defined by {@code 1100-spark_model.json}: a typedef POST does not run the
     * server's bootstrap patches, so e.g. {@code spark_process.queryText} (patch 015) is absent.
     */
    public static AtlasTypeSystem sparkModel210rc3() {
        Path dir = modelsDir("2.1.0-rc3");
        return CACHE.computeIfAbsent("purview:" + dir, k -> {
            @SuppressWarnings("unchecked")
            Set<String> sparkTypes = (Set<String>) AtlasClassLoader.call("TypeModels", "typeNamesIn",
                    dir.resolve(POSTED_SPARK_MODEL).toString());
            return load(dir, sparkTypes);
        });
    }

    /** Loads every typedef file under {@code modelsDir} and applies all its patches (cached per directory). */
    public static AtlasTypeSystem load(Path modelsDir) {
        return CACHE.computeIfAbsent("full:" + modelsDir.toAbsolutePath().normalize(), k -> load(modelsDir, Set.of()));
    }

    /** Like {@link #load(Path)} but no patch changes a type in {@code unpatchedTypes}. Not cached. */
    static AtlasTypeSystem load(Path modelsDir, Set<String> unpatchedTypes) {
        return new AtlasTypeSystem(AtlasClassLoader.newInstance("TypeModels", modelsDir.toString(),
                Set.copyOf(unpatchedTypes)));
    }

    // ------------------------------------------------------------------------------------------------ checks

    /**
     * Validates a V2 entities body ({@code {"entities":[...], "referredEntities":{...}}}), a single-entity body
     * ({@code {"entity":{...}, "referredEntities":{...}}}) or a whole V2 hook message (ENTITY_CREATE_V2,
     * ENTITY_FULL_UPDATE_V2, ENTITY_PARTIAL_UPDATE_V2, ENTITY_DELETE_V2). Returns human-readable violations, each
     * starting with the entity ({@code type(guid=..., qualifiedName=...)}); empty means valid.
     */
    @SuppressWarnings("unchecked")
    public List<String> validate(JsonNode body) {
        return (List<String>) AtlasClassLoader.call(models, "validate", body.toString());
    }

    /**
     * Flags what the body uses that {@code older} lacks: entity types it does not define, attribute names (in
     * attributes or relationshipAttributes) neither declared nor a relationship end there, relationshipType names
     * and uniqueAttributes-reference typeNames it does not know. Use with {@link #sparkModel210rc3()} to keep our
     * output inside what Purview's posted model has.
     */
    @SuppressWarnings("unchecked")
    public List<String> validateAgainstOlderModel(JsonNode body, AtlasTypeSystem older) {
        return (List<String>) AtlasClassLoader.call(models, "validateAgainstOlderModel", body.toString(), older.models);
    }

    /**
     * uniqueAttributes references in the body that no entity of the message matches: they point at entities the
     * server must already have (Atlas's hook consumer creates a shell entity for a missing one).
     */
    @SuppressWarnings("unchecked")
    public List<String> externalUniqueAttributeReferences(JsonNode body) {
        return (List<String>) AtlasClassLoader.call(models, "externalUniqueAttributeReferences", body.toString());
    }

    // ------------------------------------------------------------------------------------------------ queries

    public String origin() {
        return (String) AtlasClassLoader.call(models, "origin");
    }

    /** One line per patch: file, id, action, type and APPLIED / SKIPPED (version) / FAILED (reason). */
    @SuppressWarnings("unchecked")
    public List<String> patchLog() {
        return (List<String>) AtlasClassLoader.call(models, "patchLog");
    }

    /** Typedef files Atlas's registry refused (an Atlas server logs and skips them). */
    @SuppressWarnings("unchecked")
    public List<String> fileFailures() {
        return (List<String>) AtlasClassLoader.call(models, "fileFailures");
    }

    /** What Atlas's classes logged at WARN or above while loading. */
    @SuppressWarnings("unchecked")
    public List<String> loadWarnings() {
        return (List<String>) AtlasClassLoader.call(models, "loadWarnings");
    }

    public boolean hasType(String name) {
        return (Boolean) AtlasClassLoader.call(models, "hasType", name);
    }

    public boolean isEntityType(String name) {
        return (Boolean) AtlasClassLoader.call(models, "isEntityType", name);
    }

    @SuppressWarnings("unchecked")
    public Set<String> entityTypeNames() {
        return (Set<String>) AtlasClassLoader.call(models, "entityTypeNames");
    }

    /** {@code type} equals {@code superType} or has it among its (transitive) supertypes. */
    public boolean isSubtypeOf(String type, String superType) {
        return (Boolean) AtlasClassLoader.call(models, "isSubtypeOf", type, superType);
    }

    @SuppressWarnings("unchecked")
    public Set<String> allSuperTypes(String type) {
        return (Set<String>) AtlasClassLoader.call(models, "allSuperTypes", type);
    }

    public String typeVersion(String type) {
        return (String) AtlasClassLoader.call(models, "typeVersion", type);
    }

    public String serviceType(String type) {
        return (String) AtlasClassLoader.call(models, "serviceType", type);
    }

    /** Declared attributes of the type and all its supertypes (not relationship-only attributes). */
    @SuppressWarnings("unchecked")
    public Set<String> allAttributeNames(String type) {
        return (Set<String>) AtlasClassLoader.call(models, "allAttributeNames", type);
    }

    /** Relationship end attribute names usable on the type (its own ends and its supertypes'). */
    @SuppressWarnings("unchecked")
    public Set<String> relationshipAttributeNames(String type) {
        return (Set<String>) AtlasClassLoader.call(models, "relationshipAttributeNames", type);
    }

    /** Declared attributes that must be non-null (isOptional=false), incl. inherited ones. */
    @SuppressWarnings("unchecked")
    public Set<String> requiredAttributeNames(String type) {
        return (Set<String>) AtlasClassLoader.call(models, "requiredAttributeNames", type);
    }

    /** Relationship-only attributes Atlas treats as mandatory (non-container end of a COMPOSITION). */
    @SuppressWarnings("unchecked")
    public Set<String> requiredRelationshipAttributeNames(String type) {
        return (Set<String>) AtlasClassLoader.call(models, "requiredRelationshipAttributeNames", type);
    }

    /** Declared type name of an attribute (e.g. {@code array<DataSet>}), or null. */
    public String attributeType(String type, String attribute) {
        return (String) AtlasClassLoader.call(models, "attributeType", type, attribute);
    }

    @SuppressWarnings("unchecked")
    public List<String> enumValues(String enumType) {
        return (List<String>) AtlasClassLoader.call(models, "enumValues", enumType);
    }

    /** A compact description of an entity type, for failure messages and exploration. */
    public String describe(String type) {
        return (String) AtlasClassLoader.call(models, "describe", type);
    }

    // ------------------------------------------------------------------------------------------------ misc

    /** Convenience for tests: parse JSON text. */
    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
