package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.PathDataset;
import java.net.URI;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the extractors of one execution share: how to complete names (current database, default file
 * system) and what they could not read. Built from values already in memory, never from a catalog call.
 */
final class CaptureContext {
  /** Plans larger than this are not walked further: bounded time on Spark's listener thread. */
  static final int MAX_NODES = 20_000;

  private final String currentDatabase;
  private final URI defaultFs;
  private final Set<String> unknownNodes = new LinkedHashSet<>();
  private int nodesVisited;

  CaptureContext(String currentDatabase, String defaultFs) {
    this.currentDatabase = currentDatabase == null ? "default" : currentDatabase;
    this.defaultFs = defaultFs == null || defaultFs.isEmpty() ? URI.create("file:///") : URI.create(defaultFs);
  }

  String currentDatabase() {
    return currentDatabase;
  }

  /** False once the plan has been walked as far as the budget allows. */
  boolean visit() {
    return ++nodesVisited <= MAX_NODES;
  }

  void unknownNode(Object node) {
    unknownNodes.add(node.getClass().getName());
  }

  Set<String> unknownNodes() {
    return unknownNodes;
  }

  /**
   * A path as Hadoop would resolve it, without touching any file system: scheme-less paths get the default
   * file system (or file: for LOCAL), relative ones the working directory.
   */
  PathDataset path(String location, boolean local) {
    URI uri = URI.create(location.replace(" ", "%20"));
    if (uri.getScheme() != null) {
      return PathDataset.of(uri);
    }
    if (local) {
      return PathDataset.of(Paths.get(uri.getPath()).toAbsolutePath().normalize().toUri());
    }
    String path = uri.getPath().startsWith("/") ? uri.getPath() : "/" + uri.getPath();
    String authority = defaultFs.getAuthority();
    return PathDataset.of(URI.create(defaultFs.getScheme() + "://" + (authority == null ? "" : authority)
        + path.replace(" ", "%20")));
  }

  PathDataset path(URI uri, boolean local) {
    return uri.getScheme() != null ? PathDataset.of(uri) : path(uri.toString(), local);
  }
}
