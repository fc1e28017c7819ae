package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.PathDataset;
import java.net.URI;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the extractors of one execution share: how to complete names (current database, default file system), the
 * execution's time budget, and what they could not read. The session's current database and the default file
 * system are read only when a name needs them (most names in a plan are complete already), and never through a
 * lock: see {@link SessionDefaults}.
 */
final class CaptureContext {
  /** Plans larger than this are not walked further: bounded time on Spark's listener thread. */
  static final int MAX_NODES = 20_000;

  private final SessionDefaults session;
  private final long deadlineNanos;
  private String currentDatabase;
  private URI defaultFs;
  private final Set<String> unknownNodes = new LinkedHashSet<>();
  private final Map<String, String> gaps = new LinkedHashMap<>();
  private final Object queryExecution;
  private int nodesVisited;
  private boolean overBudget;
  private org.apache.hadoop.conf.Configuration hadoopConfiguration;

  /**
   * @param deadlineNanos when ({@link System#nanoTime()}) the time budget of this execution's capture runs out
   */
  CaptureContext(SessionDefaults session, long deadlineNanos) {
    this(session, deadlineNanos, null);
  }

  /** @param queryExecution the execution captured, for its physical plan; may be null */
  CaptureContext(SessionDefaults session, long deadlineNanos, Object queryExecution) {
    this.session = session;
    this.deadlineNanos = deadlineNanos;
    this.queryExecution = queryExecution;
  }

  /**
   * The execution's physical plan as it ran, or null when it was never planned. Read from the lazy value's field:
   * asking for it would plan the query here (and planning a Kafka read asks the brokers for offsets).
   */
  Object executedPlan() {
    return Reflect.field(queryExecution, "executedPlan");
  }

  String currentDatabase() {
    if (currentDatabase == null) {
      String database = session.currentDatabase();
      currentDatabase = database == null ? "default" : database;
    }
    return currentDatabase;
  }

  private URI defaultFs() {
    if (defaultFs == null) {
      String fs = session.defaultFileSystem();
      defaultFs = fs == null || fs.isEmpty() ? URI.create("file:///") : URI.create(fs);
    }
    return defaultFs;
  }

  /** False once the plan has been walked as far as the node limit or the time budget allows. */
  boolean visit() {
    return ++nodesVisited <= MAX_NODES && withinBudget();
  }

  /** False, from now on, once the time budget is spent. */
  boolean withinBudget() {
    if (!overBudget && System.nanoTime() - deadlineNanos > 0) {
      overBudget = true;
    }
    return !overBudget;
  }

  /** Whether the time budget ran out: what was found by then is kept, the rest is missing. */
  boolean overBudget() {
    return overBudget;
  }

  /** Whether the plan had more nodes than are walked. */
  boolean nodeLimitReached() {
    return nodesVisited > MAX_NODES;
  }

  void unknownNode(Object node) {
    unknownNodes.add(node.getClass().getName());
  }

  /** A source, sink or node known only by a class name the agent does not read. */
  void unknownName(String className) {
    unknownNodes.add(className);
  }

  /** The Hadoop configuration to qualify paths with on the agent thread; null on Spark's listener thread. */
  org.apache.hadoop.conf.Configuration hadoopConfiguration() {
    return hadoopConfiguration;
  }

  CaptureContext withHadoopConfiguration(org.apache.hadoop.conf.Configuration configuration) {
    this.hadoopConfiguration = configuration;
    return this;
  }

  Set<String> unknownNodes() {
    return unknownNodes;
  }

  /**
   * Something the plan does not say, which the lineage leaves out rather than guesses (the topics of a Kafka
   * pattern, the topics a Kafka sink takes from a column): reported once per key at WARN.
   *
   * @param message what is missing and why; never a value of the source's options
   */
  void gap(String key, String message) {
    gaps.putIfAbsent(key, message);
  }

  Map<String, String> gaps() {
    return gaps;
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
    URI fs = defaultFs();
    String authority = fs.getAuthority();
    return PathDataset.of(URI.create(fs.getScheme() + "://" + (authority == null ? "" : authority)
        + path.replace(" ", "%20")));
  }

  PathDataset path(URI uri, boolean local) {
    return uri.getScheme() != null ? PathDataset.of(uri) : path(uri.toString(), local);
  }
}
