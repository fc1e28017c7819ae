package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sink of a streaming query: its {@code sink} table by class name, completed by the write node at the root of
 * the query's execution plan ({@code WriteToMicroBatchDataSource(V1)}), whose options carry the file sink's path
 * and the Kafka sink's topic, and whose catalog table or relation names a {@code toTable} target.
 */
final class StreamingSinks {
  /** Sinks that keep rows in the driver, print them or drop them: no dataset. */
  private static final Set<String> NO_DATASET = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "MemorySink", "ConsoleTable$", "NoopTable$", "ConsoleSink", "MemorySinkV2")));
  private static final String KAFKA_TABLE = "org.apache.spark.sql.kafka010.KafkaSourceProvider$KafkaTable";

  private StreamingSinks() {
  }

  /**
   * @param sink the query's {@code sink} ({@code StreamExecution.sink})
   * @param root the root of its execution plan, or null while that plan may not be read yet
   */
  static StreamingQueryReader.Sink read(Object sink, Object root, CaptureContext context) {
    String name = Reflect.simpleName(sink);
    if (NO_DATASET.contains(name)) {
      return StreamingQueryReader.Sink.none();
    }
    if ("ForeachBatchSink".equals(name)) {
      return StreamingQueryReader.Sink.ofForeachBatch();
    }
    if (root == null) {
      return null;
    }
    Map<String, String> options = Reflect.stringMap(Reflect.get(root, "writeOptions"));
    Object catalogTable = Reflect.option(Reflect.get(root, "catalogTable"));
    Object relation = Reflect.option(Reflect.get(root, "relation"));
    if (KAFKA_TABLE.equals(sink.getClass().getName())) {
      return kafka(options, root);
    }
    if (catalogTable != null) {
      return StreamingQueryReader.Sink.of(TableReader.catalogTable(catalogTable, context));
    }
    if (relation != null && Reflect.option(Reflect.get(relation, "identifier")) != null) {
      return StreamingQueryReader.Sink.of(DataSourceV2Inputs.relationTable(relation, context));
    }
    if (("FileStreamSink".equals(name) || "DeltaSink".equals(name)) && options.get("path") != null) {
      return StreamingQueryReader.Sink.of(StreamingRelationInputs.watchedPath(options.get("path"), context));
    }
    return StreamingQueryReader.Sink.unknown(sink.getClass().getName());
  }

  /**
   * A continuous query keeps its sink's options only in Kafka's writer ({@code KafkaStreamingWrite}), as fields of
   * its own: the topic and the producer's parameters, whose bootstrap servers name the cluster.
   */
  private static StreamingQueryReader.Sink continuousKafka(Object write) {
    Object topic = Reflect.option(declaredField(write, "topic"));
    Object producer = declaredField(write, "producerParams");
    if (!(topic instanceof String)) {
      return StreamingQueryReader.Sink.unknownTopic(topic == null && write != null
          && "KafkaStreamingWrite".equals(Reflect.simpleName(write)) ? "column" : "continuous");
    }
    Object servers = producer instanceof Map ? ((Map<?, ?>) producer).get("bootstrap.servers") : null;
    return StreamingQueryReader.Sink.of(
        io.github.sparkatlas.lineage.TopicDataset.of((String) topic, servers == null ? null : servers.toString()));
  }

  /** A field an object keeps to itself (a Scala constructor parameter used after construction); null if none. */
  private static Object declaredField(Object target, String name) {
    for (Class<?> type = target == null ? null : target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        java.lang.reflect.Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // Declared higher up, maybe.
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  private static StreamingQueryReader.Sink kafka(Map<String, String> options, Object root) {
    if ("WriteToContinuousDataSource".equals(Reflect.simpleName(root))) {
      return continuousKafka(Reflect.get(root, "write"));
    }
    KafkaOptions kafka = KafkaOptions.of(options);
    String topic = kafka.sinkTopic();
    if (topic == null) {
      return StreamingQueryReader.Sink.unknownTopic("column");
    }
    List<Dataset> outputs = Collections.<Dataset>singletonList(kafka.topic(topic));
    return StreamingQueryReader.Sink.of(outputs);
  }
}
