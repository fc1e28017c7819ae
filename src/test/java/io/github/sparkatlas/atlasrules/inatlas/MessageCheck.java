package io.github.sparkatlas.atlasrules.inatlas;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.atlas.AtlasErrorCode;
import org.apache.atlas.exception.AtlasBaseException;
import org.apache.atlas.model.TypeCategory;
import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntitiesWithExtInfo;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.notification.HookNotification;
import org.apache.atlas.model.notification.HookNotification.EntityCreateRequestV2;
import org.apache.atlas.model.notification.HookNotification.EntityPartialUpdateRequestV2;
import org.apache.atlas.model.notification.HookNotification.EntityUpdateRequestV2;
import org.apache.atlas.type.AtlasArrayType;
import org.apache.atlas.type.AtlasBuiltInTypes.AtlasObjectIdType;
import org.apache.atlas.type.AtlasEntityType;
import org.apache.atlas.type.AtlasEnumType;
import org.apache.atlas.type.AtlasMapType;
import org.apache.atlas.type.AtlasStructType;
import org.apache.atlas.type.AtlasStructType.AtlasAttribute;
import org.apache.atlas.type.AtlasType;
import org.apache.atlas.type.AtlasTypeRegistry;
import org.apache.atlas.type.AtlasTypeUtil;

/**
 * Holds one hook message (or an entities body) to the types of a {@link TypeModels}, in two parts.
 *
 * <p><b>Atlas's own checks.</b> The message is read with Atlas's classes ({@code HookNotification}, as the hook
 * consumer reads it) and every entity goes through what an Atlas server does before it stores it
 * ({@code AtlasEntityStoreV2.preCreateOrUpdate} and {@code AtlasEntityGraphDiscoveryV2.validateAndNormalize}): the
 * guid must be valid, the type an entity type, relationship attributes given in {@code attributes} are moved over
 * ({@code compactAttributes}, repeated here because it lives in the repository module), then
 * {@code AtlasEntityType.validateValue} (or {@code validateValueForUpdate} for a partial update: no mandatory
 * attributes) and {@code getNormalizedValue}. That covers required attributes, the mandatory end of a COMPOSITION
 * (e.g. {@code spark_column.table}), values Atlas cannot convert to the declared type, enum values, structs, and
 * malformed object ids. These violations carry the tag {@code [Atlas]} and Atlas's own wording.
 *
 * <p><b>Our own checks</b>, only for what Atlas's type system lets through (FIELD-NOTES §3) and the server would get
 * wrong or silently change:
 * <ul>
 *   <li>unknown attribute names in {@code attributes} and {@code relationshipAttributes}, unknown entity and object-id
 *       properties (Atlas ignores them: most likely our typo);</li>
 *   <li>references to the wrong type: a guid reference's entity, or a uniqueAttributes reference's typeName, must be
 *       the declared type or the relationship's other end type (or a subtype); a given {@code relationshipType} must
 *       define the attribute; uniqueAttributes keys must be unique attributes (only those find an entity);</li>
 *   <li>a self-contained message: every guid unique and a temporary (negative) one, every guid reference resolving
 *       inside the message, referredEntities keyed by their own guid and reachable from the top-level entities
 *       (Atlas only reads what its graph walk reaches), no inline entity where an object id belongs (Atlas keeps only
 *       its id), no Atlas-internal type;</li>
 *   <li>exact JSON types: Atlas converts "7" or 7.0 to a long, "false" to a boolean, 5 to a string, "read" to the
 *       enum READ; we emit the type the model declares.</li>
 * </ul>
 * An attribute Atlas already reports is not reported again by our checks. {@link #againstOlderModel} adds the check
 * that a message uses only what an older model (Purview's posted 2.1.0-rc3 spark model) defines.
 */
final class MessageCheck {

    /** Property names AtlasEntity (Jackson-mapped) knows; anything else is ignored by Atlas, so probably our typo. */
    static final Set<String> ENTITY_KEYS = Set.of("typeName", "attributes", "guid", "homeId", "isProxy", "proxy",
            "isIncomplete", "provenanceType", "status", "createdBy", "updatedBy", "createTime", "updateTime",
            "version", "relationshipAttributes", "classifications", "meanings", "customAttributes",
            "businessAttributes", "labels", "pendingTasks");

    static final Set<String> OBJECT_ID_KEYS = Set.of("guid", "typeName", "uniqueAttributes", "relationshipType",
            "relationshipAttributes", "relationshipGuid", "relationshipStatus", "displayText", "entityStatus",
            "qualifiedName", "attributes");

    /** An entity of the message, where it sits, and the guid key it was found under in referredEntities. */
    private record Located(String where, Object node, String mapKey) {
    }

    private final TypeModels models;
    private final AtlasTypeRegistry registry;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Map<String, Object>> byGuid = new LinkedHashMap<>();
    /** guid of an entity -> guids its attributes reference (to find what Atlas's graph walk reaches). */
    private final Map<String, Set<String>> edges = new HashMap<>();
    /** where of an entity -> attribute names Atlas reported (ours stay silent on those), "guid" for its guid. */
    private final Map<String, Set<String>> reportedByAtlas = new HashMap<>();
    private boolean partial;

    private MessageCheck(TypeModels models) {
        this.models = models;
        this.registry = models.registry();
    }

    /** Violations of the message (or body) against the models; empty when valid. */
    static List<String> validate(TypeModels models, String json) {
        MessageCheck check = new MessageCheck(models);
        check.run(json);
        return check.violations;
    }

    // ------------------------------------------------------------------------------------------------ overall

    private void run(String json) {
        Object body = AtlasType.fromJson(json, Object.class);
        List<Located> all = collect(body);
        for (Located l : all) {
            String guid = text(asMap(l.node()).get("guid"));
            if (guid == null || guid.isEmpty()) {
                continue;
            }
            if (byGuid.containsKey(guid)) {
                violations.add(label(l.node()) + ": guid '" + guid + "' is used by more than one entity in the message"
                        + " (" + l.where() + ")");
            } else {
                byGuid.put(guid, asMap(l.node()));
            }
        }
        if (!all.isEmpty()) {
            atlasChecks(json, body, all);
        }
        for (Located l : all) {
            checkEntity(l);
        }
        // AtlasEntityGraphDiscoveryV2.discover(): walks the top-level entities, then whatever they reference
        // (transitively); a referred entity outside that walk is never read.
        Set<String> reached = new HashSet<>();
        List<String> queue = new ArrayList<>();
        for (Located l : all) {
            if (l.mapKey() == null) {
                queue.add(nodeKey(l));
            }
        }
        while (!queue.isEmpty()) {
            String g = queue.remove(queue.size() - 1);
            if (reached.add(g)) {
                queue.addAll(edges.getOrDefault(g, Set.of()));
            }
        }
        for (Located l : all) {
            if (l.mapKey() != null && !reached.contains(l.mapKey())) {
                violations.add(label(l.node()) + ": referredEntities[" + l.mapKey() + "] is not reachable by guid"
                        + " references from the top-level entities; Atlas only reads referred entities its walk"
                        + " reaches, so it would be ignored");
            }
        }
    }

    /** Graph key of an entity: its guid, or its position when it has none (so one error does not cascade). */
    private static String nodeKey(Located l) {
        String guid = text(asMap(l.node()).get("guid"));
        return guid != null && !guid.isEmpty() ? guid : "@" + l.where();
    }

    @SuppressWarnings("unchecked")
    private List<Located> collect(Object message) {
        List<Located> out = new ArrayList<>();
        if (!(message instanceof Map)) {
            violations.add("message body is not a JSON object");
            return out;
        }
        Map<String, Object> b = (Map<String, Object>) message;
        Object typeValue = b.get("type");
        if (typeValue instanceof String) {
            String type = (String) typeValue;
            switch (type) {
                case "ENTITY_CREATE_V2":
                case "ENTITY_FULL_UPDATE_V2":
                    b = asMapOrNull(b.get("entities"));
                    break;
                case "ENTITY_PARTIAL_UPDATE_V2":
                    partial = true;
                    checkObjectId(b.get("entityId"), "ENTITY_PARTIAL_UPDATE_V2.entityId", "entityId", false);
                    b = asMapOrNull(b.get("entity"));
                    break;
                case "ENTITY_DELETE_V2": {
                    Object ids = b.get("entities");
                    if (!(ids instanceof List)) {
                        violations.add("ENTITY_DELETE_V2: 'entities' must be an array of AtlasObjectId");
                        return out;
                    }
                    int i = 0;
                    for (Object id : (List<Object>) ids) {
                        checkObjectId(id, "ENTITY_DELETE_V2", "entities[" + i++ + "]", false);
                    }
                    return out;
                }
                default:
                    violations.add("hook message type '" + type + "' is not a V2 entity notification");
                    return out;
            }
            if (b == null) {
                violations.add(type + ": entities body missing or not an object");
                return out;
            }
        }
        if (b.containsKey("entities")) {
            Object es = b.get("entities");
            if (!(es instanceof List)) {
                violations.add("'entities' must be an array");
            } else {
                List<Object> list = (List<Object>) es;
                for (int i = 0; i < list.size(); i++) {
                    out.add(new Located("entities[" + i + "]", list.get(i), null));
                }
            }
        } else if (b.containsKey("entity")) {
            out.add(new Located("entity", b.get("entity"), null));
        } else {
            violations.add("body has neither 'entities' nor 'entity'");
        }
        Object referred = b.get("referredEntities");
        if (referred != null) {
            if (!(referred instanceof Map)) {
                violations.add("'referredEntities' must be an object keyed by guid");
            } else {
                ((Map<String, Object>) referred).forEach((key, entity) -> {
                    out.add(new Located("referredEntities[" + key + "]", entity, key));
                    String guid = text(asMap(entity).get("guid"));
                    if (!key.equals(guid)) {
                        violations.add(label(entity) + ": referredEntities key '" + key + "' differs from the entity's"
                                + " guid '" + guid + "' (Atlas looks referred entities up by key)");
                    }
                });
            }
        }
        for (String key : b.keySet()) {
            if (!Set.of("entities", "entity", "referredEntities").contains(key)) {
                violations.add("unknown key '" + key + "' in the entities body (Atlas ignores it)");
            }
        }
        return out;
    }

    static String label(Object e) {
        if (!(e instanceof Map)) {
            return "<non-object entity>";
        }
        Map<?, ?> entity = (Map<?, ?>) e;
        Object type = entity.get("typeName");
        Object guid = entity.get("guid");
        Object qualifiedName = asMap(entity.get("attributes")).get("qualifiedName");
        return (type == null ? "?" : type) + "(guid=" + (guid == null ? "?" : guid)
                + (qualifiedName instanceof String ? ", qualifiedName=" + qualifiedName : "") + ")";
    }

    // ------------------------------------------------------------------------------------------------ Atlas's checks

    /** Reads the message with Atlas's classes and runs each entity through the server's validation. */
    private void atlasChecks(String json, Object body, List<Located> all) {
        Map<String, AtlasEntity> typed = new HashMap<>();
        try (AtlasLogLines.Scope log = AtlasLogLines.scope()) {
            Map<?, ?> root = (Map<?, ?>) body;
            AtlasEntitiesWithExtInfo entities = null;
            AtlasEntityWithExtInfo entity = null;
            if (root.get("type") instanceof String) {
                HookNotification notification = AtlasType.fromV1Json(json, HookNotification.class);
                if (notification == null) {
                    violations.add("[Atlas] the message does not read as a HookNotification: " + log.lines());
                    return;
                }
                notification.normalize();
                if (notification instanceof EntityCreateRequestV2) {
                    entities = ((EntityCreateRequestV2) notification).getEntities();
                } else if (notification instanceof EntityUpdateRequestV2) {
                    entities = ((EntityUpdateRequestV2) notification).getEntities();
                } else if (notification instanceof EntityPartialUpdateRequestV2) {
                    entity = ((EntityPartialUpdateRequestV2) notification).getEntity();
                }
            } else if (root.containsKey("entities")) {
                entities = AtlasType.fromJson(json, AtlasEntitiesWithExtInfo.class);
            } else {
                entity = AtlasType.fromJson(json, AtlasEntityWithExtInfo.class);
            }
            List<String> lines = log.lines();
            if (entities == null && entity == null) {
                violations.add("[Atlas] the entities do not read as AtlasEntity: " + lines);
                return;
            }
            if (entities != null) {
                List<AtlasEntity> list = entities.getEntities() == null ? List.of() : entities.getEntities();
                for (int i = 0; i < list.size(); i++) {
                    typed.put("entities[" + i + "]", list.get(i));
                }
                if (entities.getReferredEntities() != null) {
                    entities.getReferredEntities().forEach((k, v) -> typed.put("referredEntities[" + k + "]", v));
                }
            } else {
                typed.put("entity", entity.getEntity());
                if (entity.getReferredEntities() != null) {
                    entity.getReferredEntities().forEach((k, v) -> typed.put("referredEntities[" + k + "]", v));
                }
            }
            for (Located l : all) {
                AtlasEntity e = typed.get(l.where());
                if (e == null) {
                    continue;
                }
                Set<String> reported = reportedByAtlas.computeIfAbsent(l.where(), k -> new HashSet<>());
                for (String message : serverValidation(e)) {
                    violations.add(label(l.node()) + ": [Atlas] " + message);
                    reported.add(reportedAttribute(e.getTypeName(), message));
                }
                for (String line : log.lines()) {
                    violations.add(label(l.node()) + ": [Atlas] logged: " + line);
                }
            }
        }
    }

    /** AtlasEntityStoreV2.preCreateOrUpdate / AtlasEntityGraphDiscoveryV2.validateAndNormalize for one entity. */
    private List<String> serverValidation(AtlasEntity e) {
        Set<String> messages = new LinkedHashSet<>();
        if (!AtlasTypeUtil.isValidGuid(e.getGuid())) {
            messages.add(new AtlasBaseException(AtlasErrorCode.INVALID_OBJECT_ID, "invalid guid " + e.getGuid())
                    .getMessage());
        }
        AtlasEntityType type = registry.getEntityTypeByName(e.getTypeName());
        if (type == null) {
            messages.add(new AtlasBaseException(AtlasErrorCode.TYPE_NAME_INVALID, TypeCategory.ENTITY.name(),
                    e.getTypeName()).getMessage());
            return new ArrayList<>(messages);
        }
        compactAttributes(e, type);
        List<String> found = new ArrayList<>();
        if (partial) {
            type.validateValueForUpdate(e, e.getTypeName(), found);
        } else {
            type.validateValue(e, e.getTypeName(), found);
        }
        // one missing attribute of a supertype two paths lead to (Referenceable via DataSet and Path) is one problem
        messages.addAll(found);
        if (messages.isEmpty()) {
            try {
                Object normalized = partial ? type.getNormalizedValueForUpdate(e) : type.getNormalizedValue(e);
                if (normalized == null) {
                    messages.add(e.getTypeName() + ": getNormalizedValue returned null (isValidValue is false)");
                }
            } catch (RuntimeException ex) {
                messages.add(e.getTypeName() + ": getNormalizedValue failed: " + ex);
            }
        }
        return new ArrayList<>(messages);
    }

    /** AtlasEntityStoreV2.compactAttributes: relationship attributes found in 'attributes' move over. */
    private static void compactAttributes(AtlasEntity entity, AtlasEntityType entityType) {
        for (String attrName : entityType.getRelationshipAttributes().keySet()) {
            if (entity.hasAttribute(attrName)) {
                Object value = entity.removeAttribute(attrName);
                if (value != null && entity.getRelationshipAttribute(attrName) == null) {
                    entity.setRelationshipAttribute(attrName, value);
                }
            }
        }
    }

    /** Atlas names the field as {@code <typeName>.<attribute>...}; "guid" and "" for messages about the entity. */
    private static String reportedAttribute(String typeName, String message) {
        if (message.startsWith("ObjectId is not valid")) {
            return "guid";
        }
        String prefix = typeName + ".";
        if (!message.startsWith(prefix)) {
            return "";
        }
        int end = prefix.length();
        while (end < message.length() && ".=:[ ".indexOf(message.charAt(end)) < 0) {
            end++;
        }
        return message.substring(prefix.length(), end);
    }

    // ------------------------------------------------------------------------------------------------ our checks

    @SuppressWarnings("unchecked")
    private void checkEntity(Located l) {
        if (!(l.node() instanceof Map)) {
            violations.add(l.where() + ": entity is not a JSON object");
            return;
        }
        Map<String, Object> e = (Map<String, Object>) l.node();
        String who = label(e);
        Set<String> reported = reportedByAtlas.getOrDefault(l.where(), Set.of());
        String current = nodeKey(l);
        for (String key : e.keySet()) {
            if (!ENTITY_KEYS.contains(key)) {
                violations.add(who + ": unknown entity property '" + key + "' (AtlasEntity ignores it)");
            }
        }
        Object guid = e.get("guid");
        if (!(guid instanceof String) || ((String) guid).isEmpty()) {
            violations.add(who + ": guid missing or not a string (" + l.where() + "); Atlas gives the entity a new"
                    + " temporary guid no reference can name");
        } else if (!((String) guid).startsWith("-") && !reported.contains("guid")) {
            violations.add(who + ": guid '" + guid + "' is an assigned guid, not a temporary negative one;"
                    + " Atlas rejects the message unless the server already has that entity");
        }
        Object attrsValue = e.get("attributes");
        Object relsValue = e.get("relationshipAttributes");
        Map<String, Object> attrs = attrsValue instanceof Map ? (Map<String, Object>) attrsValue : Map.of();
        Map<String, Object> rels = relsValue instanceof Map ? (Map<String, Object>) relsValue : Map.of();
        walkIds(attrs, id -> recordEdge(current, id));
        walkIds(rels, id -> recordEdge(current, id));
        if (!(e.get("typeName") instanceof String)) {
            violations.add(who + ": typeName missing (" + l.where() + ")");
            return;
        }
        AtlasEntityType type = registry.getEntityTypeByName((String) e.get("typeName"));
        if (type == null) {
            return; // Atlas reports TYPE_NAME_INVALID
        }
        if (type.getAllSuperTypes().contains("__internal")) {
            violations.add(who + ": '" + type.getTypeName() + "' is an Atlas-internal type (supertype __internal);"
                    + " hooks must not emit it");
        }
        if (attrsValue != null && !(attrsValue instanceof Map)) {
            violations.add(who + ": 'attributes' is not an object");
        }
        if (relsValue != null && !(relsValue instanceof Map)) {
            violations.add(who + ": 'relationshipAttributes' is not an object");
        }
        for (Map.Entry<String, Object> f : attrs.entrySet()) {
            String name = f.getKey();
            Object v = f.getValue();
            String path = "attributes." + name;
            if (reported.contains(name)) {
                continue;
            }
            AtlasAttribute declared = type.getAttribute(name);
            Map<String, AtlasAttribute> ends = type.getRelationshipAttributes().get(name);
            if (declared == null && ends == null) {
                violations.add(who + ": " + path + ": unknown attribute for type " + type.getTypeName()
                        + " (not declared by " + type.getTypeName() + " or its supertypes " + type.getAllSuperTypes()
                        + ", and no relationship end of that name)");
                continue;
            }
            if (v == null) {
                continue;
            }
            if (ends != null && rels.get(name) != null && !rels.get(name).equals(v)) {
                violations.add(who + ": " + path + ": also given, differently, in relationshipAttributes; Atlas keeps"
                        + " the relationshipAttributes value and drops this one");
            }
            if (ends != null && (declared == null || isReference(declared.getAttributeType()))) {
                checkRelationshipValue(type, name, ends, v, who, path);
            } else {
                checkValue(declared.getAttributeType(), v, who, path);
            }
        }
        for (Map.Entry<String, Object> f : rels.entrySet()) {
            String name = f.getKey();
            String path = "relationshipAttributes." + name;
            if (reported.contains(name)) {
                continue;
            }
            Map<String, AtlasAttribute> ends = type.getRelationshipAttributes().get(name);
            if (ends == null) {
                violations.add(who + ": " + path + ": no relationshipDef has an end named '" + name + "' on "
                        + type.getTypeName() + " or its supertypes" + (type.getAttribute(name) != null
                        ? " (it is a plain attribute: put it in 'attributes')" : ""));
                continue;
            }
            if (f.getValue() != null) {
                checkRelationshipValue(type, name, ends, f.getValue(), who, path);
            }
        }
    }

    private void recordEdge(String from, Map<?, ?> id) {
        if (id.get("guid") instanceof String) {
            edges.computeIfAbsent(from, k -> new HashSet<>()).add((String) id.get("guid"));
        }
    }

    /** An entity or array-of-entity attribute (an object-id type in Atlas's resolved attribute). */
    private static boolean isReference(AtlasType type) {
        AtlasType t = type instanceof AtlasArrayType ? ((AtlasArrayType) type).getElementType() : type;
        return t instanceof AtlasObjectIdType || t instanceof AtlasEntityType;
    }

    private static String objectType(AtlasType type) {
        AtlasType t = type instanceof AtlasArrayType ? ((AtlasArrayType) type).getElementType() : type;
        if (t instanceof AtlasObjectIdType) {
            return ((AtlasObjectIdType) t).getObjectType();
        }
        return t.getTypeName();
    }

    @SuppressWarnings("unchecked")
    private void checkRelationshipValue(AtlasEntityType type, String name, Map<String, AtlasAttribute> ends, Object v,
                                        String who, String path) {
        // AtlasEntityUtil.getRelationshipType: the relationshipType given in the (first) object id picks the end
        Object probe = v instanceof List ? (((List<Object>) v).isEmpty() ? null : ((List<Object>) v).get(0)) : v;
        String relType = probe instanceof Map && ((Map<?, ?>) probe).get("relationshipType") instanceof String
                ? (String) ((Map<?, ?>) probe).get("relationshipType") : null;
        Map<String, AtlasAttribute> candidates = ends;
        if (relType != null) {
            candidates = ends.containsKey(relType) ? Map.of(relType, ends.get(relType)) : ends;
            if (!ends.containsKey(relType)) {
                violations.add(who + ": " + path + ": relationshipType '" + relType + "' does not define '" + name
                        + "' on " + type.getTypeName() + " (defined by " + ends.keySet() + ")");
            }
        }
        boolean many = candidates.values().iterator().next().getAttributeType() instanceof AtlasArrayType;
        if (many != v instanceof List) {
            return; // a single id for a SET/LIST end or an array for a SINGLE one: Atlas reports it
        }
        List<String> otherTypes = candidates.values().stream().map(a -> objectType(a.getAttributeType())).distinct()
                .collect(Collectors.toList());
        String relNames = String.join("/", candidates.keySet());
        List<Object> ids = v instanceof List ? (List<Object>) v : List.of(v);
        for (int i = 0; i < ids.size(); i++) {
            String p = v instanceof List ? path + "[" + i + "]" : path;
            Object id = ids.get(i);
            Object idRelType = id instanceof Map ? ((Map<?, ?>) id).get("relationshipType") : null;
            if (idRelType instanceof String && relType != null && !relType.equals(idRelType)) {
                violations.add(who + ": " + p + ": mixed relationshipType values in one attribute");
            }
            String target = checkObjectId(id, who, p, true);
            if (target != null && otherTypes.stream().noneMatch(o -> models.isSubtypeOf(target, o))) {
                violations.add(who + ": " + p + ": references a " + target + " but relationship " + relNames
                        + " needs a " + String.join(" or ", otherTypes) + " at the other end (" + target
                        + " supertypes: " + models.allSuperTypes(target) + ")");
            }
        }
    }

    /**
     * Checks an AtlasObjectId; returns the type of the referenced entity when known (the in-message entity's
     * typeName for guid references, the given typeName for uniqueAttributes references), else null.
     *
     * @param inMessage whether a guid reference must resolve inside the message
     */
    private String checkObjectId(Object idValue, String who, String path, boolean inMessage) {
        if (!(idValue instanceof Map)) {
            violations.add(who + ": " + path + ": expected an AtlasObjectId object, got " + kind(idValue));
            return null;
        }
        Map<?, ?> id = (Map<?, ?>) idValue;
        if (id.containsKey("attributes")) {
            violations.add(who + ": " + path + ": an inline entity is not allowed here: Atlas reads it as a bare object"
                    + " id and drops its attributes; put the entity in referredEntities and reference it by guid");
        }
        for (Object k : id.keySet()) {
            if (!OBJECT_ID_KEYS.contains(k)) {
                violations.add(who + ": " + path + ": unknown AtlasObjectId property '" + k + "'");
            }
        }
        String givenType = text(id.get("typeName"));
        if (givenType != null && !models.isEntityType(givenType)) {
            violations.add(who + ": " + path + ": reference typeName '" + givenType + "' is not an entity type of "
                    + models.origin());
            givenType = null;
        }
        Object guidValue = id.get("guid");
        if (guidValue instanceof String && !((String) guidValue).isEmpty()) {
            String guid = (String) guidValue;
            if (!inMessage) {
                return givenType;
            }
            Map<String, Object> target = byGuid.get(guid);
            if (target == null) {
                violations.add(who + ": " + path + ": guid '" + guid + "' does not resolve to an entity in this message"
                        + (guid.startsWith("-") ? "; Atlas rejects the whole message (REFERENCED_ENTITY_NOT_FOUND)"
                        : "; Atlas accepts it only if the server already has that guid"));
                return givenType;
            }
            String targetType = text(target.get("typeName"));
            if (givenType != null && targetType != null && !givenType.equals(targetType)) {
                violations.add(who + ": " + path + ": reference says typeName '" + givenType + "' but entity " + guid
                        + " is a " + targetType);
            }
            return models.isEntityType(targetType) ? targetType : null;
        }
        if (guidValue != null && !(guidValue instanceof String)) {
            violations.add(who + ": " + path + ": guid is not a string");
        }
        Object unique = id.get("uniqueAttributes");
        if (givenType == null || !(unique instanceof Map) || ((Map<?, ?>) unique).isEmpty()) {
            violations.add(who + ": " + path + ": not a valid AtlasObjectId: needs a guid, or typeName plus non-empty"
                    + " uniqueAttributes");
            return null;
        }
        AtlasEntityType referenced = registry.getEntityTypeByName(givenType);
        for (Map.Entry<?, ?> f : ((Map<?, ?>) unique).entrySet()) {
            AtlasAttribute a = referenced.getAttribute(String.valueOf(f.getKey()));
            String p = path + ".uniqueAttributes." + f.getKey();
            if (a == null || !a.getAttributeDef().getIsUnique()) {
                violations.add(who + ": " + p + ": not a unique attribute of " + givenType
                        + " (Atlas can only look entities up by unique attributes)");
            } else if (f.getValue() == null) {
                violations.add(who + ": " + p + ": null");
            } else {
                checkValue(a.getAttributeType(), f.getValue(), who, p);
            }
        }
        return givenType;
    }

    /**
     * Exact JSON types, for a value Atlas accepted (Atlas converts what it can). Also: unknown struct attributes,
     * null array elements, and object ids in declared (non-relationship) attributes.
     */
    @SuppressWarnings("unchecked")
    private void checkValue(AtlasType type, Object v, String who, String path) {
        if (v == null) {
            return;
        }
        switch (type.getTypeCategory()) {
            case PRIMITIVE: {
                String err = checkPrimitive(type.getTypeName(), v);
                if (err != null) {
                    violations.add(who + ": " + path + ": " + err);
                }
                return;
            }
            case ENUM: {
                List<String> values = ((AtlasEnumType) type).getEnumDef().getElementDefs().stream()
                        .map(d -> d.getValue()).collect(Collectors.toList());
                if (!(v instanceof String)) {
                    violations.add(who + ": " + path + ": expected enum " + type.getTypeName() + " value (string), got "
                            + kind(v));
                } else if (!values.contains(v)) {
                    boolean caseOnly = values.stream().anyMatch(x -> x.equalsIgnoreCase((String) v));
                    violations.add(who + ": " + path + ": '" + v + "' is not a value of enum " + type.getTypeName()
                            + " " + values
                            + (caseOnly ? " (Atlas matches case-insensitively, but emit the exact value)" : ""));
                }
                return;
            }
            case ARRAY: {
                if (!(v instanceof List)) {
                    return; // Atlas reports it
                }
                AtlasType element = ((AtlasArrayType) type).getElementType();
                List<Object> list = (List<Object>) v;
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == null) {
                        violations.add(who + ": " + path + "[" + i + "]: null element in " + type.getTypeName());
                    } else {
                        checkValue(element, list.get(i), who, path + "[" + i + "]");
                    }
                }
                return;
            }
            case MAP: {
                if (!(v instanceof Map)) {
                    return; // Atlas reports it
                }
                AtlasMapType mapType = (AtlasMapType) type;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    checkValue(mapType.getValueType(), e.getValue(), who, path + "[\"" + e.getKey() + "\"]");
                }
                return;
            }
            case STRUCT: {
                if (!(v instanceof Map)) {
                    return; // Atlas reports it
                }
                Map<?, ?> map = (Map<?, ?>) v;
                if (map.get("typeName") != null && map.get("attributes") instanceof Map
                        && !type.getTypeName().equals(map.get("typeName"))) {
                    violations.add(who + ": " + path + ": struct typeName '" + map.get("typeName") + "', expected "
                            + type.getTypeName());
                }
                AtlasStructType structType = (AtlasStructType) type;
                for (Map.Entry<?, ?> f : ((Map<?, ?>) AtlasTypeUtil.toStructAttributes(map)).entrySet()) {
                    AtlasAttribute a = structType.getAttribute(String.valueOf(f.getKey()));
                    if (a == null) {
                        violations.add(who + ": " + path + "." + f.getKey() + ": unknown attribute of struct "
                                + type.getTypeName());
                    } else {
                        checkValue(a.getAttributeType(), f.getValue(), who, path + "." + f.getKey());
                    }
                }
                return;
            }
            case OBJECT_ID_TYPE: {
                String expected = ((AtlasObjectIdType) type).getObjectType();
                if (v instanceof List) {
                    return; // Atlas reports it
                }
                String target = checkObjectId(v, who, path, true);
                if (target != null && !models.isSubtypeOf(target, expected)) {
                    violations.add(who + ": " + path + ": references a " + target + " but the attribute is declared "
                            + expected + " (" + target + " supertypes: " + models.allSuperTypes(target) + ")");
                }
                return;
            }
            default:
                violations.add(who + ": " + path + ": the model uses " + type.getTypeCategory() + " type "
                        + type.getTypeName() + " as an attribute type");
        }
    }

    /** Strict JSON typing of primitives; returns an error text or null. */
    static String checkPrimitive(String t, Object v) {
        switch (t) {
            case "string":
                return v instanceof String ? null : "expected string, got " + kind(v);
            case "boolean":
                return v instanceof Boolean ? null : "expected boolean (JSON true/false), got " + kind(v);
            case "byte":
                return integral(v, t, BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE));
            case "short":
                return integral(v, t, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE));
            case "int":
                return integral(v, t, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
            case "long":
                return integral(v, t, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
            case "date": {
                String err = integral(v, "date", BigInteger.valueOf(Long.MIN_VALUE),
                        BigInteger.valueOf(Long.MAX_VALUE));
                return err == null ? null : err + " (dates are epoch milliseconds)";
            }
            case "biginteger":
                return isIntegral(v) ? null : "expected biginteger (integral JSON number), got " + kind(v);
            case "float":
            case "double":
            case "bigdecimal":
                if (!(v instanceof Number)) {
                    return "expected " + t + " (JSON number), got " + kind(v);
                }
                if ("float".equals(t) && Float.isInfinite(((Number) v).floatValue())) {
                    return "value " + v + " out of float range";
                }
                return null;
            default:
                return null;
        }
    }

    private static boolean isIntegral(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof BigInteger || v instanceof Short
                || v instanceof Byte;
    }

    private static String integral(Object v, String t, BigInteger min, BigInteger max) {
        if (!isIntegral(v)) {
            return "expected " + t + " (integral JSON number), got " + kind(v);
        }
        BigInteger b = v instanceof BigInteger ? (BigInteger) v : BigInteger.valueOf(((Number) v).longValue());
        if (b.compareTo(min) < 0 || b.compareTo(max) > 0) {
            return "value " + v + " out of " + t + " range";
        }
        return null;
    }

    static String kind(Object v) {
        if (v instanceof String) {
            String s = (String) v;
            return "string \"" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "\"";
        }
        if (v instanceof BigDecimal) {
            return "number " + ((BigDecimal) v).toPlainString();
        }
        if (v instanceof Number) {
            return "number " + v;
        }
        if (v instanceof Boolean) {
            return "boolean " + v;
        }
        if (v instanceof List) {
            return "array";
        }
        if (v instanceof Map) {
            return "object";
        }
        return v == null ? "null" : v.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String text(Object v) {
        return v instanceof String ? (String) v : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object v) {
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMapOrNull(Object v) {
        return v instanceof Map ? (Map<String, Object>) v : null;
    }

    /** Calls {@code f} for every object id (a map with a guid or uniqueAttributes) inside a value. */
    static void walkIds(Object n, Consumer<Map<?, ?>> f) {
        if (n instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) n;
            if (map.containsKey("uniqueAttributes") || map.containsKey("guid")) {
                f.accept(map);
                return;
            }
            map.values().forEach(c -> walkIds(c, f));
        } else if (n instanceof List) {
            ((List<?>) n).forEach(c -> walkIds(c, f));
        }
    }

    // ------------------------------------------------------------------------------------------------ other reports

    /**
     * uniqueAttributes references in the body that no entity of the message matches (same typeName and same unique
     * attribute values): these point at entities the server must already have. Atlas's hook consumer
     * (atlas.notification.consumer.create.shell.entity.for.non-existing.ref, default true since 2.1) creates a shell
     * entity for a missing one; a guid reference to a missing entity instead fails the message.
     */
    static List<String> externalUniqueAttributeReferences(TypeModels models, String json) {
        MessageCheck check = new MessageCheck(models);
        List<Located> all = check.collect(AtlasType.fromJson(json, Object.class));
        Set<String> present = new HashSet<>();
        for (Located l : all) {
            Map<String, Object> e = asMap(l.node());
            AtlasEntityType type = models.registry().getEntityTypeByName(text(e.get("typeName")));
            asMap(e.get("attributes")).forEach((name, value) -> {
                AtlasAttribute a = type == null ? null : type.getAttribute(name);
                if (a != null && a.getAttributeDef().getIsUnique()) {
                    present.add(type.getTypeName() + "|" + name + "|" + value);
                }
            });
        }
        List<String> out = new ArrayList<>();
        for (Located l : all) {
            Map<String, Object> e = asMap(l.node());
            Consumer<Map<?, ?>> external = id -> {
                if (id.get("guid") instanceof String || !(id.get("uniqueAttributes") instanceof Map)) {
                    return;
                }
                boolean found = false;
                for (Map.Entry<?, ?> f : ((Map<?, ?>) id.get("uniqueAttributes")).entrySet()) {
                    found |= present.contains(id.get("typeName") + "|" + f.getKey() + "|" + f.getValue());
                }
                if (!found) {
                    out.add(id.get("typeName") + " " + AtlasType.toJson(id.get("uniqueAttributes")));
                }
            };
            walkIds(e.get("attributes"), external);
            walkIds(e.get("relationshipAttributes"), external);
        }
        return out;
    }

    /**
     * What the body uses that {@code older} lacks: entity types it does not define, attribute names (in attributes or
     * relationshipAttributes) neither declared nor a relationship end there, relationshipType names and
     * uniqueAttributes-reference typeNames it does not know.
     */
    static List<String> againstOlderModel(TypeModels models, String json, TypeModels older) {
        MessageCheck check = new MessageCheck(models);
        List<Located> all = check.collect(AtlasType.fromJson(json, Object.class));
        List<String> out = new ArrayList<>();
        for (Located l : all) {
            Map<String, Object> e = asMap(l.node());
            String who = label(e);
            String type = text(e.get("typeName"));
            if (type == null) {
                continue;
            }
            if (!older.isEntityType(type)) {
                out.add(who + ": type " + type + " is not defined in the older model " + older.origin());
                continue;
            }
            Set<String> known = new HashSet<>(older.allAttributeNames(type));
            known.addAll(older.relationshipAttributeNames(type));
            for (String section : List.of("attributes", "relationshipAttributes")) {
                for (String name : asMap(e.get(section)).keySet()) {
                    if (!known.contains(name)) {
                        String newer = models.allAttributeNames(type).contains(name) ? " (declared by "
                                + models.registry().getEntityTypeByName(type).getAttribute(name).getDefinedInType()
                                .getTypeName() + " in " + models.origin() + ")"
                                : models.relationshipAttributeNames(type).contains(name) ? " (a relationship end in "
                                + models.origin() + ")" : "";
                        out.add(who + ": " + section + "." + name + ": " + type + " has no such attribute in the older"
                                + " model " + older.origin() + newer);
                    }
                }
                walkIds(e.get(section), id -> {
                    String relationshipType = text(id.get("relationshipType"));
                    if (relationshipType != null && !older.isRelationshipType(relationshipType)) {
                        out.add(who + ": " + section + ": relationshipType " + relationshipType + " is not defined in"
                                + " the older model " + older.origin());
                    }
                    String t = text(id.get("typeName"));
                    if (t != null && !older.isEntityType(t)) {
                        out.add(who + ": " + section + ": reference to type " + t + " which the older model "
                                + older.origin() + " does not define");
                    }
                });
            }
        }
        return out;
    }
}
