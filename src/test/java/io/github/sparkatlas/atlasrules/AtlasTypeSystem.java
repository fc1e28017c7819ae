package io.github.sparkatlas.atlasrules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Test support: an Atlas type system built from the typedef JSON files Atlas ships in its {@code models} folder,
 * with the bootstrap patches applied the way an Atlas server applies them at start-up, and a validator that holds
 * our hook messages to those types.
 *
 * <p>Loading follows the server's bootstrap order: each sub-folder of the models dir in name order, all its typedef
 * files in name order, then the files in its {@code patches/} folder in name order (then the top folder itself, the
 * same way). A patch only applies when the type's current {@code typeVersion} is null, equals the patch's
 * {@code applyToVersion}, or starts with {@code applyToVersion + "."}; otherwise it is skipped, as on the server.
 * A patch naming a type that does not exist is recorded as FAILED and loading goes on (the server does the same).
 * A patch action we have not implemented makes loading fail at once.
 *
 * <p>The validator is deliberately stricter than the server in a few places (see {@link #validate(JsonNode)}): the
 * point is to catch what we emit wrongly, including mistakes Atlas would silently swallow.
 */
public final class AtlasTypeSystem {

    // ------------------------------------------------------------------------------------------------ model classes

    enum Category { ENUM, STRUCT, CLASSIFICATION, ENTITY, RELATIONSHIP }

    static final class AttrDef {
        final String name;
        final String typeName;
        final boolean optional;
        final String cardinality;
        final boolean unique;
        Integer searchWeight;

        AttrDef(String name, String typeName, boolean optional, String cardinality, boolean unique) {
            this.name = name;
            this.typeName = typeName;
            this.optional = optional;
            this.cardinality = cardinality;
            this.unique = unique;
        }

        static AttrDef parse(JsonNode n, String where) {
            String name = text(n, "name");
            String typeName = text(n, "typeName");
            if (name == null || typeName == null) {
                throw new IllegalStateException(where + ": attributeDef without name/typeName: " + n);
            }
            // AtlasAttributeDef's defaults: isOptional=false, isUnique=false, cardinality SINGLE.
            return new AttrDef(name, typeName, n.path("isOptional").asBoolean(false),
                    n.path("cardinality").asText("SINGLE"), n.path("isUnique").asBoolean(false));
        }

        @Override
        public String toString() {
            return name + ":" + typeName + (optional ? "" : " (required)") + (unique ? " (unique)" : "");
        }
    }

    static class TypeDef {
        final String name;
        final Category category;
        final String sourceFile;
        String typeVersion;
        String serviceType;
        final Map<String, String> options = new LinkedHashMap<>();

        TypeDef(String name, Category category, String sourceFile, JsonNode n) {
            this.name = name;
            this.category = category;
            this.sourceFile = sourceFile;
            this.typeVersion = text(n, "typeVersion");
            this.serviceType = text(n, "serviceType");
            JsonNode opts = n.path("options");
            if (opts.isObject()) {
                opts.fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            }
        }
    }

    static final class EnumDef extends TypeDef {
        final List<String> values = new ArrayList<>();

        EnumDef(String name, String file, JsonNode n) {
            super(name, Category.ENUM, file, n);
            for (JsonNode e : n.path("elementDefs")) {
                addElement(e.path("value").asText());
            }
        }

        void addElement(String value) {
            // AtlasEnumDef.addElement replaces an element with the same value (case-insensitive), then appends.
            values.removeIf(v -> v.equalsIgnoreCase(value));
            values.add(value);
        }
    }

    /** Struct, classification, entity and relationship defs all carry attributeDefs. */
    static class StructDef extends TypeDef {
        final List<AttrDef> attributes = new ArrayList<>();
        final LinkedHashSet<String> superTypes = new LinkedHashSet<>();

        StructDef(String name, Category category, String file, JsonNode n) {
            super(name, category, file, n);
            for (JsonNode a : n.path("attributeDefs")) {
                attributes.add(AttrDef.parse(a, file + " " + name));
            }
            for (JsonNode s : n.path("superTypes")) {
                superTypes.add(s.asText());
            }
        }

        /** Same semantics as AtlasStructDef.addAttribute: drop one with the same name (ignoring case), append. */
        void addAttribute(AttrDef def) {
            removeAttribute(def.name);
            attributes.add(def);
        }

        boolean removeAttribute(String attrName) {
            return attributes.removeIf(a -> a.name.equalsIgnoreCase(attrName));
        }

        AttrDef attribute(String attrName) {
            for (AttrDef a : attributes) {
                if (a.name.equals(attrName)) {
                    return a;
                }
            }
            return null;
        }
    }

    static final class EndDef {
        String type;
        String name;
        String cardinality;
        boolean container;
        boolean legacy;

        EndDef(JsonNode n) {
            type = text(n, "type");
            name = text(n, "name");
            cardinality = n.path("cardinality").asText("SINGLE");
            container = n.path("isContainer").asBoolean(false);
            legacy = n.path("isLegacyAttribute").asBoolean(false);
        }
    }

    static final class RelationshipDef extends StructDef {
        String relationshipCategory;
        String relationshipLabel;
        EndDef end1;
        EndDef end2;

        RelationshipDef(String name, String file, JsonNode n) {
            super(name, Category.RELATIONSHIP, file, n);
            relationshipCategory = n.path("relationshipCategory").asText("ASSOCIATION");
            relationshipLabel = text(n, "relationshipLabel");
            end1 = new EndDef(n.path("endDef1"));
            end2 = new EndDef(n.path("endDef2"));
        }
    }

    /** One relationship end as seen from the entity type that carries it (inherited by subtypes). */
    record RelEnd(String relationshipName, String relationshipCategory, String attrName, String endType,
                  String otherEndType, String cardinality, boolean optional, boolean alsoDeclaredAttribute) {
        boolean isMany() {
            return !"SINGLE".equals(cardinality);
        }
    }

    record ResolvedAttr(AttrDef def, String declaringType) { }

    // ------------------------------------------------------------------------------------------------ state

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, AtlasTypeSystem> CACHE = new ConcurrentHashMap<>();

    static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "short", "int", "long", "float", "double",
            "biginteger", "bigdecimal", "string", "date");

    /** Property names AtlasEntity (Jackson-mapped) knows; anything else is ignored by Atlas, so probably our typo. */
    static final Set<String> ENTITY_KEYS = Set.of("typeName", "attributes", "guid", "homeId", "isProxy", "proxy",
            "isIncomplete", "provenanceType", "status", "createdBy", "updatedBy", "createTime", "updateTime",
            "version", "relationshipAttributes", "classifications", "meanings", "customAttributes",
            "businessAttributes", "labels", "pendingTasks");

    private final String origin;
    private final Map<String, TypeDef> types = new LinkedHashMap<>();
    private final List<String> patchLog = new ArrayList<>();

    // resolved lazily after load
    private final Map<String, Set<String>> allSuperTypes = new HashMap<>();
    private final Map<String, Map<String, ResolvedAttr>> allAttributes = new HashMap<>();
    private final Map<String, Map<String, List<RelEnd>>> ownRelEnds = new HashMap<>();
    private final Map<String, Map<String, List<RelEnd>>> allRelEnds = new HashMap<>();

    private AtlasTypeSystem(String origin) {
        this.origin = origin;
    }

    // ------------------------------------------------------------------------------------------------ loading

    /** A models folder carried in the test resources: {@code atlas-models/<atlasRelease>} (see the README there). */
    public static Path modelsDir(String atlasRelease) {
        java.net.URL url = AtlasTypeSystem.class.getResource("/atlas-models/" + atlasRelease);
        if (url == null) {
            throw new IllegalArgumentException("no test resource atlas-models/" + atlasRelease);
        }
        try {
            return Paths.get(url.toURI());
        } catch (java.net.URISyntaxException e) {
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
        Set<String> sparkTypes = typeNamesIn(dir.resolve("1000-Hadoop").resolve("1100-spark_model.json"));
        return CACHE.computeIfAbsent("purview:" + dir.toAbsolutePath().normalize(),
                k -> doLoad(dir, sparkTypes));
    }

    /** Loads every typedef file under {@code modelsDir} and applies all its patches (cached per directory). */
    public static AtlasTypeSystem load(Path modelsDir) {
        return CACHE.computeIfAbsent("full:" + modelsDir.toAbsolutePath().normalize(),
                k -> doLoad(modelsDir, Set.of()));
    }

    /** Like {@link #load(Path)} but skips patches whose typeName is in {@code unpatchedTypes}. Not cached. */
    static AtlasTypeSystem load(Path modelsDir, Set<String> unpatchedTypes) {
        return doLoad(modelsDir, unpatchedTypes);
    }

    private static AtlasTypeSystem doLoad(Path modelsDir, Set<String> unpatchedTypes) {
        if (!Files.isDirectory(modelsDir)) {
            throw new IllegalArgumentException("models dir not found: " + modelsDir.toAbsolutePath());
        }
        AtlasTypeSystem ts = new AtlasTypeSystem(modelsDir.toString());
        List<Path> folders = list(modelsDir).stream()
                .filter(Files::isDirectory)
                .filter(p -> !p.getFileName().toString().equals("patches"))
                .collect(Collectors.toList());
        for (Path folder : folders) {
            ts.loadFolder(folder, unpatchedTypes);
        }
        ts.loadFolder(modelsDir, unpatchedTypes);
        ts.resolve();
        return ts;
    }

    private void loadFolder(Path folder, Set<String> unpatchedTypes) {
        for (Path f : list(folder)) {
            if (Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json")) {
                loadTypedefFile(f);
            }
        }
        Path patches = folder.resolve("patches");
        if (Files.isDirectory(patches)) {
            for (Path f : list(patches)) {
                if (Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json")) {
                    applyPatchFile(f, unpatchedTypes);
                }
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing(p -> p.getFileName().toString())).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(Path f) {
        try {
            return MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + f, e);
        }
    }

    private static Set<String> typeNamesIn(Path typedefFile) {
        JsonNode root = readJson(typedefFile);
        Set<String> names = new HashSet<>();
        for (String section : List.of("enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs")) {
            for (JsonNode d : root.path(section)) {
                names.add(d.path("name").asText());
            }
        }
        return names;
    }

    private void loadTypedefFile(Path f) {
        JsonNode root = readJson(f);
        String file = f.getParent().getFileName() + "/" + f.getFileName();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String section = it.next();
            if (!Set.of("enumDefs", "structDefs", "classificationDefs", "entityDefs", "relationshipDefs",
                    "businessMetadataDefs").contains(section)) {
                throw new IllegalStateException(file + ": unexpected section '" + section + "'");
            }
        }
        if (root.path("businessMetadataDefs").size() > 0) {
            throw new IllegalStateException(file + ": businessMetadataDefs are not supported by this test helper");
        }
        for (JsonNode d : root.path("enumDefs")) {
            put(new EnumDef(d.path("name").asText(), file, d));
        }
        for (JsonNode d : root.path("structDefs")) {
            put(new StructDef(d.path("name").asText(), Category.STRUCT, file, d));
        }
        for (JsonNode d : root.path("classificationDefs")) {
            put(new StructDef(d.path("name").asText(), Category.CLASSIFICATION, file, d));
        }
        // NB: whatever is listed under entityDefs becomes an entity type, exactly as AtlasTypesDef reads it
        // (2.4.0's flink model lists its relationshipDef 'flink_application_processes' there).
        for (JsonNode d : root.path("entityDefs")) {
            put(new StructDef(d.path("name").asText(), Category.ENTITY, file, d));
        }
        for (JsonNode d : root.path("relationshipDefs")) {
            put(new RelationshipDef(d.path("name").asText(), file, d));
        }
    }

    private void put(TypeDef def) {
        TypeDef old = types.get(def.name);
        if (old == null) {
            types.put(def.name, def);
            return;
        }
        // The server only updates an existing type when the file's typeVersion is newer, keeping old attributes.
        if (old.category != def.category) {
            throw new IllegalStateException(def.name + " redefined as " + def.category + " in " + def.sourceFile);
        }
        if (compare(def.typeVersion, old.typeVersion) > 0) {
            if (old instanceof StructDef o && def instanceof StructDef n) {
                for (AttrDef a : o.attributes) {
                    if (n.attribute(a.name) == null) {
                        n.attributes.add(a);
                    }
                }
            }
            types.put(def.name, def);
        }
    }

    private static int compare(String a, String b) {
        if (a == null) {
            return b == null ? 0 : -1;
        }
        return b == null ? 1 : a.compareTo(b);
    }

    // ------------------------------------------------------------------------------------------------ patches

    private static final class PatchFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PatchFailed(String msg) {
            super(msg);
        }
    }

    static final Set<String> IMPLEMENTED_PATCH_ACTIONS = Set.of("ADD_ATTRIBUTE", "UPDATE_ATTRIBUTE",
            "UPDATE_ATTRIBUTE_METADATA", "UPDATE_ENUMDEF", "ADD_SUPER_TYPES", "REMOVE_LEGACY_REF_ATTRIBUTES",
            "SET_SERVICE_TYPE", "UPDATE_TYPEDEF_OPTIONS");

    private void applyPatchFile(Path f, Set<String> unpatchedTypes) {
        JsonNode root = readJson(f);
        String file = f.getParent().getParent().getFileName() + "/patches/" + f.getFileName();
        for (JsonNode p : root.path("patches")) {
            String action = p.path("action").asText(null);
            String id = p.path("id").asText("?");
            if (!IMPLEMENTED_PATCH_ACTIONS.contains(action)) {
                throw new IllegalStateException(file + ": patch " + id + " has action '" + action
                        + "' which AtlasTypeSystem does not implement; implement it (read Atlas's"
                        + " AtlasTypeDefStoreInitializer) before trusting this model");
            }
            String typeName = p.path("typeName").asText(null);
            String status;
            if (unpatchedTypes.contains(typeName)) {
                status = "NOT APPLIED (type posted unpatched)";
            } else {
                try {
                    status = applyPatch(action, typeName, p);
                } catch (PatchFailed e) {
                    status = "FAILED: " + e.getMessage();
                }
            }
            patchLog.add(file + " " + id + " " + action + " " + typeName + ": " + status);
        }
    }

    private static boolean applicable(TypeDef def, JsonNode patch) {
        // PatchHandler.isPatchApplicable
        String current = def.typeVersion;
        String applyTo = patch.path("applyToVersion").asText(null);
        return current == null || current.equalsIgnoreCase(applyTo) || current.startsWith(applyTo + ".");
    }

    private String applyPatch(String action, String typeName, JsonNode p) {
        TypeDef def = types.get(typeName);
        if (def == null) {
            throw new PatchFailed("unknown type " + typeName);
        }
        String updateTo = p.path("updateToVersion").asText(null);
        switch (action) {
            case "UPDATE_TYPEDEF_OPTIONS": {
                JsonNode opts = p.path("typeDefOptions");
                if (!opts.isObject() || opts.size() == 0) {
                    throw new PatchFailed("no typeDefOptions");
                }
                if (!applicable(def, p)) {
                    return "SKIPPED (typeVersion " + def.typeVersion + ")";
                }
                opts.fields().forEachRemaining(e -> def.options.put(e.getKey(), e.getValue().asText()));
                def.typeVersion = updateTo;
                return "APPLIED";
            }
            case "ADD_SUPER_TYPES": {
                JsonNode sts = p.path("superTypes");
                if (sts.size() == 0 || !applicable(def, p)) {
                    return "SKIPPED (typeVersion " + def.typeVersion + ")";
                }
                if (def.category != Category.ENTITY) {
                    throw new PatchFailed("not applicable to " + def.category);
                }
                for (JsonNode s : sts) {
                    ((StructDef) def).superTypes.add(s.asText());
                }
                def.typeVersion = updateTo;
                return "APPLIED";
            }
            default:
                break;
        }
        if (!applicable(def, p)) {
            return "SKIPPED (typeVersion " + def.typeVersion + ")";
        }
        switch (action) {
            case "SET_SERVICE_TYPE":
                def.serviceType = p.path("serviceType").asText(null);
                break;
            case "UPDATE_ENUMDEF":
                if (!(def instanceof EnumDef e)) {
                    throw new PatchFailed("not applicable to " + def.category);
                }
                for (JsonNode el : p.path("elementDefs")) {
                    e.addElement(el.path("value").asText());
                }
                break;
            case "ADD_ATTRIBUTE":
                if (!(def instanceof StructDef s)) {
                    throw new PatchFailed("not applicable to " + def.category);
                }
                for (JsonNode a : p.path("attributeDefs")) {
                    s.addAttribute(AttrDef.parse(a, typeName));
                }
                break;
            case "UPDATE_ATTRIBUTE":
                if (!(def instanceof StructDef s) || def.category == Category.RELATIONSHIP) {
                    throw new PatchFailed("not applicable to " + def.category);
                }
                for (JsonNode a : p.path("attributeDefs")) {
                    AttrDef ad = AttrDef.parse(a, typeName);
                    s.removeAttribute(ad.name);
                    s.attributes.add(ad);
                }
                break;
            case "UPDATE_ATTRIBUTE_METADATA": {
                if (def.category != Category.ENTITY && def.category != Category.STRUCT) {
                    throw new PatchFailed("not applicable to " + def.category);
                }
                String attrName = p.path("attributeName").asText();
                for (AttrDef a : ((StructDef) def).attributes) {
                    if (a.name.equalsIgnoreCase(attrName)) {
                        for (Iterator<Map.Entry<String, JsonNode>> it = p.path("params").fields(); it.hasNext(); ) {
                            Map.Entry<String, JsonNode> e = it.next();
                            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                                case "searchweight":
                                    a.searchWeight = e.getValue().asInt();
                                    break;
                                case "indextype":
                                case "isindexable":
                                    break; // index settings do not matter to instance validation
                                default:
                                    // the server throws a RuntimeException here, which aborts the rest of the file
                                    throw new IllegalStateException("UPDATE_ATTRIBUTE_METADATA: unknown property "
                                            + e.getKey());
                            }
                        }
                    }
                }
                break;
            }
            case "REMOVE_LEGACY_REF_ATTRIBUTES":
                if (!(def instanceof RelationshipDef r)) {
                    return "UNKNOWN (not a relationshipDef; the server does nothing)";
                }
                removeLegacyRefAttributes(r, p.path("params"));
                break;
            default:
                throw new IllegalStateException(action);
        }
        def.typeVersion = updateTo;
        return "APPLIED";
    }

    private void removeLegacyRefAttributes(RelationshipDef r, JsonNode params) {
        String label = params.path("relationshipLabel").asText(null);
        String category = params.path("relationshipCategory").asText(null);
        boolean swap = Boolean.parseBoolean(params.path("swapEnds").asText("false"));
        StructDef t1 = entityDef(r.end1.type);
        StructDef t2 = entityDef(r.end2.type);
        if (t1 == null || t2 == null) {
            throw new PatchFailed("end type missing");
        }
        if (label == null || label.isEmpty()) {
            if (r.end1.legacy && r.end2.legacy) {
                throw new PatchFailed("both ends legacy and no relationshipLabel");
            } else if (r.end1.legacy) {
                label = "__" + r.end1.type + "." + r.end1.name;
            } else if (r.end2.legacy) {
                label = "__" + r.end2.type + "." + r.end2.name;
            } else {
                label = r.relationshipLabel;
            }
        }
        if (swap) {
            EndDef tmp = r.end1;
            r.end1 = r.end2;
            r.end2 = tmp;
        }
        r.relationshipLabel = label;
        if (category != null) {
            r.relationshipCategory = category;
        }
        // the attributes named after the ends leave the entity defs: they live on as relationship attributes only
        entityDef(r.end1.type).removeAttribute(r.end1.name);
        entityDef(r.end2.type).removeAttribute(r.end2.name);
    }

    private StructDef entityDef(String name) {
        TypeDef d = types.get(name);
        return d != null && d.category == Category.ENTITY ? (StructDef) d : null;
    }

    // ------------------------------------------------------------------------------------------------ resolution

    private void resolve() {
        for (TypeDef d : types.values()) {
            if (d.category == Category.ENTITY || d.category == Category.CLASSIFICATION) {
                superTypesOf(d.name, new LinkedHashSet<>());
            }
        }
        for (TypeDef d : types.values()) {
            if (d instanceof StructDef && d.category != Category.RELATIONSHIP) {
                attributesOf(d.name);
            }
        }
        for (TypeDef d : types.values()) {
            if (d instanceof RelationshipDef r) {
                addEnd(r, r.end1, r.end2);
                addEnd(r, r.end2, r.end1);
            }
        }
        for (TypeDef d : types.values()) {
            if (d.category != Category.ENTITY) {
                continue;
            }
            Map<String, List<RelEnd>> merged = new LinkedHashMap<>();
            List<String> chain = new ArrayList<>();
            chain.add(d.name);
            chain.addAll(allSuperTypes.get(d.name));
            for (String t : chain) {
                for (Map.Entry<String, List<RelEnd>> e : ownRelEnds.getOrDefault(t, Map.of()).entrySet()) {
                    List<RelEnd> list = merged.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                    for (RelEnd re : e.getValue()) {
                        if (list.stream().noneMatch(x -> x.relationshipName().equals(re.relationshipName()))) {
                            list.add(re);
                        }
                    }
                }
            }
            allRelEnds.put(d.name, merged);
        }
    }

    private Set<String> superTypesOf(String name, LinkedHashSet<String> visiting) {
        Set<String> done = allSuperTypes.get(name);
        if (done != null) {
            return done;
        }
        if (!visiting.add(name)) {
            throw new IllegalStateException("supertype cycle: " + visiting);
        }
        TypeDef d = types.get(name);
        if (!(d instanceof StructDef s)) {
            throw new IllegalStateException("unknown supertype " + name + " (" + visiting + ")");
        }
        LinkedHashSet<String> all = new LinkedHashSet<>();
        for (String st : s.superTypes) {
            TypeDef sd = types.get(st);
            if (sd == null || sd.category != d.category) {
                throw new IllegalStateException(name + ": supertype " + st + " is not a " + d.category + " type");
            }
            all.add(st);
            all.addAll(superTypesOf(st, visiting));
        }
        visiting.remove(name);
        Set<String> result = Collections.unmodifiableSet(all);
        allSuperTypes.put(name, result);
        return result;
    }

    private Map<String, ResolvedAttr> attributesOf(String name) {
        Map<String, ResolvedAttr> done = allAttributes.get(name);
        if (done != null) {
            return done;
        }
        StructDef s = (StructDef) types.get(name);
        Map<String, ResolvedAttr> all = new LinkedHashMap<>();
        for (String st : s.superTypes) {
            for (Map.Entry<String, ResolvedAttr> e : attributesOf(st).entrySet()) {
                all.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        for (AttrDef a : s.attributes) {
            ResolvedAttr prev = all.get(a.name);
            if (prev != null && !prev.declaringType().equals(name)) {
                throw new IllegalStateException(name + "." + a.name + " already defined in supertype "
                        + prev.declaringType());
            }
            all.put(a.name, new ResolvedAttr(a, name));
        }
        Map<String, ResolvedAttr> result = Collections.unmodifiableMap(all);
        allAttributes.put(name, result);
        return result;
    }

    private void addEnd(RelationshipDef r, EndDef end, EndDef other) {
        if (end.name == null || end.name.isEmpty()) {
            return;
        }
        if (entityDef(end.type) == null || entityDef(other.type) == null) {
            throw new IllegalStateException("relationshipDef " + r.name + " has an end type that is not an entity type");
        }
        ResolvedAttr existing = allAttributes.get(end.type).get(end.name);
        boolean optional;
        if (existing != null) {
            optional = existing.def().optional; // legacy attribute that is also a relationship attribute
        } else {
            // AtlasRelationshipType.addRelationshipAttributeToEndType: the non-container end of a COMPOSITION is
            // mandatory; every other new relationship attribute is optional.
            optional = !("COMPOSITION".equals(r.relationshipCategory) && !end.container);
        }
        ownRelEnds.computeIfAbsent(end.type, k -> new LinkedHashMap<>())
                .computeIfAbsent(end.name, k -> new ArrayList<>())
                .removeIf(x -> x.relationshipName().equals(r.name));
        ownRelEnds.get(end.type).get(end.name).add(new RelEnd(r.name, r.relationshipCategory, end.name, end.type,
                other.type, end.cardinality, optional, existing != null));
    }

    // ------------------------------------------------------------------------------------------------ queries

    public String origin() {
        return origin;
    }

    /** One line per patch: file, id, action, type and APPLIED / SKIPPED (version) / FAILED (reason). */
    public List<String> patchLog() {
        return Collections.unmodifiableList(patchLog);
    }

    public boolean hasType(String name) {
        return types.containsKey(name);
    }

    public boolean isEntityType(String name) {
        TypeDef d = types.get(name);
        return d != null && d.category == Category.ENTITY;
    }

    public Set<String> entityTypeNames() {
        return types.values().stream().filter(d -> d.category == Category.ENTITY).map(d -> d.name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@code type} equals {@code superType} or has it among its (transitive) supertypes. */
    public boolean isSubtypeOf(String type, String superType) {
        if (type == null || superType == null || !types.containsKey(type)) {
            return false;
        }
        if (type.equals(superType)) {
            return true;
        }
        Set<String> sts = allSuperTypes.get(type);
        return sts != null && sts.contains(superType);
    }

    public Set<String> allSuperTypes(String type) {
        return allSuperTypes.getOrDefault(type, Set.of());
    }

    public String typeVersion(String type) {
        TypeDef d = types.get(type);
        return d == null ? null : d.typeVersion;
    }

    public String serviceType(String type) {
        TypeDef d = types.get(type);
        return d == null ? null : d.serviceType;
    }

    /** Declared attributes of the type and all its supertypes (not relationship-only attributes). */
    public Set<String> allAttributeNames(String type) {
        Map<String, ResolvedAttr> m = allAttributes.get(type);
        return m == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(m.keySet()));
    }

    /** Relationship end attribute names usable on the type (its own ends and its supertypes'). */
    public Set<String> relationshipAttributeNames(String type) {
        Map<String, List<RelEnd>> m = allRelEnds.get(type);
        return m == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(m.keySet()));
    }

    /** Declared attributes that must be non-null (isOptional=false), incl. inherited ones. */
    public Set<String> requiredAttributeNames(String type) {
        Map<String, ResolvedAttr> m = allAttributes.getOrDefault(type, Map.of());
        return m.values().stream().filter(a -> !a.def().optional).map(a -> a.def().name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Relationship-only attributes Atlas treats as mandatory (non-container end of a COMPOSITION). */
    public Set<String> requiredRelationshipAttributeNames(String type) {
        Set<String> out = new TreeSet<>();
        allRelEnds.getOrDefault(type, Map.of()).forEach((name, ends) -> {
            if (ends.stream().anyMatch(e -> !e.optional() && !e.alsoDeclaredAttribute())) {
                out.add(name);
            }
        });
        return out;
    }

    /** Declared type name of an attribute (e.g. {@code array<DataSet>}), or null. */
    public String attributeType(String type, String attribute) {
        ResolvedAttr a = allAttributes.getOrDefault(type, Map.of()).get(attribute);
        return a == null ? null : a.def().typeName;
    }

    /** Relationship ends that provide {@code attribute} on {@code type}. */
    public List<RelEnd> relationshipEnds(String type, String attribute) {
        return allRelEnds.getOrDefault(type, Map.of()).getOrDefault(attribute, List.of());
    }

    public List<String> enumValues(String enumType) {
        TypeDef d = types.get(enumType);
        return d instanceof EnumDef e ? Collections.unmodifiableList(e.values) : List.of();
    }

    // ------------------------------------------------------------------------------------------------ validation

    /** An entity of the message, where it sits, and the guid key it was found under. */
    private record Located(String where, JsonNode node, String mapKey) { }

    private final class Ctx {
        final List<String> violations = new ArrayList<>();
        final Map<String, JsonNode> byGuid = new LinkedHashMap<>();
        final Set<String> referencedGuids = new HashSet<>();
        /** guid of an entity -> guids its attributes reference (to find what Atlas's graph walk reaches). */
        final Map<String, Set<String>> edges = new HashMap<>();
        String current;
        boolean partial;

        void add(String msg) {
            violations.add(msg);
        }
    }

    /**
     * Validates a V2 entities body: {@code {"entities":[...], "referredEntities":{...}}}, a single-entity body
     * {@code {"entity":{...}, "referredEntities":{...}}}, or a whole V2 hook message ({@code type} ENTITY_CREATE_V2,
     * ENTITY_FULL_UPDATE_V2, ENTITY_PARTIAL_UPDATE_V2, ENTITY_DELETE_V2). Returns human-readable violations; empty
     * means valid. For a partial update the required-attribute checks are skipped, as Atlas does.
     *
     * <p>Checks, for every entity (top-level and referred): typeName is an entity type (internal types are flagged);
     * guid present (a temporary negative guid; an assigned one only resolves if the server already has it); guids
     * unique; referredEntities keyed by the entity's own guid and actually referenced (Atlas never reads the
     * others); entity keys known to AtlasEntity; required attributes (incl. inherited, and the mandatory
     * non-container end of a COMPOSITION relationship, e.g. spark_column.table) non-null in attributes or
     * relationshipAttributes; values of the declared type (strict JSON types: integral numbers for
     * byte/short/int/long/date, booleans, strings, exact enum values, arrays, maps, structs); no unknown attribute
     * names; every relationshipAttributes key a relationship end of the type; SINGLE ends take one object id,
     * SET/LIST ends an array; every object id well formed, its guid resolving inside the message, its (entity's or
     * given) typeName the declared type / other end type or a subtype; uniqueAttributes keys unique attributes.
     */
    public List<String> validate(JsonNode body) {
        Ctx ctx = new Ctx();
        List<Located> all = collect(body, ctx);
        for (Located l : all) {
            String guid = l.node.path("guid").isTextual() ? l.node.path("guid").asText() : null;
            if (guid == null || guid.isEmpty()) {
                continue;
            }
            if (ctx.byGuid.containsKey(guid)) {
                ctx.add(label(l.node) + ": guid '" + guid + "' is used by more than one entity in the message ("
                        + l.where + ")");
            } else {
                ctx.byGuid.put(guid, l.node);
            }
        }
        for (Located l : all) {
            ctx.current = nodeKey(l);
            validateEntity(l, ctx);
        }
        ctx.current = null;
        // AtlasEntityGraphDiscoveryV2.discover(): walks the top-level entities, then whatever they reference
        // (transitively); a referred entity outside that walk is never read.
        Set<String> reached = new HashSet<>();
        List<String> queue = new ArrayList<>();
        for (Located l : all) {
            if (l.mapKey == null) {
                queue.add(nodeKey(l));
            }
        }
        while (!queue.isEmpty()) {
            String g = queue.remove(queue.size() - 1);
            if (reached.add(g)) {
                queue.addAll(ctx.edges.getOrDefault(g, Set.of()));
            }
        }
        for (Located l : all) {
            if (l.mapKey != null && !reached.contains(l.mapKey)) {
                ctx.add(label(l.node) + ": referredEntities[" + l.mapKey + "] is not reachable by guid references"
                        + " from the top-level entities; Atlas only reads referred entities its walk reaches, so it"
                        + " would be ignored");
            }
        }
        return ctx.violations;
    }

    /** Graph key of an entity: its guid, or its position when it has none (so one error does not cascade). */
    private static String nodeKey(Located l) {
        JsonNode g = l.node.path("guid");
        return g.isTextual() && !g.asText().isEmpty() ? g.asText() : "@" + l.where;
    }

    /** Records the guid references in a value that failed an earlier check, so reachability stays right. */
    private static void recordGuids(JsonNode v, Ctx ctx) {
        walkIds(v, id -> {
            if (id.path("guid").isTextual() && ctx.current != null) {
                ctx.edges.computeIfAbsent(ctx.current, k -> new HashSet<>()).add(id.path("guid").asText());
            }
        });
    }

    private List<Located> collect(JsonNode body, Ctx ctx) {
        List<Located> out = new ArrayList<>();
        if (body == null || !body.isObject()) {
            ctx.add("message body is not a JSON object");
            return out;
        }
        JsonNode b = body;
        if (body.has("type") && body.path("type").isTextual()) {
            String type = body.path("type").asText();
            switch (type) {
                case "ENTITY_CREATE_V2":
                case "ENTITY_FULL_UPDATE_V2":
                    b = body.path("entities");
                    break;
                case "ENTITY_PARTIAL_UPDATE_V2":
                    ctx.partial = true;
                    checkObjectId(body.path("entityId"), null, "ENTITY_PARTIAL_UPDATE_V2.entityId", "entityId", ctx,
                            false);
                    b = body.path("entity");
                    break;
                case "ENTITY_DELETE_V2": {
                    JsonNode ids = body.path("entities");
                    if (!ids.isArray()) {
                        ctx.add("ENTITY_DELETE_V2: 'entities' must be an array of AtlasObjectId");
                    }
                    int i = 0;
                    for (JsonNode id : ids) {
                        checkObjectId(id, null, "ENTITY_DELETE_V2", "entities[" + i++ + "]", ctx, false);
                    }
                    return out;
                }
                default:
                    ctx.add("hook message type '" + type + "' is not a V2 entity notification");
                    return out;
            }
            if (!b.isObject()) {
                ctx.add(type + ": entities body missing or not an object");
                return out;
            }
        }
        if (b.has("entities")) {
            JsonNode es = b.path("entities");
            if (!es.isArray()) {
                ctx.add("'entities' must be an array");
            } else {
                for (int i = 0; i < es.size(); i++) {
                    out.add(new Located("entities[" + i + "]", es.get(i), null));
                }
            }
        } else if (b.has("entity")) {
            out.add(new Located("entity", b.path("entity"), null));
        } else {
            ctx.add("body has neither 'entities' nor 'entity'");
        }
        JsonNode ref = b.path("referredEntities");
        if (!ref.isMissingNode() && !ref.isNull()) {
            if (!ref.isObject()) {
                ctx.add("'referredEntities' must be an object keyed by guid");
            } else {
                ref.fields().forEachRemaining(e -> {
                    out.add(new Located("referredEntities[" + e.getKey() + "]", e.getValue(), e.getKey()));
                    String g = e.getValue().path("guid").asText(null);
                    if (!e.getKey().equals(g)) {
                        ctx.add(label(e.getValue()) + ": referredEntities key '" + e.getKey()
                                + "' differs from the entity's guid '" + g + "' (Atlas looks referred entities up by key)");
                    }
                });
            }
        }
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("entities", "entity", "referredEntities").contains(k)) {
                ctx.add("unknown key '" + k + "' in the entities body (Atlas ignores it)");
            }
        }
        return out;
    }

    static String label(JsonNode e) {
        if (e == null || !e.isObject()) {
            return "<non-object entity>";
        }
        String type = e.path("typeName").asText("?");
        String guid = e.path("guid").asText("?");
        JsonNode qn = e.path("attributes").path("qualifiedName");
        return type + "(guid=" + guid + (qn.isTextual() ? ", qualifiedName=" + qn.asText() : "") + ")";
    }

    private void validateEntity(Located l, Ctx ctx) {
        JsonNode e = l.node;
        if (!e.isObject()) {
            ctx.add(l.where + ": entity is not a JSON object");
            return;
        }
        String who = label(e);
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ENTITY_KEYS.contains(k)) {
                ctx.add(who + ": unknown entity property '" + k + "' (AtlasEntity ignores it)");
            }
        }
        JsonNode guidNode = e.path("guid");
        if (!guidNode.isTextual() || guidNode.asText().isEmpty()) {
            ctx.add(who + ": guid missing or not a string (" + l.where + ")");
        } else if (!guidNode.asText().startsWith("-")) {
            ctx.add(who + ": guid '" + guidNode.asText() + "' is an assigned guid, not a temporary negative one;"
                    + " Atlas rejects the message unless the server already has that entity");
        }
        JsonNode typeNode = e.path("typeName");
        if (!typeNode.isTextual()) {
            ctx.add(who + ": typeName missing (" + l.where + ")");
            return;
        }
        String type = typeNode.asText();
        TypeDef def = types.get(type);
        if (def == null) {
            ctx.add(who + ": typeName '" + type + "' is not defined in " + origin);
            return;
        }
        if (def.category != Category.ENTITY) {
            ctx.add(who + ": typeName '" + type + "' is a " + def.category + " type, not an entity type");
            return;
        }
        if (isSubtypeOf(type, "__internal")) {
            ctx.add(who + ": '" + type + "' is an Atlas-internal type (supertype __internal); hooks must not emit it");
        }
        JsonNode attrs = e.path("attributes");
        JsonNode rels = e.path("relationshipAttributes");
        if (!attrs.isMissingNode() && !attrs.isNull() && !attrs.isObject()) {
            ctx.add(who + ": 'attributes' is not an object");
            attrs = MAPPER.createObjectNode();
        }
        if (!rels.isMissingNode() && !rels.isNull() && !rels.isObject()) {
            ctx.add(who + ": 'relationshipAttributes' is not an object");
            rels = MAPPER.createObjectNode();
        }
        if (attrs.isMissingNode() || attrs.isNull()) {
            attrs = MAPPER.createObjectNode();
        }
        if (rels.isMissingNode() || rels.isNull()) {
            rels = MAPPER.createObjectNode();
        }
        boolean incomplete = e.path("isIncomplete").asBoolean(false);
        Map<String, ResolvedAttr> declared = allAttributes.get(type);
        Map<String, List<RelEnd>> relEnds = allRelEnds.getOrDefault(type, Map.of());

        // required attributes (AtlasStructType.validateValue: a required attribute may come via relationshipAttributes)
        if (!ctx.partial && !incomplete) {
            for (ResolvedAttr a : declared.values()) {
                if (!a.def().optional && isNull(attrs.get(a.def().name)) && isNull(rels.get(a.def().name))) {
                    ctx.add(who + ": attributes." + a.def().name + ": required attribute missing or null (declared by "
                            + a.declaringType() + " as " + a.def().typeName + ")");
                }
            }
            // AtlasEntityType.validateRelationshipAttributes (after AtlasEntityStoreV2.compactAttributes moved
            // relationship attributes found in 'attributes' over to 'relationshipAttributes')
            for (String name : requiredRelationshipAttributeNames(type)) {
                if (isNull(rels.get(name)) && isNull(attrs.get(name))) {
                    RelEnd re = relEnds.get(name).stream().filter(x -> !x.optional()).findFirst().orElseThrow();
                    ctx.add(who + ": relationshipAttributes." + name + ": mandatory relationship attribute missing:"
                            + " a " + type + " is the contained end of COMPOSITION " + re.relationshipName()
                            + " and must reference its " + re.otherEndType() + " (Atlas: 'mandatory attribute value"
                            + " missing in type " + re.endType() + "')");
                }
            }
        }

        for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            String path = "attributes." + name;
            ResolvedAttr a = declared.get(name);
            List<RelEnd> ends = relEnds.get(name);
            if (a == null && ends == null) {
                ctx.add(who + ": " + path + ": unknown attribute for type " + type + " (not declared by " + type
                        + " or its supertypes " + allSuperTypes.get(type) + ", and no relationship end of that name)");
                continue;
            }
            if (isNull(v)) {
                continue;
            }
            if (ends != null && !isNull(rels.get(name)) && !rels.get(name).equals(v)) {
                ctx.add(who + ": " + path + ": also given, differently, in relationshipAttributes; Atlas keeps the"
                        + " relationshipAttributes value and drops this one");
            }
            if (ends != null && (a == null || isReferenceType(a.def().typeName))) {
                // a relationship attribute given in 'attributes' (Atlas moves it to relationshipAttributes)
                checkRelationshipValue(type, name, ends, v, who, path, ctx);
            } else {
                checkValue(a.def().typeName, v, who, path, ctx);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = rels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            String path = "relationshipAttributes." + name;
            List<RelEnd> ends = relEnds.get(name);
            if (ends == null) {
                ctx.add(who + ": " + path + ": no relationshipDef has an end named '" + name + "' on " + type
                        + " or its supertypes" + (declared.containsKey(name) ? " (it is a plain attribute: put it in"
                        + " 'attributes')" : ""));
                continue;
            }
            if (!isNull(f.getValue())) {
                checkRelationshipValue(type, name, ends, f.getValue(), who, path, ctx);
            }
        }
    }

    /** Entity or array-of-entity declared types go through the relationship check when the name is also an end. */
    private boolean isReferenceType(String typeName) {
        String t = typeName;
        if (t.startsWith("array<") && t.endsWith(">")) {
            t = t.substring(6, t.length() - 1);
        }
        return isEntityType(t);
    }

    private static boolean isNull(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode();
    }

    private void checkRelationshipValue(String type, String name, List<RelEnd> ends, JsonNode v, String who,
                                        String path, Ctx ctx) {
        // AtlasEntityUtil.getRelationshipType: the relationshipType given in the (first) object id picks the end
        String relType = null;
        JsonNode probe = v.isArray() ? (v.size() > 0 ? v.get(0) : null) : v;
        if (probe != null && probe.path("relationshipType").isTextual()) {
            relType = probe.path("relationshipType").asText();
        }
        List<RelEnd> candidates = ends;
        if (relType != null) {
            String rt = relType;
            candidates = ends.stream().filter(x -> x.relationshipName().equals(rt)).collect(Collectors.toList());
            if (candidates.isEmpty()) {
                ctx.add(who + ": " + path + ": relationshipType '" + relType + "' does not define '" + name
                        + "' on " + type + " (defined by " + ends.stream().map(RelEnd::relationshipName)
                        .collect(Collectors.toList()) + ")");
                candidates = ends;
            }
        }
        RelEnd first = candidates.get(0);
        boolean many = first.isMany();
        List<String> otherTypes = candidates.stream().map(RelEnd::otherEndType).distinct().collect(Collectors.toList());
        String relNames = candidates.stream().map(RelEnd::relationshipName).collect(Collectors.joining("/"));
        if (many && !v.isArray()) {
            ctx.add(who + ": " + path + ": end of " + relNames + " has cardinality " + first.cardinality()
                    + ": expected an array of object ids, got " + kind(v));
            recordGuids(v, ctx);
            return;
        }
        if (!many && v.isArray()) {
            ctx.add(who + ": " + path + ": end of " + relNames + " has cardinality SINGLE: expected one object id,"
                    + " got an array");
            recordGuids(v, ctx);
            return;
        }
        List<JsonNode> ids = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(ids::add);
        } else {
            ids.add(v);
        }
        for (int i = 0; i < ids.size(); i++) {
            String p = v.isArray() ? path + "[" + i + "]" : path;
            JsonNode id = ids.get(i);
            if (id.path("relationshipType").isTextual() && relType != null
                    && !relType.equals(id.path("relationshipType").asText())) {
                ctx.add(who + ": " + p + ": mixed relationshipType values in one attribute");
            }
            String target = checkObjectId(id, null, who, p, ctx, true);
            if (target != null && otherTypes.stream().noneMatch(o -> isSubtypeOf(target, o))) {
                ctx.add(who + ": " + p + ": references a " + target + " but relationship " + relNames
                        + " needs a " + String.join(" or ", otherTypes) + " at the other end (" + target
                        + " supertypes: " + allSuperTypes(target) + ")");
            }
        }
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "string \"" + abbreviate(v.asText()) + "\"";
        }
        if (v.isNumber()) {
            return "number " + v;
        }
        if (v.isBoolean()) {
            return "boolean " + v;
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isObject()) {
            return "object";
        }
        return v.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Checks a value against an Atlas attribute type name. */
    private void checkValue(String typeName, JsonNode v, String who, String path, Ctx ctx) {
        if (isNull(v)) {
            return;
        }
        if (typeName.startsWith("array<") && typeName.endsWith(">")) {
            String elem = typeName.substring(6, typeName.length() - 1);
            if (!v.isArray()) {
                ctx.add(who + ": " + path + ": expected " + typeName + " (a JSON array), got " + kind(v));
                recordGuids(v, ctx);
                return;
            }
            for (int i = 0; i < v.size(); i++) {
                if (isNull(v.get(i))) {
                    ctx.add(who + ": " + path + "[" + i + "]: null element in " + typeName);
                } else {
                    checkValue(elem, v.get(i), who, path + "[" + i + "]", ctx);
                }
            }
            return;
        }
        if (typeName.startsWith("map<") && typeName.endsWith(">")) {
            String[] kv = splitMapTypes(typeName.substring(4, typeName.length() - 1));
            if (!v.isObject()) {
                ctx.add(who + ": " + path + ": expected " + typeName + " (a JSON object), got " + kind(v));
                return;
            }
            if (!"string".equals(kv[0])) {
                ctx.add(who + ": " + path + ": model uses non-string map key type " + kv[0] + " (not checked)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkValue(kv[1], e.getValue(), who, path + "[\"" + e.getKey() + "\"]", ctx);
            }
            return;
        }
        if (PRIMITIVES.contains(typeName)) {
            String err = checkPrimitive(typeName, v);
            if (err != null) {
                ctx.add(who + ": " + path + ": " + err);
            }
            return;
        }
        TypeDef d = types.get(typeName);
        if (d == null) {
            ctx.add(who + ": " + path + ": the model declares unknown type " + typeName);
            return;
        }
        switch (d.category) {
            case ENUM: {
                List<String> values = ((EnumDef) d).values;
                if (!v.isTextual()) {
                    ctx.add(who + ": " + path + ": expected enum " + typeName + " value (string), got " + kind(v));
                } else if (!values.contains(v.asText())) {
                    boolean caseOnly = values.stream().anyMatch(x -> x.equalsIgnoreCase(v.asText()));
                    ctx.add(who + ": " + path + ": '" + v.asText() + "' is not a value of enum " + typeName + " "
                            + values + (caseOnly ? " (Atlas matches case-insensitively, but emit the exact value)" : ""));
                }
                return;
            }
            case STRUCT:
                checkStruct((StructDef) d, v, who, path, ctx);
                return;
            case ENTITY: {
                if (v.isArray()) {
                    ctx.add(who + ": " + path + ": expected a single object id of " + typeName + ", got an array");
                    recordGuids(v, ctx);
                    return;
                }
                String target = checkObjectId(v, typeName, who, path, ctx, true);
                if (target != null && !isSubtypeOf(target, typeName)) {
                    ctx.add(who + ": " + path + ": references a " + target + " but the attribute is declared "
                            + typeName + " (" + target + " supertypes: " + allSuperTypes(target) + ")");
                }
                return;
            }
            default:
                ctx.add(who + ": " + path + ": the model uses " + d.category + " type " + typeName
                        + " as an attribute type");
        }
    }

    private static String[] splitMapTypes(String inner) {
        int depth = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                return new String[] {inner.substring(0, i).trim(), inner.substring(i + 1).trim()};
            }
        }
        throw new IllegalStateException("bad map type map<" + inner + ">");
    }

    /** Strict JSON typing of primitives; returns an error text or null. */
    static String checkPrimitive(String t, JsonNode v) {
        switch (t) {
            case "string":
                return v.isTextual() ? null : "expected string, got " + kind(v);
            case "boolean":
                return v.isBoolean() ? null : "expected boolean (JSON true/false), got " + kind(v);
            case "byte":
                return integral(v, t, BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE));
            case "short":
                return integral(v, t, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE));
            case "int":
                return integral(v, t, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
            case "long":
                return integral(v, t, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
            case "date": {
                String err = integral(v, "date", BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
                return err == null ? null : err + " (dates are epoch milliseconds)";
            }
            case "biginteger":
                return v.isIntegralNumber() ? null : "expected biginteger (integral JSON number), got " + kind(v);
            case "float":
            case "double":
            case "bigdecimal":
                if (!v.isNumber()) {
                    return "expected " + t + " (JSON number), got " + kind(v);
                }
                if ("float".equals(t) && Float.isInfinite((float) v.asDouble())) {
                    return "value " + v + " out of float range";
                }
                return null;
            default:
                throw new IllegalArgumentException(t);
        }
    }

    private static String integral(JsonNode v, String t, BigInteger min, BigInteger max) {
        if (!v.isIntegralNumber()) {
            return "expected " + t + " (integral JSON number), got " + kind(v);
        }
        BigInteger b = v.bigIntegerValue();
        if (b.compareTo(min) < 0 || b.compareTo(max) > 0) {
            return "value " + v + " out of " + t + " range";
        }
        return null;
    }

    private void checkStruct(StructDef d, JsonNode v, String who, String path, Ctx ctx) {
        if (!v.isObject()) {
            ctx.add(who + ": " + path + ": expected struct " + d.name + " (a JSON object), got " + kind(v));
            return;
        }
        JsonNode attrs = v;
        // AtlasTypeUtil.toStructAttributes: {typeName, attributes:{...}} or the bare attribute map
        if (v.has("typeName") && v.path("attributes").isObject()) {
            if (!d.name.equals(v.path("typeName").asText())) {
                ctx.add(who + ": " + path + ": struct typeName '" + v.path("typeName").asText() + "', expected "
                        + d.name);
            }
            attrs = v.path("attributes");
        }
        Map<String, ResolvedAttr> declared = allAttributes.get(d.name);
        for (ResolvedAttr a : declared.values()) {
            if (!a.def().optional && isNull(attrs.get(a.def().name)) && !ctx.partial) {
                ctx.add(who + ": " + path + "." + a.def().name + ": required attribute of struct " + d.name
                        + " missing or null");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            ResolvedAttr a = declared.get(f.getKey());
            if (a == null) {
                ctx.add(who + ": " + path + "." + f.getKey() + ": unknown attribute of struct " + d.name);
            } else {
                checkValue(a.def().typeName, f.getValue(), who, path + "." + f.getKey(), ctx);
            }
        }
    }

    /**
     * Checks an AtlasObjectId; returns the type of the referenced entity when known (the in-message entity's
     * typeName for guid references, the given typeName for uniqueAttributes references), else null.
     *
     * @param expectedType declared type to compare the reference's own typeName with, or null
     * @param inMessage    whether a guid reference must resolve inside the message
     */
    private String checkObjectId(JsonNode id, String expectedType, String who, String path, Ctx ctx,
                                 boolean inMessage) {
        if (!id.isObject()) {
            ctx.add(who + ": " + path + ": expected an AtlasObjectId object, got " + kind(id));
            return null;
        }
        if (id.has("attributes")) {
            ctx.add(who + ": " + path + ": an inline entity is not allowed here: Atlas reads it as a bare object id"
                    + " and drops its attributes; put the entity in referredEntities and reference it by guid");
        }
        for (Iterator<String> it = id.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("guid", "typeName", "uniqueAttributes", "relationshipType", "relationshipAttributes",
                    "relationshipGuid", "relationshipStatus", "displayText", "entityStatus", "qualifiedName",
                    "attributes").contains(k)) {
                ctx.add(who + ": " + path + ": unknown AtlasObjectId property '" + k + "'");
            }
        }
        String givenType = id.path("typeName").isTextual() ? id.path("typeName").asText() : null;
        if (givenType != null && !isEntityType(givenType)) {
            ctx.add(who + ": " + path + ": reference typeName '" + givenType + "' is not an entity type of " + origin);
            givenType = null;
        }
        JsonNode guidNode = id.path("guid");
        if (guidNode.isTextual() && !guidNode.asText().isEmpty()) {
            String guid = guidNode.asText();
            ctx.referencedGuids.add(guid);
            if (ctx.current != null) {
                ctx.edges.computeIfAbsent(ctx.current, k -> new HashSet<>()).add(guid);
            }
            if (!inMessage) {
                return givenType;
            }
            JsonNode target = ctx.byGuid.get(guid);
            if (target == null) {
                ctx.add(who + ": " + path + ": guid '" + guid + "' does not resolve to an entity in this message"
                        + (guid.startsWith("-") ? "; Atlas rejects the whole message (REFERENCED_ENTITY_NOT_FOUND)"
                        : "; Atlas accepts it only if the server already has that guid"));
                return givenType;
            }
            String targetType = target.path("typeName").asText(null);
            if (givenType != null && targetType != null && !givenType.equals(targetType)) {
                ctx.add(who + ": " + path + ": reference says typeName '" + givenType + "' but entity " + guid
                        + " is a " + targetType);
            }
            return isEntityType(targetType) ? targetType : null;
        }
        if (!guidNode.isMissingNode() && !guidNode.isNull() && !guidNode.isTextual()) {
            ctx.add(who + ": " + path + ": guid is not a string");
        }
        JsonNode ua = id.path("uniqueAttributes");
        if (givenType == null || !ua.isObject() || ua.size() == 0) {
            ctx.add(who + ": " + path + ": not a valid AtlasObjectId: needs a guid, or typeName plus non-empty"
                    + " uniqueAttributes");
            return null;
        }
        Map<String, ResolvedAttr> declared = allAttributes.get(givenType);
        for (Iterator<Map.Entry<String, JsonNode>> it = ua.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            ResolvedAttr a = declared.get(f.getKey());
            if (a == null || !a.def().unique) {
                ctx.add(who + ": " + path + ".uniqueAttributes." + f.getKey() + ": not a unique attribute of "
                        + givenType + " (Atlas can only look entities up by unique attributes)");
            } else if (isNull(f.getValue())) {
                ctx.add(who + ": " + path + ".uniqueAttributes." + f.getKey() + ": null");
            } else {
                checkValue(a.def().typeName, f.getValue(), who, path + ".uniqueAttributes." + f.getKey(), ctx);
            }
        }
        return givenType;
    }

    /**
     * uniqueAttributes references in the body that no entity of the message matches (same typeName and same
     * unique attribute values): these point at entities the server must already have. Atlas's hook consumer
     * (atlas.notification.consumer.create.shell.entity.for.non-existing.ref, default true since 2.1) creates a
     * shell entity for a missing one; a guid reference to a missing entity instead fails the message.
     */
    public List<String> externalUniqueAttributeReferences(JsonNode body) {
        List<String> out = new ArrayList<>();
        Ctx ctx = new Ctx();
        List<Located> all = collect(body, ctx);
        Set<String> present = new HashSet<>();
        for (Located l : all) {
            String t = l.node.path("typeName").asText();
            l.node.path("attributes").fields().forEachRemaining(f -> {
                ResolvedAttr a = allAttributes.getOrDefault(t, Map.of()).get(f.getKey());
                if (a != null && a.def().unique) {
                    present.add(t + "|" + f.getKey() + "|" + f.getValue());
                }
            });
        }
        for (Located l : all) {
            walkIds(l.node.path("attributes"), id -> check(id, present, out));
            walkIds(l.node.path("relationshipAttributes"), id -> check(id, present, out));
        }
        return out;
    }

    private static void check(JsonNode id, Set<String> present, List<String> out) {
        if (id.path("guid").isTextual() || !id.path("uniqueAttributes").isObject()) {
            return;
        }
        String t = id.path("typeName").asText();
        boolean found = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = id.path("uniqueAttributes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            found |= present.contains(t + "|" + f.getKey() + "|" + f.getValue());
        }
        if (!found) {
            out.add(t + " " + id.path("uniqueAttributes"));
        }
    }

    private static void walkIds(JsonNode n, java.util.function.Consumer<JsonNode> f) {
        if (n.isObject()) {
            if (n.has("uniqueAttributes") || n.has("guid")) {
                f.accept(n);
                return;
            }
            n.forEach(c -> walkIds(c, f));
        } else if (n.isArray()) {
            n.forEach(c -> walkIds(c, f));
        }
    }

    // ------------------------------------------------------------------------------------------------ older model

    /**
     * Flags what the body uses that {@code older} lacks: entity types it does not define, attribute names (in
     * attributes or relationshipAttributes) neither declared nor a relationship end there, relationshipType names
     * and uniqueAttributes-reference typeNames it does not know. Use with {@link #sparkModel210rc3()} to keep our
     * output inside what Purview's posted model has.
     */
    public List<String> validateAgainstOlderModel(JsonNode body, AtlasTypeSystem older) {
        Ctx ctx = new Ctx();
        List<Located> all = collect(body, ctx);
        List<String> out = new ArrayList<>();
        for (Located l : all) {
            JsonNode e = l.node;
            String who = label(e);
            String type = e.path("typeName").asText(null);
            if (type == null) {
                continue;
            }
            if (!older.isEntityType(type)) {
                out.add(who + ": type " + type + " is not defined in the older model " + older.origin);
                continue;
            }
            Set<String> known = new HashSet<>(older.allAttributeNames(type));
            known.addAll(older.relationshipAttributeNames(type));
            for (String section : List.of("attributes", "relationshipAttributes")) {
                e.path(section).fieldNames().forEachRemaining(name -> {
                    if (!known.contains(name)) {
                        String newer = hasType(type) ? (allAttributeNames(type).contains(name)
                                ? " (declared by " + allAttributes.get(type).get(name).declaringType() + " in "
                                + origin + ")" : relationshipAttributeNames(type).contains(name)
                                ? " (a relationship end in " + origin + ")" : "") : "";
                        out.add(who + ": " + section + "." + name + ": " + type
                                + " has no such attribute in the older model " + older.origin + newer);
                    }
                });
            }
            for (String section : List.of("attributes", "relationshipAttributes")) {
                walkIds(e.path(section), id -> {
                    String rt = id.path("relationshipType").asText(null);
                    if (rt != null && !(older.types.get(rt) instanceof RelationshipDef)) {
                        out.add(who + ": " + section + ": relationshipType " + rt + " is not defined in the older"
                                + " model " + older.origin);
                    }
                    String t = id.path("typeName").asText(null);
                    if (t != null && !older.isEntityType(t)) {
                        out.add(who + ": " + section + ": reference to type " + t + " which the older model "
                                + older.origin + " does not define");
                    }
                });
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ misc

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A compact description of an entity type, for failure messages and exploration. */
    public String describe(String type) {
        if (!isEntityType(type)) {
            return type + ": not an entity type";
        }
        StringBuilder sb = new StringBuilder(type).append(" v").append(typeVersion(type))
                .append(" supertypes=").append(allSuperTypes(type)).append('\n');
        allAttributes.get(type).values().forEach(a -> sb.append("  attr ").append(a.def()).append("  [")
                .append(a.declaringType()).append("]\n"));
        allRelEnds.getOrDefault(type, Map.of()).forEach((n, ends) -> ends.forEach(re -> sb.append("  rel  ")
                .append(n).append(" -> ").append(re.isMany() ? "array<" + re.otherEndType() + ">" : re.otherEndType())
                .append(" via ").append(re.relationshipName()).append(' ').append(re.relationshipCategory())
                .append(re.optional() ? "" : " (mandatory)").append(" [").append(re.endType()).append("]\n")));
        return sb.toString();
    }

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
