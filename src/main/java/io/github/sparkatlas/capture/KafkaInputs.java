package io.github.sparkatlas.capture;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Batch reads of Spark's Kafka source ({@code spark.read.format("kafka")}), in each form a plan may hold them: a
 * {@code LogicalRelation} over a {@code KafkaRelation} (Spark 3.5 lists kafka in
 * {@code spark.sql.sources.useV1SourceList}), a {@code DataSourceV2Relation} over Kafka's table (when a user takes
 * it off that list), and their physical scans inside a cached plan. The topics of {@code subscribe} and
 * {@code assign} are in the options; those of {@code subscribePattern} only in the offset ranges the scan was
 * planned with, which the physical plan holds once the query ran. Nothing here asks a broker: a pattern whose scan
 * is not in the plan (the read ran inside a command, as a Kafka write does) is reported once and left out.
 */
final class KafkaInputs implements InputExtractor {
  private static final String PACKAGE = "org.apache.spark.sql.kafka010.";
  /** Physical plans are walked this far looking for a pattern's scan. */
  private static final int MAX_PHYSICAL_NODES = 10_000;
  /** RDDs between a scan and Kafka's own RDD: a handful of row conversions. */
  private static final int MAX_RDD_DEPTH = 32;

  @Override
  public List<String> nodeNames() {
    return Arrays.asList("RowDataSourceScanExec");
  }

  /** A V1 scan inside a physical plan (a cached Kafka read): Kafka's own, or one this agent does not read. */
  @Override
  public void extract(Object node, InputCollector inputs) {
    Object relation = Reflect.get(node, "relation");
    if (JdbcRelations.isRelation(relation)) {
      // A cached JDBC read's scan.
      JdbcRelations.addReads(relation, inputs);
      return;
    }
    if (!isKafkaRelation(relation)) {
      inputs.unknown(relation == null ? node : relation);
      return;
    }
    KafkaOptions options = KafkaOptions.ofAny(Reflect.field(relation, "sourceOptions"));
    addTopics(options, inputs, () -> topicsOfRdd(Reflect.get(node, "rdd")));
  }

  static boolean isKafkaRelation(Object relation) {
    return relation != null && relation.getClass().getName().equals(PACKAGE + "KafkaRelation");
  }

  static boolean isKafkaTable(Object table) {
    return table != null && table.getClass().getName().equals(PACKAGE + "KafkaSourceProvider$KafkaTable");
  }

  /** A {@code LogicalRelation}'s KafkaRelation. */
  static void addRelation(Object relation, InputCollector inputs) {
    KafkaOptions options = KafkaOptions.ofAny(Reflect.field(relation, "sourceOptions"));
    addTopics(options, inputs, () -> topicsOfV1Scan(relation, inputs.context()));
  }

  /** A {@code DataSourceV2Relation} (or its ScanRelation's relation) over Kafka's table. */
  static void addV2Relation(Object relation, InputCollector inputs) {
    Object table = Reflect.get(relation, "table");
    KafkaOptions options = KafkaOptions.ofAny(Reflect.get(relation, "options"));
    addTopics(options, inputs, () -> topicsOfV2Scan(table, inputs.context()));
  }

  /** A {@code BatchScanExec} of Kafka's table, inside a cached plan. */
  static void addV2Scan(Object batchScan, InputCollector inputs) {
    KafkaOptions options = KafkaOptions.ofAny(Reflect.field(Reflect.get(batchScan, "scan"), "options"));
    addTopics(options, inputs, () -> topicsOfPartitions(Reflect.field(batchScan, "inputPartitions")));
  }

  private interface TopicsRead {
    /** The topics the scan was planned with; null when the plan does not hold them. */
    Set<String> find();
  }

  private static void addTopics(KafkaOptions options, InputCollector inputs, TopicsRead patternTopics) {
    for (String topic : options.namedTopics()) {
      inputs.add(options.topic(topic));
    }
    if (options.topicPattern() == null) {
      return;
    }
    Set<String> read = patternTopics.find();
    if (read == null) {
      inputs.context().gap("kafka-pattern", "spark-atlas-agent: a batch Kafka read with subscribePattern ran "
          + "where its plan does not show the topics it read (inside a command, such as a write to Kafka or a "
          + "CREATE TABLE AS SELECT); those topics are missing from the lineage, never guessed from the pattern "
          + "(reported once)");
      return;
    }
    for (String topic : read) {
      inputs.add(options.topic(topic));
    }
  }

  private static Set<String> topicsOfV1Scan(Object relation, CaptureContext context) {
    Object scan = findScan(context, "RowDataSourceScanExec", "relation", relation);
    return scan == null ? null : topicsOfRdd(Reflect.get(scan, "rdd"));
  }

  private static Set<String> topicsOfV2Scan(Object table, CaptureContext context) {
    Object scan = findScan(context, "BatchScanExec", "table", table);
    return scan == null ? null : topicsOfPartitions(Reflect.field(scan, "inputPartitions"));
  }

  /**
   * The node of the executed plan of the given class whose {@code member} is {@code owner} itself; null when there is
   * none, or when the node limit or the time budget stops the search first.
   */
  private static Object findScan(CaptureContext context, String scanClass, String member, Object owner) {
    Deque<Object> pending = new ArrayDeque<>();
    Object plan = context.executedPlan();
    if (plan != null) {
      pending.push(plan);
    }
    for (int seen = 0; !pending.isEmpty() && seen < MAX_PHYSICAL_NODES && context.withinBudget(); seen++) {
      Object node = pending.pop();
      String name = Reflect.simpleName(node);
      if (name.equals(scanClass) && Reflect.get(node, member) == owner) {
        return node;
      }
      if (name.equals("AdaptiveSparkPlanExec")) {
        pending.push(Reflect.get(node, "executedPlan"));
      } else if (name.endsWith("QueryStageExec")) {
        pending.push(Reflect.get(node, "plan"));
      }
      for (Object child : Reflect.elements(Reflect.get(node, "children"))) {
        pending.push(child);
      }
    }
    return null;
  }

  /** Follows the row conversions over Kafka's RDD down to it, and reads the offset ranges it was made with. */
  private static Set<String> topicsOfRdd(Object rdd) {
    Object current = rdd;
    for (int depth = 0; current != null && depth < MAX_RDD_DEPTH; depth++) {
      if (current.getClass().getName().equals(PACKAGE + "KafkaSourceRDD")) {
        Set<String> topics = new LinkedHashSet<>();
        for (Object range : Reflect.elements(Reflect.field(current, "offsetRanges"))) {
          addTopic(topics, Reflect.get(range, "topic"));
        }
        return topics;
      }
      Object parent = Reflect.get(current, "prev");
      current = parent != null ? parent : Reflect.get(current, "sqlRDD");
    }
    return null;
  }

  private static Set<String> topicsOfPartitions(Object partitions) {
    if (partitions == null) {
      return null;
    }
    Set<String> topics = new LinkedHashSet<>();
    for (Object partition : Reflect.elements(partitions)) {
      addTopic(topics, Reflect.get(Reflect.get(partition, "offsetRange"), "topic"));
    }
    return topics;
  }

  private static void addTopic(Set<String> topics, Object topic) {
    if (topic instanceof String) {
      topics.add((String) topic);
    }
  }
}
