package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.TopicDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.SparkContext;

/**
 * Reads a running streaming query ({@code StreamExecution}): its sources, its sink and what its progress says it
 * read. Everything here but {@link #activeStreamExecution} and {@link #microBatchQueryId} runs on the agent
 * thread: those two are the only reads made on Spark's threads, a thread-local, a few fields and one lock-free map
 * look-up.
 */
public final class StreamingQueryReader {
  /** Time the agent thread gives itself to read one query's sources. */
  private static final long BUDGET_NANOS = 2_000_000_000L;

  private StreamingQueryReader() {
  }

  /**
   * The StreamExecution of a query that has just started, from the session's shared state (a ConcurrentHashMap
   * filled before the query's thread starts): no lock, unlike {@code StreamingQueryManager.get}. On the query's own
   * thread the active session is the one that started it; elsewhere the default session shares the same state.
   */
  public static Object activeStreamExecution(UUID queryId) {
    Object companion = sparkSessionCompanion();
    for (String accessor : new String[] {"getActiveSession", "getDefaultSession"}) {
      Object session = Reflect.option(Reflect.get(companion, accessor));
      Object queries = Reflect.get(Reflect.get(session, "sharedState"), "activeStreamingQueries");
      if (queries instanceof Map) {
        Object execution = ((Map<?, ?>) queries).get(queryId);
        if (execution != null) {
          return execution;
        }
      }
    }
    return null;
  }

  private static Object sparkSessionCompanion() {
    try {
      return Class.forName("org.apache.spark.sql.SparkSession$").getField("MODULE$").get(null);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /** The streaming query id of a micro-batch's (or epoch's) execution, by its class; null for any other. */
  public static String microBatchQueryId(Object queryExecution) {
    if (queryExecution == null || !"IncrementalExecution".equals(queryExecution.getClass().getSimpleName())) {
      return null;
    }
    Object id = Reflect.get(queryExecution, "queryId");
    return id == null ? null : id.toString();
  }

  /** Who runs the query: application id, name and user of its SparkContext. */
  public static String[] application(Object streamExecution) {
    SparkContext context = (SparkContext) Reflect.get(Reflect.get(streamExecution, "sparkSession"),
        "sparkContext");
    return new String[] {context.applicationId(), context.appName(), context.sparkUser()};
  }

  /** What a query's analyzed plan reads: fixed when the query was created, readable from any thread. */
  public static Sources sources(Object streamExecution) {
    CaptureContext context = context(streamExecution);
    StreamingRelationInputs streaming = new StreamingRelationInputs();
    List<InputExtractor> extractors = new ArrayList<>(LineageCapture.inputExtractors());
    extractors.add(streaming);
    InputCollector collector = new InputCollector(extractors, context);
    collector.walk(Reflect.get(streamExecution, "analyzedPlan"));
    List<Dataset> datasets = collector.collect();
    List<KafkaPattern> patterns = new ArrayList<>();
    for (StreamingRelationInputs.KafkaPattern pattern : streaming.patterns()) {
      patterns.add(new KafkaPattern(pattern.bootstrapServers, pattern.pattern));
    }
    return new Sources(datasets, patterns, context.unknownNodes());
  }

  /**
   * The query's sink. Its execution plan is built lazily on the query's own thread and must not be built anywhere
   * else: call this only once the query has reported progress (then the plan exists). Null when the sink needs
   * that plan and it cannot be read.
   */
  public static Sink sink(Object streamExecution) {
    CaptureContext context = context(streamExecution);
    Object sink = Reflect.get(streamExecution, "sink");
    Sink known = StreamingSinks.read(sink, null, context);
    if (known != null) {
      return known;
    }
    return StreamingSinks.read(sink, Reflect.get(streamExecution, "logicalPlan"), context);
  }

  /**
   * Whether the query's execution plan exists from its start: a continuous query builds it when it is created (and
   * reports no progress per epoch in Spark 3.5), a micro-batch query lazily on its own thread.
   */
  public static boolean planBuiltAtStart(Object streamExecution) {
    return streamExecution != null && "ContinuousExecution".equals(streamExecution.getClass().getSimpleName());
  }

  /** The query's sink when it can be read without the execution plan (foreachBatch, memory, console); else null. */
  public static Sink sinkWithoutPlan(Object streamExecution) {
    return StreamingSinks.read(Reflect.get(streamExecution, "sink"), null, context(streamExecution));
  }

  /** The StreamingQueryManager of the session that started the query. */
  public static Object queryManager(Object streamExecution) {
    return Reflect.get(Reflect.get(streamExecution, "sparkSession"), "streams");
  }

  private static CaptureContext context(Object streamExecution) {
    Object session = Reflect.get(streamExecution, "sparkSession");
    SparkContext spark = (SparkContext) Reflect.get(session, "sparkContext");
    return new CaptureContext(SessionDefaults.of(session, spark), System.nanoTime() + BUDGET_NANOS)
        .withHadoopConfiguration(spark.hadoopConfiguration());
  }

  /**
   * What one progress event says each source read: its description and the end offset (JSON) of the batch.
   * Progress objects are immutable, so they are read on the agent thread.
   */
  public static List<String[]> progressSources(Object progress) {
    List<String[]> out = new ArrayList<>();
    for (Object source : Reflect.elements(Reflect.get(progress, "sources"))) {
      out.add(new String[] {Reflect.string(Reflect.get(source, "description")),
          Reflect.string(Reflect.get(source, "endOffset"))});
    }
    return out;
  }

  /**
   * The topics of a Kafka offset ({@code {"topic":{"0":12}}}): the top-level keys of the JSON object. Nothing
   * else of the offset is kept.
   */
  public static Set<String> topicsOfOffset(String json) {
    Set<String> topics = new LinkedHashSet<>();
    if (json == null) {
      return topics;
    }
    int depth = 0;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      } else if (c == '"') {
        StringBuilder text = new StringBuilder();
        int j = i + 1;
        for (; j < json.length() && json.charAt(j) != '"'; j++) {
          if (json.charAt(j) == '\\' && j + 1 < json.length()) {
            j++;
          }
          text.append(json.charAt(j));
        }
        i = j;
        if (depth == 1 && nextNonBlank(json, j + 1) == ':') {
          topics.add(text.toString());
        }
      }
    }
    return topics;
  }

  private static char nextNonBlank(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return text.charAt(i);
      }
    }
    return 0;
  }

  /** A Kafka source that subscribes by pattern: the topics it read are named by its progress. */
  public static final class KafkaPattern {
    private final String bootstrapServers;
    private final String pattern;

    KafkaPattern(String bootstrapServers, String pattern) {
      this.bootstrapServers = bootstrapServers;
      this.pattern = pattern;
    }

    public String pattern() {
      return pattern;
    }

    /** Whether a progress source's description is this source's ({@code KafkaV2[SubscribePattern[p]]}). */
    public boolean describes(String description) {
      return description != null && description.contains("SubscribePattern[" + pattern + "]");
    }

    public TopicDataset topic(String name) {
      return TopicDataset.of(name, bootstrapServers);
    }
  }

  /** A query's sources: the datasets named by its plan, and the Kafka patterns whose topics progress names. */
  public static final class Sources {
    private final List<Dataset> datasets;
    private final List<KafkaPattern> patterns;
    private final Set<String> unknown;

    Sources(List<Dataset> datasets, List<KafkaPattern> patterns, Set<String> unknown) {
      this.datasets = Collections.unmodifiableList(datasets);
      this.patterns = Collections.unmodifiableList(patterns);
      this.unknown = Collections.unmodifiableSet(new LinkedHashSet<>(unknown));
    }

    public List<Dataset> datasets() {
      return datasets;
    }

    public List<KafkaPattern> patterns() {
      return patterns;
    }

    /** Class names of sources (or plan nodes) the agent does not read. */
    public Set<String> unknown() {
      return unknown;
    }
  }

  /** A query's sink: the datasets it writes, or why it names none. */
  public static final class Sink {
    private final List<Dataset> outputs;
    private final boolean foreachBatch;
    private final String unknown;
    private final String unknownTopic;

    private Sink(List<Dataset> outputs, boolean foreachBatch, String unknown, String unknownTopic) {
      this.outputs = Collections.unmodifiableList(new ArrayList<>(outputs));
      this.foreachBatch = foreachBatch;
      this.unknown = unknown;
      this.unknownTopic = unknownTopic;
    }

    static Sink of(Dataset output) {
      return of(Collections.singletonList(output));
    }

    static Sink of(List<Dataset> outputs) {
      return new Sink(outputs, false, null, null);
    }

    static Sink none() {
      return new Sink(Collections.<Dataset>emptyList(), false, null, null);
    }

    static Sink ofForeachBatch() {
      return new Sink(Collections.<Dataset>emptyList(), true, null, null);
    }

    static Sink unknown(String className) {
      return new Sink(Collections.<Dataset>emptyList(), false, className, null);
    }

    static Sink unknownTopic(String why) {
      return new Sink(Collections.<Dataset>emptyList(), false, null, why);
    }

    public List<Dataset> outputs() {
      return outputs;
    }

    /** Whether the query writes through foreachBatch: the writes its function makes are its outputs. */
    public boolean writesThroughForeachBatch() {
      return foreachBatch;
    }

    /** Class name of a sink the agent does not read; null otherwise. */
    public String unknown() {
      return unknown;
    }

    /**
     * A Kafka sink whose topic is not known: {@code column} (each row names its topic) or {@code continuous} (a
     * continuous query keeps the option where it is not read); null otherwise.
     */
    public String unknownTopic() {
      return unknownTopic;
    }
  }
}
