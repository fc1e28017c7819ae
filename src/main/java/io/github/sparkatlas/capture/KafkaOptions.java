package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.TopicDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the options of Spark's Kafka source and sink ({@code spark-sql-kafka-0-10}) say about topics, read the
 * same way for batch and streaming plans. Option names are case-insensitive in Spark; the values are used as given.
 * Only names are read here: credentials among the options ({@code kafka.sasl.jaas.config}, passwords) are never
 * copied anywhere.
 */
final class KafkaOptions {
  static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
  private static final Pattern ASSIGN_TOPIC = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\\[");

  private final Map<String, String> lowerCased;

  private KafkaOptions(Map<String, String> lowerCased) {
    this.lowerCased = lowerCased;
  }

  /** @param options the source's or sink's options, any key case */
  static KafkaOptions of(Map<String, String> options) {
    Map<String, String> lower = new java.util.HashMap<>();
    for (Map.Entry<String, String> option : options.entrySet()) {
      if (option.getKey() != null) {
        lower.put(option.getKey().toLowerCase(Locale.ROOT), option.getValue());
      }
    }
    return new KafkaOptions(lower);
  }

  /**
   * @param options a Scala map (a relation's or command's options, {@code CaseInsensitiveMap} included) or a Java
   *                map ({@code CaseInsensitiveStringMap}); entries whose key or value is not a string are skipped
   */
  static KafkaOptions ofAny(Object options) {
    Map<String, String> strings = new java.util.HashMap<>();
    if (options instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) options).entrySet()) {
        put(strings, entry.getKey(), entry.getValue());
      }
    } else {
      for (Object entry : Reflect.elements(options)) {
        put(strings, Reflect.get(entry, "_1"), Reflect.get(entry, "_2"));
      }
    }
    return of(strings);
  }

  private static void put(Map<String, String> into, Object key, Object value) {
    if (key instanceof String && value instanceof String) {
      into.put((String) key, (String) value);
    }
  }

  /** The same options with {@code more} laid over them (a DSv2 write's write options over its table's). */
  KafkaOptions with(KafkaOptions more) {
    Map<String, String> merged = new java.util.HashMap<>(lowerCased);
    merged.putAll(more.lowerCased);
    return new KafkaOptions(merged);
  }

  /** The cluster's bootstrap servers as the job gave them; null when absent. */
  String bootstrapServers() {
    return lowerCased.get(BOOTSTRAP_SERVERS);
  }

  /**
   * The topics named by {@code subscribe} (comma-separated) or {@code assign} (JSON {@code {"topic":[0,1]}});
   * empty for {@code subscribePattern}, whose topics are known only from what the query read.
   */
  List<String> namedTopics() {
    Set<String> topics = new LinkedHashSet<>();
    String subscribe = lowerCased.get("subscribe");
    if (subscribe != null) {
      for (String topic : subscribe.split(",")) {
        if (!topic.trim().isEmpty()) {
          topics.add(topic.trim());
        }
      }
    }
    String assign = lowerCased.get("assign");
    if (assign != null) {
      Matcher matcher = ASSIGN_TOPIC.matcher(assign);
      while (matcher.find()) {
        topics.add(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(topics));
  }

  /** The {@code subscribePattern} option; null when the topics are named. */
  String topicPattern() {
    return lowerCased.get("subscribepattern");
  }

  /** The sink's {@code topic} option; null when every row names its topic in a {@code topic} column. */
  String sinkTopic() {
    return lowerCased.get("topic");
  }

  /** A topic of this source's or sink's cluster. */
  TopicDataset topic(String name) {
    return TopicDataset.of(name, bootstrapServers());
  }
}
