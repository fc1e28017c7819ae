/**
 * Code that runs next to Apache Atlas's own classes, in the isolated class loader of
 * {@code io.github.sparkatlas.atlasrules.AtlasClassLoader} (Atlas 2.4.0 with its own dependencies). Compiled against
 * Atlas's API; only JDK types cross the boundary (String, List, Set, Map, Boolean, Long and opaque handles), so
 * nothing here may be used from the test classpath directly: go through {@code AtlasTypeSystem} and
 * {@code AtlasHookDecoder}.
 */
package io.github.sparkatlas.atlasrules.inatlas;
