package io.github.sparkatlas.atlasrules.inatlas;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.atlas.model.instance.AtlasEntity;
import org.apache.atlas.model.instance.AtlasEntity.AtlasEntityWithExtInfo;
import org.apache.atlas.model.instance.AtlasObjectId;
import org.apache.atlas.utils.AtlasPathExtractorUtil;
import org.apache.atlas.utils.PathExtractorContext;
import org.apache.hadoop.fs.Path;

/**
 * What Atlas's own hooks make of a path: {@code AtlasPathExtractorUtil.getPathEntity} with the context Atlas's Hive
 * hook passes by default (metadata namespace, S3 model v2, paths not lower-cased), flattened to strings.
 */
public final class PathExtraction {

    private PathExtraction() {
    }

    /**
     * One map per entity (the path's own entity first, then every other entity it made): typeName, qualifiedName, name,
     * the plain attributes objectPrefix, path and clusterName where set, and for each relationship attribute
     * {@code rel:<attribute>} = the qualifiedName of the entity it points at.
     */
    public static List<Map<String, String>> entities(String path, String namespace) {
        // Every entity the extractor made, also the intermediate directories it links by guid without listing them
        // as referred entities (a hook sends what its context knows).
        Map<String, AtlasEntity> known = new LinkedHashMap<>();
        PathExtractorContext context = new PathExtractorContext(namespace, known, false,
                AtlasPathExtractorUtil.AWS_S3_ATLAS_MODEL_VERSION_V2);
        // As a file system names a real path: percent escapes decoded and a trailing slash dropped, as Hadoop's
        // Path holds a table location.
        URI uri = URI.create(path);
        String pathPart = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
        AtlasEntityWithExtInfo extracted = AtlasPathExtractorUtil.getPathEntity(
                new Path(uri.getScheme(), uri.getAuthority(), pathPart), context);
        List<Map<String, String>> out = new ArrayList<>();
        out.add(flat(extracted.getEntity()));
        for (AtlasEntity entity : known.values()) {
            if (entity != extracted.getEntity()) {
                out.add(flat(entity));
            }
        }
        if (extracted.getReferredEntities() != null) {
            for (AtlasEntity referred : extracted.getReferredEntities().values()) {
                if (!known.containsValue(referred)) {
                    out.add(flat(referred));
                }
            }
        }
        return out;
    }

    private static Map<String, String> flat(AtlasEntity entity) {
        Map<String, String> flat = new TreeMap<>();
        flat.put("typeName", entity.getTypeName());
        for (String attribute : new String[] {"qualifiedName", "name", "objectPrefix", "path", "clusterName"}) {
            Object value = entity.getAttribute(attribute);
            if (value != null) {
                flat.put(attribute, String.valueOf(value));
            }
        }
        if (entity.getRelationshipAttributes() != null) {
            for (Map.Entry<String, Object> relation : entity.getRelationshipAttributes().entrySet()) {
                if (relation.getValue() instanceof AtlasObjectId) {
                    Object target = ((AtlasObjectId) relation.getValue()).getUniqueAttributes().get("qualifiedName");
                    flat.put("rel:" + relation.getKey(), String.valueOf(target));
                }
            }
        }
        return flat;
    }
}
