package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sources of a streaming query, as its analyzed plan names them: {@code StreamingRelation} (v1 sources: files,
 * Delta, tables of the session catalog) and {@code StreamingRelationV2} (Kafka, tables of v2 catalogs, rate, socket,
 * memory). The analyzed plan is fixed when the query is created, so reading it needs neither the query's thread nor
 * its (lazily built) execution plan. Kafka sources with {@code subscribePattern} name no topic here: their topics
 * are known from the offsets the query reports, so they are kept aside as {@link KafkaPattern}s.
 */
final class StreamingRelationInputs implements InputExtractor {
  /** Sources that read no dataset Atlas could name: generated rows, a socket, rows held by the driver. */
  private static final Set<String> NO_DATASET_PROVIDERS = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "org.apache.spark.sql.execution.streaming.sources.RateStreamProvider",
      "org.apache.spark.sql.execution.streaming.sources.RatePerMicroBatchProvider",
      "org.apache.spark.sql.execution.streaming.sources.TextSocketSourceProvider",
      "org.apache.spark.sql.execution.streaming.MemoryStreamTableProvider$",
      "org.apache.spark.sql.execution.streaming.sources.ContinuousMemoryStreamTableProvider$")));
  private static final Set<String> NO_DATASET_NAMES = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "rate", "rate-micro-batch", "socket", "memory")));
  private static final String KAFKA_PROVIDER = "org.apache.spark.sql.kafka010.KafkaSourceProvider";
  private static final String DELTA_PROVIDER = "org.apache.spark.sql.delta.sources.DeltaDataSource";
  private static final String FILE_FORMAT = "org.apache.spark.sql.execution.datasources.FileFormat";

  /** A Kafka source whose topics only its offsets tell: its cluster and its pattern. */
  static final class KafkaPattern {
    final String bootstrapServers;
    final String pattern;

    KafkaPattern(String bootstrapServers, String pattern) {
      this.bootstrapServers = bootstrapServers;
      this.pattern = pattern;
    }
  }

  private final List<KafkaPattern> patterns = new ArrayList<>();

  @Override
  public List<String> nodeNames() {
    return Arrays.asList("StreamingRelation", "StreamingRelationV2", "StreamingExecutionRelation",
        "StreamingDataSourceV2Relation");
  }

  List<KafkaPattern> patterns() {
    return patterns;
  }

  @Override
  public void extract(Object node, InputCollector inputs) {
    switch (Reflect.simpleName(node)) {
      case "StreamingRelation":
        v1Source(node, Reflect.get(node, "dataSource"), inputs);
        break;
      case "StreamingRelationV2":
        v2Source(node, inputs);
        break;
      default:
        // An analyzed plan holds these only when a source built them itself (a MemoryStream of older Spark).
        Object source = Reflect.getAny(node, "source", "stream");
        if (!isNoDataset(source == null ? null : source.getClass().getName(), null)) {
          inputs.unknown(source == null ? node : source);
        }
    }
  }

  private void v1Source(Object node, Object dataSource, InputCollector inputs) {
    Object catalogTable = Reflect.option(Reflect.get(dataSource, "catalogTable"));
    if (catalogTable != null) {
      inputs.add(TableReader.catalogTable(catalogTable, inputs.context()));
      return;
    }
    String className = Reflect.string(Reflect.get(dataSource, "className"));
    Object provider = Reflect.get(dataSource, "providingClass");
    String providerName = provider instanceof Class ? ((Class<?>) provider).getName() : className;
    if (isNoDataset(providerName, className)) {
      return;
    }
    Map<String, String> options = Reflect.stringMap(Reflect.get(dataSource, "options"));
    if (KAFKA_PROVIDER.equals(providerName)) {
      kafka(options, inputs);
      return;
    }
    boolean files = provider instanceof Class && implementsNamed((Class<?>) provider, FILE_FORMAT);
    if (files || DELTA_PROVIDER.equals(providerName) || "delta".equalsIgnoreCase(className)) {
      List<String> paths = new ArrayList<>(TableReader.strings(Reflect.get(dataSource, "paths")));
      String path = options.get("path");
      if (path != null && !paths.contains(path)) {
        paths.add(path);
      }
      for (String location : paths) {
        inputs.add(watchedPath(location, inputs.context()));
      }
      if (!paths.isEmpty()) {
        return;
      }
    }
    if (provider instanceof Class) {
      inputs.context().unknownName(providerName);
    } else {
      inputs.unknown(node);
    }
  }

  private void v2Source(Object node, InputCollector inputs) {
    Object provider = Reflect.option(Reflect.get(node, "source"));
    String providerName = provider == null ? null : provider.getClass().getName();
    String sourceName = Reflect.string(Reflect.get(node, "sourceName"));
    if (isNoDataset(providerName, sourceName)) {
      return;
    }
    if (KAFKA_PROVIDER.equals(providerName)) {
      kafka(Reflect.stringMap(Reflect.get(node, "extraOptions")), inputs);
      return;
    }
    Object identifier = Reflect.option(Reflect.get(node, "identifier"));
    if (identifier != null) {
      Object catalog = Reflect.option(Reflect.get(node, "catalog"));
      inputs.add(TableReader.v2Table(Reflect.string(Reflect.get(catalog, "name")), identifier,
          Reflect.get(node, "table"), inputs.context()));
      return;
    }
    Object v1 = Reflect.option(Reflect.get(node, "v1Relation"));
    if (v1 != null && "StreamingRelation".equals(Reflect.simpleName(v1))) {
      v1Source(v1, Reflect.get(v1, "dataSource"), inputs);
      return;
    }
    inputs.unknown(provider != null ? provider : Reflect.get(node, "table"));
  }

  private void kafka(Map<String, String> options, InputCollector inputs) {
    KafkaOptions kafka = KafkaOptions.of(options);
    for (String topic : kafka.namedTopics()) {
      inputs.add(kafka.topic(topic));
    }
    if (kafka.topicPattern() != null) {
      patterns.add(new KafkaPattern(kafka.bootstrapServers(), kafka.topicPattern()));
    }
  }

  /**
   * The directory a file source watches, qualified as Spark qualifies it (Hadoop's file system for the path,
   * relative paths against its working directory), falling back to the batch rule when the file system cannot be
   * reached: this runs on the agent thread, never on Spark's.
   */
  static PathDataset watchedPath(String location, CaptureContext context) {
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
      if (context.hadoopConfiguration() != null && path.toUri().getScheme() == null) {
        org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(context.hadoopConfiguration());
        return PathDataset.of(fs.makeQualified(path).toUri());
      }
      return context.path(path.toUri(), false);
    } catch (Exception e) {
      return context.path(location, false);
    }
  }

  private static boolean isNoDataset(String providerName, String sourceName) {
    return providerName != null && NO_DATASET_PROVIDERS.contains(providerName)
        || sourceName != null && NO_DATASET_NAMES.contains(sourceName.toLowerCase(java.util.Locale.ROOT));
  }

  private static boolean implementsNamed(Class<?> type, String interfaceName) {
    for (Class<?> current = type; current != null; current = current.getSuperclass()) {
      for (Class<?> implemented : current.getInterfaces()) {
        if (implemented.getName().equals(interfaceName) || implementsNamed(implemented, interfaceName)) {
          return true;
        }
      }
    }
    return false;
  }
}
