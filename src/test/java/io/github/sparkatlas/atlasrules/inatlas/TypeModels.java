package io.github.sparkatlas.atlasrules.inatlas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.atlas.exception.AtlasBaseException;
import org.apache.atlas.model.typedef.AtlasBaseTypeDef;
import org.apache.atlas.model.typedef.AtlasEnumDef;
import org.apache.atlas.model.typedef.AtlasEnumDef.AtlasEnumElementDef;
import org.apache.atlas.model.typedef.AtlasStructDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasEntityType;
import org.apache.atlas.type.AtlasEnumType;
import org.apache.atlas.type.AtlasStructType.AtlasAttribute;
import org.apache.atlas.type.AtlasType;
import org.apache.atlas.type.AtlasTypeRegistry;
import org.apache.atlas.type.AtlasTypeRegistry.AtlasTransientTypeRegistry;

/**
 * Atlas's own type registry ({@link AtlasTypeRegistry}) holding the typedef files of one models folder, loaded the way
 * an Atlas server loads them at start-up ({@code AtlasTypeDefStoreInitializer.loadBootstrapTypeDefs}, repository
 * module): each sub-folder in name order (then the top folder), its files in name order, a type that exists already
 * updated only when the file's {@code typeVersion} is newer (keeping the attributes the file lacks), then the folder's
 * {@code patches/} (see {@link ModelPatches}). A file the registry refuses is rolled back and recorded as FAILED, as
 * the server logs and skips it.
 */
public final class TypeModels {

    private final String origin;
    private final AtlasTypeRegistry registry = new AtlasTypeRegistry();
    private final List<String> patchLog = new ArrayList<>();
    private final List<String> fileFailures = new ArrayList<>();
    private final List<String> loadWarnings = new ArrayList<>();

    /**
     * @param unpatchedTypes types no patch may change: what Purview has after a POST of a model file, which runs no
     *                       bootstrap patch
     */
    public TypeModels(String modelsDir, Set<String> unpatchedTypes) {
        Path dir = Paths.get(modelsDir);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("models dir not found: " + dir.toAbsolutePath());
        }
        this.origin = dir.toString();
        try (AtlasLogLines.Scope log = AtlasLogLines.scope()) {
            for (Path folder : list(dir)) {
                if (Files.isDirectory(folder) && !folder.getFileName().toString().equals("patches")) {
                    loadFolder(folder, unpatchedTypes);
                }
            }
            loadFolder(dir, unpatchedTypes);
            loadWarnings.addAll(log.lines());
        }
    }

    AtlasTypeRegistry registry() {
        return registry;
    }

    private void loadFolder(Path folder, Set<String> unpatchedTypes) {
        for (Path file : list(folder)) {
            if (Files.isRegularFile(file)) {
                loadTypedefFile(file);
            }
        }
        Path patches = folder.resolve("patches");
        if (Files.isDirectory(patches)) {
            for (Path file : list(patches)) {
                if (Files.isRegularFile(file)) {
                    applyPatchFile(file, unpatchedTypes);
                }
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted(Comparator.comparing(p -> p.getFileName().toString())).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(Path file) {
        return file.getParent().getFileName() + "/" + file.getFileName();
    }

    private void loadTypedefFile(Path file) {
        AtlasTypesDef typesDef = AtlasType.fromJson(read(file), AtlasTypesDef.class);
        if (typesDef == null) {
            throw new IllegalStateException("not a typedef file: " + file);
        }
        if (typesDef.isEmpty()) {
            return;
        }
        AtlasTypesDef toCreate = typesToCreate(typesDef);
        AtlasTypesDef toUpdate = typesToUpdate(typesDef);
        if (toCreate.isEmpty() && toUpdate.isEmpty()) {
            return;
        }
        AtlasTransientTypeRegistry transientRegistry = lock();
        boolean committed = false;
        try {
            transientRegistry.addTypes(toCreate);
            transientRegistry.updateTypes(toUpdate);
            committed = true;
        } catch (AtlasBaseException | RuntimeException e) {
            fileFailures.add(name(file) + ": FAILED: " + e);
        } finally {
            registry.releaseTypeRegistryForUpdate(transientRegistry, committed);
        }
    }

    private AtlasTransientTypeRegistry lock() {
        try {
            return registry.lockTypeRegistryForUpdate();
        } catch (AtlasBaseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** AtlasTypeDefStoreInitializer.getTypesToCreate: the types not registered yet. */
    private AtlasTypesDef typesToCreate(AtlasTypesDef typesDef) {
        AtlasTypesDef ret = new AtlasTypesDef();
        ret.setEnumDefs(unregistered(typesDef.getEnumDefs()));
        ret.setStructDefs(unregistered(typesDef.getStructDefs()));
        ret.setClassificationDefs(unregistered(typesDef.getClassificationDefs()));
        ret.setEntityDefs(unregistered(typesDef.getEntityDefs()));
        ret.setRelationshipDefs(unregistered(typesDef.getRelationshipDefs()));
        ret.setBusinessMetadataDefs(unregistered(typesDef.getBusinessMetadataDefs()));
        return ret;
    }

    private <T extends AtlasBaseTypeDef> List<T> unregistered(List<T> defs) {
        return defs == null ? new ArrayList<>()
                : defs.stream().filter(d -> !registry.isRegisteredType(d.getName())).collect(Collectors.toList());
    }

    /**
     * AtlasTypeDefStoreInitializer.getTypesToUpdate with checkTypeVersion: a registered type whose new def has a
     * greater typeVersion, with the old attributes (or enum elements) the new def lacks added.
     */
    private AtlasTypesDef typesToUpdate(AtlasTypesDef typesDef) {
        AtlasTypesDef ret = new AtlasTypesDef();
        ret.setStructDefs(newerStructs(typesDef.getStructDefs(), registry::getStructDefByName));
        ret.setClassificationDefs(newerStructs(typesDef.getClassificationDefs(), registry::getClassificationDefByName));
        ret.setEntityDefs(newerStructs(typesDef.getEntityDefs(), registry::getEntityDefByName));
        ret.setRelationshipDefs(newerStructs(typesDef.getRelationshipDefs(), registry::getRelationshipDefByName));
        ret.setBusinessMetadataDefs(newerStructs(typesDef.getBusinessMetadataDefs(),
                registry::getBusinessMetadataDefByName));
        List<AtlasEnumDef> enums = new ArrayList<>();
        for (AtlasEnumDef newDef : nullToEmpty(typesDef.getEnumDefs())) {
            AtlasEnumDef oldDef = registry.getEnumDefByName(newDef.getName());
            if (oldDef != null && isNewer(newDef, oldDef)) {
                for (AtlasEnumElementDef element : nullToEmpty(oldDef.getElementDefs())) {
                    if (!newDef.hasElement(element.getValue())) {
                        newDef.addElement(element);
                    }
                }
                enums.add(newDef);
            }
        }
        ret.setEnumDefs(enums);
        return ret;
    }

    private static <T extends AtlasStructDef> List<T> newerStructs(List<T> defs, Function<String, T> registered) {
        List<T> ret = new ArrayList<>();
        for (T newDef : nullToEmpty(defs)) {
            T oldDef = registered.apply(newDef.getName());
            if (oldDef != null && isNewer(newDef, oldDef)) {
                for (AtlasAttributeDef attribute : nullToEmpty(oldDef.getAttributeDefs())) {
                    if (!newDef.hasAttribute(attribute.getName())) {
                        newDef.addAttribute(attribute);
                    }
                }
                ret.add(newDef);
            }
        }
        return ret;
    }

    /** ObjectUtils.compare(new, old) > 0, nulls first. */
    private static boolean isNewer(AtlasBaseTypeDef newDef, AtlasBaseTypeDef oldDef) {
        String a = newDef.getTypeVersion();
        String b = oldDef.getTypeVersion();
        if (a == null) {
            return false;
        }
        return b == null || a.compareTo(b) > 0;
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /**
     * Applies one patches file. The server updates its registry once per patch, which resolves every type again each
     * time (some 460 patches in 2.4.0, seconds); here all patches of the file go into one transient registry and the
     * types are resolved once at the end. Should a patch fail or the resolution, the file is applied again patch by
     * patch, the server's way, so that exactly the patch the server would refuse is FAILED.
     */
    @SuppressWarnings("unchecked")
    private void applyPatchFile(Path file, Set<String> unpatchedTypes) {
        String where = file.getParent().getParent().getFileName() + "/patches/" + file.getFileName();
        Map<String, Object> root = AtlasType.fromJson(read(file), Map.class);
        if (root == null) {
            throw new IllegalStateException("not a patches file: " + file);
        }
        List<Map<String, Object>> patches = new ArrayList<>();
        for (Object element : (Collection<Object>) root.getOrDefault("patches", List.of())) {
            patches.add((Map<String, Object>) element);
        }
        AtlasTransientTypeRegistry batch = lock();
        List<String> statuses = null;
        try {
            statuses = applyPatches(where, patches, new ModelPatches(batch, batch::updateTypesWithNoRefResolve),
                    unpatchedTypes);
            if (statuses.stream().anyMatch(status -> status.contains(": FAILED"))) {
                statuses = null; // a failed patch may have left part of its change in the batch
            } else {
                batch.updateTypes(new AtlasTypesDef());
            }
        } catch (AtlasBaseException e) {
            statuses = null;
        } finally {
            registry.releaseTypeRegistryForUpdate(batch, statuses != null);
        }
        if (statuses == null) {
            statuses = applyPatches(where, patches, new ModelPatches(registry, ModelPatches.eachResolved(registry)),
                    unpatchedTypes);
        }
        patchLog.addAll(statuses);
    }

    private static List<String> applyPatches(String where, List<Map<String, Object>> patches, ModelPatches handlers,
                                             Set<String> unpatchedTypes) {
        List<String> statuses = new ArrayList<>();
        for (Map<String, Object> patch : patches) {
            String action = (String) patch.get("action");
            String id = (String) patch.get("id");
            if (!ModelPatches.ACTIONS.contains(action)) {
                throw new IllegalStateException(where + ": patch " + id + " has action '" + action
                        + "' which ModelPatches does not implement; implement it (read Atlas's"
                        + " AtlasTypeDefStoreInitializer) before trusting this model");
            }
            String typeName = (String) patch.get("typeName");
            String status;
            if (unpatchedTypes.contains(typeName)) {
                status = "NOT APPLIED (type posted unpatched)";
            } else {
                try {
                    status = handlers.apply(patch);
                } catch (ModelPatches.PatchFailed e) {
                    status = "FAILED: " + e.getMessage();
                }
            }
            statuses.add(where + " " + id + " " + action + " " + typeName + ": " + status);
        }
        return statuses;
    }

    // ------------------------------------------------------------------------------------------------ queries

    public String origin() {
        return origin;
    }

    /** One line per patch: file, id, action, type and APPLIED / SKIPPED (version) / FAILED (reason). */
    public List<String> patchLog() {
        return Collections.unmodifiableList(patchLog);
    }

    /** Typedef files the registry refused (the server logs and skips them). */
    public List<String> fileFailures() {
        return Collections.unmodifiableList(fileFailures);
    }

    /** What Atlas's classes logged at WARN or above while loading. */
    public List<String> loadWarnings() {
        return Collections.unmodifiableList(loadWarnings);
    }

    public boolean hasType(String name) {
        return registry.isRegisteredType(name);
    }

    public boolean isEntityType(String name) {
        return name != null && registry.getEntityTypeByName(name) != null;
    }

    public Set<String> entityTypeNames() {
        return new TreeSet<>(registry.getAllEntityDefNames());
    }

    /** {@code type} equals {@code superType} or has it among its (transitive) supertypes. */
    public boolean isSubtypeOf(String type, String superType) {
        AtlasEntityType entityType = type == null ? null : registry.getEntityTypeByName(type);
        return entityType != null && entityType.getTypeAndAllSuperTypes().contains(superType);
    }

    public Set<String> allSuperTypes(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        return entityType == null ? Set.of() : new TreeSet<>(entityType.getAllSuperTypes());
    }

    public String typeVersion(String type) {
        AtlasBaseTypeDef def = registry.getTypeDefByName(type);
        return def == null ? null : def.getTypeVersion();
    }

    public String serviceType(String type) {
        AtlasBaseTypeDef def = registry.getTypeDefByName(type);
        return def == null ? null : def.getServiceType();
    }

    /** Declared attributes of the type and all its supertypes (not relationship-only attributes). */
    public Set<String> allAttributeNames(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        return entityType == null ? Set.of() : new TreeSet<>(entityType.getAllAttributes().keySet());
    }

    /** Relationship end attribute names usable on the type (its own ends and its supertypes'). */
    public Set<String> relationshipAttributeNames(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        return entityType == null ? Set.of() : new TreeSet<>(entityType.getRelationshipAttributes().keySet());
    }

    /** Declared attributes that must be non-null (isOptional=false), inherited ones included. */
    public Set<String> requiredAttributeNames(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        return entityType == null ? Set.of() : entityType.getAllAttributes().values().stream()
                .filter(a -> !a.getAttributeDef().getIsOptional()).map(AtlasAttribute::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Relationship-only attributes Atlas treats as mandatory (the non-container end of a COMPOSITION). */
    public Set<String> requiredRelationshipAttributeNames(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        if (entityType == null) {
            return Set.of();
        }
        Set<String> ret = new TreeSet<>();
        entityType.getRelationshipAttributes().forEach((name, byRelationship) -> {
            if (!entityType.getAllAttributes().containsKey(name) && byRelationship.values().stream()
                    .anyMatch(a -> !a.getAttributeDef().getIsOptional())) {
                ret.add(name);
            }
        });
        return ret;
    }

    /** Declared type name of an attribute (e.g. {@code array<DataSet>}), or null. */
    public String attributeType(String type, String attribute) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        AtlasAttribute a = entityType == null ? null : entityType.getAttribute(attribute);
        return a == null ? null : a.getAttributeDef().getTypeName();
    }

    public List<String> enumValues(String enumType) {
        AtlasEnumType type = registry.getEnumTypeByName(enumType);
        return type == null ? List.of() : type.getEnumDef().getElementDefs().stream()
                .map(AtlasEnumElementDef::getValue).collect(Collectors.toList());
    }

    /** Relationship type names the registry knows. */
    public boolean isRelationshipType(String name) {
        return name != null && registry.getRelationshipDefByName(name) != null;
    }

    /** A compact description of an entity type, for failure messages and exploration. */
    public String describe(String type) {
        AtlasEntityType entityType = registry.getEntityTypeByName(type);
        if (entityType == null) {
            return type + ": not an entity type";
        }
        StringBuilder sb = new StringBuilder(type).append(" v").append(typeVersion(type)).append(" supertypes=")
                .append(allSuperTypes(type)).append('\n');
        entityType.getAllAttributes().values().forEach(a -> sb.append("  attr ").append(a.getName()).append(':')
                .append(a.getAttributeDef().getTypeName())
                .append(a.getAttributeDef().getIsOptional() ? "" : " (required)")
                .append("  [").append(a.getDefinedInType().getTypeName()).append("]\n"));
        entityType.getRelationshipAttributes().forEach((name, byRelationship) -> byRelationship.forEach((rel, a) ->
                sb.append("  rel  ").append(name).append(" -> ").append(a.getAttributeType().getTypeName())
                        .append(" via ").append(rel).append(a.getAttributeDef().getIsOptional() ? "" : " (mandatory)")
                        .append('\n')));
        return sb.toString();
    }

    /** Names of the typedefs in one file (a model file as Purview's guide posts it). */
    public static Set<String> typeNamesIn(String typedefFile) {
        AtlasTypesDef typesDef = AtlasType.fromJson(read(Paths.get(typedefFile)), AtlasTypesDef.class);
        Set<String> names = new TreeSet<>();
        Stream.of(typesDef.getEnumDefs(), typesDef.getStructDefs(), typesDef.getClassificationDefs(),
                typesDef.getEntityDefs(), typesDef.getRelationshipDefs(), typesDef.getBusinessMetadataDefs())
                .filter(l -> l != null).flatMap(List::stream).map(AtlasBaseTypeDef::getName).forEach(names::add);
        return names;
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** Violations of a hook message or an entities body (see {@link MessageCheck}); empty when valid. */
    public List<String> validate(String json) {
        return MessageCheck.validate(this, json);
    }

    /** What the message uses that {@code older} (another TypeModels) does not define. */
    public List<String> validateAgainstOlderModel(String json, Object older) {
        return MessageCheck.againstOlderModel(this, json, (TypeModels) older);
    }

    /** uniqueAttributes references no entity of the message matches. */
    public List<String> externalUniqueAttributeReferences(String json) {
        return MessageCheck.externalUniqueAttributeReferences(this, json);
    }
}
