package io.github.sparkatlas.atlasrules.inatlas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.atlas.exception.AtlasBaseException;
import org.apache.atlas.model.typedef.AtlasBaseTypeDef;
import org.apache.atlas.model.typedef.AtlasClassificationDef;
import org.apache.atlas.model.typedef.AtlasEntityDef;
import org.apache.atlas.model.typedef.AtlasEnumDef;
import org.apache.atlas.model.typedef.AtlasEnumDef.AtlasEnumElementDef;
import org.apache.atlas.model.typedef.AtlasRelationshipDef;
import org.apache.atlas.model.typedef.AtlasRelationshipDef.RelationshipCategory;
import org.apache.atlas.model.typedef.AtlasRelationshipEndDef;
import org.apache.atlas.model.typedef.AtlasStructDef;
import org.apache.atlas.model.typedef.AtlasStructDef.AtlasAttributeDef;
import org.apache.atlas.model.typedef.AtlasTypesDef;
import org.apache.atlas.type.AtlasType;
import org.apache.atlas.type.AtlasTypeRegistry;
import org.apache.atlas.type.AtlasTypeRegistry.AtlasTransientTypeRegistry;

/**
 * The typedef patches of a models folder ({@code patches/*.json}), applied to Atlas's type registry.
 *
 * <p>Atlas applies them at server start in {@code AtlasTypeDefStoreInitializer} (repository module, which needs a
 * graph database and is not on our classpath), one handler per action. These are the same steps on Atlas's own typedef
 * classes: copy the current def, change it as the handler does (ADD_ATTRIBUTE appends attribute defs, UPDATE_ATTRIBUTE
 * replaces them, REMOVE_LEGACY_REF_ATTRIBUTES drops the legacy attributes from both end types and sets the
 * relationship's label and category, ...), set {@code updateToVersion}, and write the def to a {@link Store} (the
 * server's way, or a batch that TypeModels resolves once per file). A patch applies only when the type's version is
 * null, equals {@code applyToVersion} or starts with {@code applyToVersion + "."}
 * ({@code PatchHandler.isPatchApplicable}). A patch for a type that does not exist is FAILED and loading goes on, as
 * on the server. An action we do not implement fails loudly: the server would log and ignore it, and we want to know.
 */
final class ModelPatches {

    static final Set<String> ACTIONS = Set.of("ADD_ATTRIBUTE", "UPDATE_ATTRIBUTE", "UPDATE_ATTRIBUTE_METADATA",
            "UPDATE_ENUMDEF", "ADD_SUPER_TYPES", "REMOVE_LEGACY_REF_ATTRIBUTES", "SET_SERVICE_TYPE",
            "UPDATE_TYPEDEF_OPTIONS");

    /** A patch Atlas would record as FAILED (its AtlasBaseException), loading goes on. */
    static final class PatchFailed extends Exception {
        private static final long serialVersionUID = 1L;

        PatchFailed(String message) {
            super(message);
        }
    }

    /** Where a patched def goes: the server's typeDefStore update, or a batch of them (see TypeModels). */
    interface Store {
        void update(AtlasTypesDef typesDef) throws AtlasBaseException;
    }

    private final AtlasTypeRegistry registry;
    private final Store store;

    /**
     * @param registry the registry the patches read (the current defs)
     * @param store    where the patched defs are written
     */
    ModelPatches(AtlasTypeRegistry registry, Store store) {
        this.registry = registry;
        this.store = store;
    }

    /** The server's way: every patch its own registry update, all types resolved again each time. */
    static Store eachResolved(AtlasTypeRegistry registry) {
        return typesDef -> {
            AtlasTransientTypeRegistry transientRegistry = registry.lockTypeRegistryForUpdate();
            boolean committed = false;
            try {
                transientRegistry.updateTypes(typesDef);
                committed = true;
            } finally {
                registry.releaseTypeRegistryForUpdate(transientRegistry, committed);
            }
        };
    }

    /** Applies one patch (a JSON object of a patches file); returns APPLIED, SKIPPED (...) or UNKNOWN (...). */
    @SuppressWarnings("unchecked")
    String apply(Map<String, Object> patch) throws PatchFailed {
        String action = (String) patch.get("action");
        String typeName = (String) patch.get("typeName");
        AtlasBaseTypeDef typeDef = registry.getTypeDefByName(typeName);
        if (typeDef == null) {
            throw new PatchFailed("unknown type " + typeName);
        }
        String updateTo = (String) patch.get("updateToVersion");
        String skipped = "SKIPPED (typeVersion " + typeDef.getTypeVersion() + ")";
        switch (action) {
            case "UPDATE_TYPEDEF_OPTIONS": {
                Map<String, String> options = (Map<String, String>) patch.get("typeDefOptions");
                if (options == null || options.isEmpty()) {
                    throw new PatchFailed("no typeDefOptions");
                }
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                AtlasBaseTypeDef updated = copy(typeDef);
                Map<String, String> merged = new LinkedHashMap<>();
                if (updated.getOptions() != null) {
                    merged.putAll(updated.getOptions());
                }
                merged.putAll(options);
                updated.setOptions(merged);
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "SET_SERVICE_TYPE": {
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                AtlasBaseTypeDef updated = copy(typeDef);
                updated.setServiceType((String) patch.get("serviceType"));
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "UPDATE_ENUMDEF": {
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                if (!(typeDef instanceof AtlasEnumDef)) {
                    throw new PatchFailed("not applicable to " + typeDef.getClass().getSimpleName());
                }
                AtlasEnumDef updated = new AtlasEnumDef((AtlasEnumDef) typeDef);
                for (Object element : list(patch.get("elementDefs"))) {
                    updated.addElement(AtlasType.fromLinkedHashMap(element, AtlasEnumElementDef.class));
                }
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "ADD_ATTRIBUTE":
            case "UPDATE_ATTRIBUTE": {
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                boolean relationshipAllowed = action.equals("ADD_ATTRIBUTE");
                if (!(typeDef instanceof AtlasStructDef)
                        || typeDef instanceof AtlasRelationshipDef && !relationshipAllowed) {
                    throw new PatchFailed("not applicable to " + typeDef.getClass().getSimpleName());
                }
                AtlasStructDef updated = (AtlasStructDef) copy(typeDef);
                for (Object attribute : list(patch.get("attributeDefs"))) {
                    AtlasAttributeDef def = AtlasType.fromLinkedHashMap(attribute, AtlasAttributeDef.class);
                    if (action.equals("UPDATE_ATTRIBUTE") && updated.hasAttribute(def.getName())) {
                        updated.removeAttribute(def.getName());
                    }
                    updated.addAttribute(def);
                }
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "UPDATE_ATTRIBUTE_METADATA": {
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                if (!(typeDef instanceof AtlasEntityDef) && !typeDef.getClass().equals(AtlasStructDef.class)) {
                    throw new PatchFailed("not applicable to " + typeDef.getClass().getSimpleName());
                }
                AtlasStructDef updated = (AtlasStructDef) copy(typeDef);
                String attributeName = (String) patch.get("attributeName");
                Map<String, Object> params = (Map<String, Object>) patch.getOrDefault("params", Map.of());
                for (AtlasAttributeDef attribute : updated.getAttributeDefs()) {
                    if (attribute.getName().equalsIgnoreCase(attributeName)) {
                        updateAttributeMetadata(attribute, params);
                    }
                }
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "ADD_SUPER_TYPES": {
                List<Object> superTypes = list(patch.get("superTypes"));
                if (superTypes.isEmpty() || !applicable(typeDef, patch)) {
                    return skipped;
                }
                if (!(typeDef instanceof AtlasEntityDef)) {
                    throw new PatchFailed("not applicable to " + typeDef.getClass().getSimpleName());
                }
                AtlasEntityDef updated = new AtlasEntityDef((AtlasEntityDef) typeDef);
                for (Object superType : superTypes) {
                    updated.addSuperType((String) superType);
                }
                updated.setTypeVersion(updateTo);
                update(updated);
                return "APPLIED";
            }
            case "REMOVE_LEGACY_REF_ATTRIBUTES":
                if (!applicable(typeDef, patch)) {
                    return skipped;
                }
                if (!(typeDef instanceof AtlasRelationshipDef)) {
                    return "UNKNOWN (not a relationshipDef; the server does nothing)";
                }
                removeLegacyRefAttributes((AtlasRelationshipDef) typeDef, (Map<String, Object>) patch.get("params"),
                        updateTo);
                return "APPLIED";
            default:
                throw new IllegalStateException("patch action " + action + " is not implemented by ModelPatches");
        }
    }

    private static boolean applicable(AtlasBaseTypeDef def, Map<String, Object> patch) {
        String current = def.getTypeVersion();
        String applyTo = (String) patch.get("applyToVersion");
        return current == null || current.equalsIgnoreCase(applyTo) || current.startsWith(applyTo + ".");
    }

    private static List<Object> list(Object value) {
        return value instanceof Collection ? new ArrayList<>((Collection<?>) value) : List.of();
    }

    /** UpdateAttributeMetadataHandler: searchWeight and indexType; anything else makes the server throw. */
    private static void updateAttributeMetadata(AtlasAttributeDef attribute, Map<String, Object> params) {
        for (Map.Entry<String, Object> param : params.entrySet()) {
            switch (param.getKey().toLowerCase(Locale.ROOT)) {
                case "searchweight":
                    attribute.setSearchWeight(((Number) param.getValue()).intValue());
                    break;
                case "indextype":
                    attribute.setIndexType(AtlasAttributeDef.IndexType.valueOf((String) param.getValue()));
                    break;
                default:
                    throw new IllegalStateException("UPDATE_ATTRIBUTE_METADATA: unknown property " + param.getKey()
                            + " of " + attribute.getName());
            }
        }
    }

    /** RemoveLegacyRefAttributesPatchHandler. */
    private void removeLegacyRefAttributes(AtlasRelationshipDef relationship, Map<String, Object> params,
                                           String updateTo) throws PatchFailed {
        AtlasRelationshipEndDef end1 = relationship.getEndDef1();
        AtlasRelationshipEndDef end2 = relationship.getEndDef2();
        String label = params == null ? null : (String) params.get("relationshipLabel");
        Object category = params == null ? null : params.get("relationshipCategory");
        boolean swapEnds = params != null && params.get("swapEnds") != null
                && Boolean.parseBoolean(params.get("swapEnds").toString());
        if (registry.getEntityDefByName(end1.getType()) == null
                || registry.getEntityDefByName(end2.getType()) == null) {
            throw new PatchFailed("end type of " + relationship.getName() + " missing");
        }
        if (label == null || label.isEmpty()) {
            if (end1.getIsLegacyAttribute() && end2.getIsLegacyAttribute()) {
                throw new PatchFailed("both ends are legacy attributes and the patch gives no relationshipLabel");
            } else if (end1.getIsLegacyAttribute()) {
                label = "__" + qualifiedAttributeName(end1.getType(), end1.getName());
            } else if (end2.getIsLegacyAttribute()) {
                label = "__" + qualifiedAttributeName(end2.getType(), end2.getName());
            } else {
                label = relationship.getRelationshipLabel();
            }
        }
        AtlasRelationshipDef updated = new AtlasRelationshipDef(relationship);
        if (swapEnds) {
            AtlasRelationshipEndDef first = updated.getEndDef1();
            updated.setEndDef1(updated.getEndDef2());
            updated.setEndDef2(first);
        }
        updated.setRelationshipLabel(label);
        if (category != null) {
            updated.setRelationshipCategory(RelationshipCategory.valueOf(category.toString()));
        }
        updated.setTypeVersion(updateTo);
        AtlasEntityDef type1 = new AtlasEntityDef(registry.getEntityDefByName(updated.getEndDef1().getType()));
        AtlasEntityDef type2 = new AtlasEntityDef(registry.getEntityDefByName(updated.getEndDef2().getType()));
        type1.removeAttribute(updated.getEndDef1().getName());
        type2.removeAttribute(updated.getEndDef2().getName());
        AtlasTypesDef typesDef = new AtlasTypesDef();
        typesDef.setEntityDefs(List.of(type1, type2));
        typesDef.setRelationshipDefs(List.of(updated));
        update(typesDef);
    }

    /**
     * AtlasAttribute.getQualifiedName: {@code <declaring type>.<attribute>}, the declaring type being the end type or
     * the supertype that declares the attribute (read from the defs: in a batch the types are not resolved yet).
     */
    private String qualifiedAttributeName(String typeName, String attributeName) throws PatchFailed {
        AtlasEntityDef def = registry.getEntityDefByName(typeName);
        if (def == null) {
            throw new PatchFailed("unknown type " + typeName);
        }
        if (def.hasAttribute(attributeName)) {
            return typeName + "." + attributeName;
        }
        for (String superType : def.getSuperTypes()) {
            try {
                return qualifiedAttributeName(superType, attributeName);
            } catch (PatchFailed notThere) {
                // try the next supertype
            }
        }
        throw new PatchFailed(typeName + " has no attribute " + attributeName);
    }

    private static AtlasBaseTypeDef copy(AtlasBaseTypeDef def) {
        if (def instanceof AtlasEntityDef) {
            return new AtlasEntityDef((AtlasEntityDef) def);
        }
        if (def instanceof AtlasClassificationDef) {
            return new AtlasClassificationDef((AtlasClassificationDef) def);
        }
        if (def instanceof AtlasRelationshipDef) {
            return new AtlasRelationshipDef((AtlasRelationshipDef) def);
        }
        if (def instanceof AtlasStructDef) {
            return new AtlasStructDef((AtlasStructDef) def);
        }
        if (def instanceof AtlasEnumDef) {
            return new AtlasEnumDef((AtlasEnumDef) def);
        }
        throw new IllegalStateException("cannot copy " + def.getClass().getName());
    }

    private void update(AtlasBaseTypeDef def) throws PatchFailed {
        AtlasTypesDef typesDef = new AtlasTypesDef();
        if (def instanceof AtlasEnumDef) {
            typesDef.setEnumDefs(List.of((AtlasEnumDef) def));
        } else if (def instanceof AtlasEntityDef) {
            typesDef.setEntityDefs(List.of((AtlasEntityDef) def));
        } else if (def instanceof AtlasClassificationDef) {
            typesDef.setClassificationDefs(List.of((AtlasClassificationDef) def));
        } else if (def instanceof AtlasRelationshipDef) {
            typesDef.setRelationshipDefs(List.of((AtlasRelationshipDef) def));
        } else {
            typesDef.setStructDefs(List.of((AtlasStructDef) def));
        }
        update(typesDef);
    }

    private void update(AtlasTypesDef typesDef) throws PatchFailed {
        try {
            store.update(typesDef);
        } catch (AtlasBaseException e) {
            throw new PatchFailed(e.getMessage());
        }
    }
}
