package io.github.sparkatlas.atlasrules;

import java.util.List;
import java.util.Map;

/**
 * Test support: the entities Atlas's own hooks make for a path ({@code AtlasPathExtractorUtil} of atlas-common, run in
 * {@link AtlasClassLoader} next to Atlas's other classes), as flat string maps; see
 * {@code atlasrules.inatlas.PathExtraction}.
 */
public final class AtlasPaths {
    private AtlasPaths() {
    }

    /** The path's own entity first, then the parents Atlas refers to. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, String>> extract(String path, String namespace) {
        return (List<Map<String, String>>) AtlasClassLoader.call("PathExtraction", "entities", path, namespace);
    }
}
