package io.github.sparkatlas.capture;

/**
 * Batch writes of Spark's Kafka sink ({@code df.write.format("kafka")}): a {@code SaveIntoDataSourceCommand} over
 * Kafka's provider, or, with kafka taken off {@code spark.sql.sources.useV1SourceList}, an {@code AppendData} into
 * Kafka's table. The topic is the {@code topic} option, which overrides any column; else the {@code topic} column,
 * known only when the query sets it to a literal at its top. Any other column (topics taken from the data) is
 * reported once and left out: the plan does not say which topics the rows name.
 */
final class KafkaWrites {
  private static final String TOPIC_COLUMN = "topic";

  private KafkaWrites() {
  }

  static boolean isKafkaProvider(Object dataSource) {
    return dataSource != null
        && dataSource.getClass().getName().equals("org.apache.spark.sql.kafka010.KafkaSourceProvider");
  }

  /** A {@code SaveIntoDataSourceCommand} whose data source is Kafka's. */
  static Write save(Object command, CaptureContext context) {
    return write(KafkaOptions.ofAny(Reflect.get(command, "options")), Reflect.get(command, "query"), context);
  }

  /** A DSv2 write into Kafka's table: the table's options with the write's laid over them. */
  static Write append(Object command, Object relation, CaptureContext context) {
    KafkaOptions options = KafkaOptions.ofAny(Reflect.get(relation, "options"))
        .with(KafkaOptions.ofAny(Reflect.get(command, "writeOptions")));
    return write(options, Reflect.get(command, "query"), context);
  }

  private static Write write(KafkaOptions options, Object query, CaptureContext context) {
    String topic = options.sinkTopic();
    if (topic == null) {
      topic = literalTopicColumn(query);
    }
    if (topic == null) {
      context.gap("kafka-topic-column", "spark-atlas-agent: a batch write to Kafka takes its topics from the "
          + "data's topic column, which the plan does not fix to one value; the topics it wrote are missing from "
          + "the lineage (set the topic option, or the column to a literal, to have them; reported once)");
      return null;
    }
    return Write.of(options.topic(topic), query);
  }

  /** The value of the query's {@code topic} column when its top projection sets it to a string literal. */
  private static String literalTopicColumn(Object query) {
    Object node = query;
    // Through the nodes that keep their child's columns as they are.
    while (node != null && !"Project".equals(Reflect.simpleName(node))) {
      String name = Reflect.simpleName(node);
      if (!name.equals("SubqueryAlias") && !name.equals("Filter") && !name.equals("Sort")
          && !name.equals("Repartition") && !name.equals("RepartitionByExpression") && !name.equals("Limit")
          && !name.equals("GlobalLimit") && !name.equals("LocalLimit")) {
        return null;
      }
      node = Reflect.get(node, "child");
    }
    if (node == null) {
      return null;
    }
    for (Object expression : Reflect.elements(Reflect.get(node, "projectList"))) {
      if (TOPIC_COLUMN.equals(Reflect.get(expression, "name"))
          && "Alias".equals(Reflect.simpleName(expression))) {
        Object child = Reflect.get(expression, "child");
        Object value = "Literal".equals(Reflect.simpleName(child)) ? Reflect.get(child, "value") : null;
        return value == null ? null : value.toString();
      }
    }
    return null;
  }
}
