package io.github.sparkatlas;

import io.github.sparkatlas.capture.StreamingQueryReader;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Lineage of streaming queries. Spark's threads only note what happened (a query started, reported progress,
 * ended, or its foreachBatch function wrote) and hand it over as an {@link AgentTask}; the agent thread reads the
 * query's sources and sink and keeps, per query, what it has read and written so far. A record is emitted only when
 * that changes: a query that runs 100,000 micro-batches over the same sources and sink yields one record, and one
 * more per topic that starts matching its pattern or per new foreachBatch output.
 */
final class StreamingLineage {
  /** Runs followed at once (each holds its StreamExecution until it ends and its lineage is handled). */
  static final int MAX_RUNS = 256;
  /** Streaming queries remembered on the agent thread, least recently active forgotten first. */
  static final int MAX_QUERIES = 1_000;
  /** Datasets kept per query and side; beyond it further ones are left out, said once at WARN. */
  static final int MAX_DATASETS_PER_QUERY = 1_000;
  static final String OPERATION = "StreamingQuery";

  private final Predicate<AgentTask> submit;
  private final ErrorReporter errors;
  /**
   * By runId: written on Spark's threads, read on the agent thread. Ended runs stay as small tombstones (without
   * their StreamExecution) until the bound needs their room.
   */
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  /** By query id, on the agent thread only. */
  private final Map<String, QueryState> queries = new LinkedHashMap<String, QueryState>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, QueryState> eldest) {
      return size() > MAX_QUERIES;
    }
  };

  StreamingLineage(Predicate<AgentTask> submit, ErrorReporter errors) {
    this.submit = submit;
    this.errors = errors;
  }

  /** One run of a query: from its start (or a restart from its checkpoint) to its end. */
  private static final class Run {
    final String queryId;
    final String runId;
    volatile Object execution;
    final AtomicReference<Object> pendingProgress = new AtomicReference<>();
    volatile Object lastProgress;
    final AtomicBoolean ended = new AtomicBoolean();
    /** Agent thread only: whether the sink has been read. */
    boolean sinkRead;

    Run(String queryId, String runId, Object execution) {
      this.queryId = queryId;
      this.runId = runId;
      this.execution = execution;
    }
  }

  /** What the agent knows about one streaming query, across its runs. */
  private static final class QueryState {
    final String queryId;
    String applicationId;
    String applicationName;
    String user;
    final Set<Dataset> sources = new LinkedHashSet<>();
    final List<StreamingQueryReader.KafkaPattern> patterns = new ArrayList<>();
    final Set<Dataset> sinkOutputs = new LinkedHashSet<>();
    final Set<Dataset> batchInputs = new LinkedHashSet<>();
    final Set<Dataset> batchOutputs = new LinkedHashSet<>();
    Set<String> emitted;

    QueryState(String queryId) {
      this.queryId = queryId;
    }
  }

  // ---- Spark's threads: a few field reads and at most one queue offer each ----

  /**
   * A query started. On the query's own thread (our StreamingQueryListener) the StreamExecution is certainly still
   * registered; from Spark's listener thread (our SparkListener) it may already be gone for a short query.
   *
   * @return the query's StreamExecution, or null when it is not followed
   */
  Object started(UUID queryId, UUID runId) {
    String run = runId.toString();
    Run known = runs.get(run);
    if (known != null) {
      return known.execution;
    }
    if (runs.size() >= MAX_RUNS) {
      runs.values().removeIf(ended -> ended.ended.get() && ended.execution == null);
    }
    if (runs.size() >= MAX_RUNS) {
      errors.warnOnce("streaming-runs", "spark-atlas-agent follows at most " + MAX_RUNS + " running streaming "
          + "queries at once; the lineage of further ones is not captured (reported once)");
      return null;
    }
    Object execution = StreamingQueryReader.activeStreamExecution(queryId);
    if (execution == null) {
      errors.warnOnce("streaming-gone:" + queryId, "spark-atlas-agent: streaming query " + queryId + " had ended "
          + "before its start could be read; its lineage is not captured. Configure "
          + "spark.sql.streaming.streamingQueryListeners=" + SparkAtlasStreamingListener.class.getName()
          + " to read every query as it starts");
      return null;
    }
    Run fresh = new Run(queryId.toString(), run, execution);
    if (runs.putIfAbsent(run, fresh) == null && !submit.test(lineage -> onStarted(fresh, lineage))) {
      runs.remove(run);
    }
    return execution;
  }

  /** A query reported progress: the newest progress waits for the agent thread, one task at most per run. */
  void progress(UUID queryId, UUID runId, Object progress) {
    Run run = runs.get(runId.toString());
    if (run == null) {
      started(queryId, runId);
      run = runs.get(runId.toString());
    }
    if (run == null || run.lastProgress == progress || run.ended.get()) {
      return;
    }
    run.lastProgress = progress;
    Run current = run;
    if (run.pendingProgress.getAndSet(progress) == null
        && !submit.test(lineage -> onProgress(current, lineage))) {
      run.pendingProgress.compareAndSet(progress, null);
    }
  }

  /** A query ended (stopped or failed): what its last progress said is handled, then the query is let go. */
  void terminated(UUID runId) {
    Run run = runs.get(runId.toString());
    if (run == null || !run.ended.compareAndSet(false, true)) {
      return;
    }
    if (!submit.test(lineage -> onTerminated(run, lineage))) {
      run.execution = null;
    }
  }

  /** A write made by a query's foreachBatch function (its record tagged with the query's id). */
  void batchWrite(QueryLineage write) {
    // The plan is not held: a task is not counted among the plans waiting to be rendered, and plan text is
    // optional for streaming queries.
    QueryLineage withoutPlan = write.withPlanText(null);
    submit.test(lineage -> onBatchWrite(withoutPlan, lineage));
  }

  /** StreamExecutions held now: those of runs that have not ended, or whose end is not handled yet. */
  int executionsHeld() {
    int held = 0;
    for (Run run : runs.values()) {
      held += run.execution == null ? 0 : 1;
    }
    return held;
  }

  // ---- the agent thread ----

  private void onStarted(Run run, Consumer<QueryLineage> lineage) {
    Object execution = run.execution;
    if (execution == null) {
      return;
    }
    QueryState state = state(run.queryId);
    String[] application = StreamingQueryReader.application(execution);
    state.applicationId = application[0];
    state.applicationName = application[1];
    state.user = application[2];
    StreamingQueryReader.Sources sources = StreamingQueryReader.sources(execution);
    addAll(state, state.sources, sources.datasets());
    for (StreamingQueryReader.KafkaPattern pattern : sources.patterns()) {
      if (state.patterns.stream().noneMatch(known -> known.pattern().equals(pattern.pattern()))) {
        state.patterns.add(pattern);
      }
    }
    for (String unknown : sources.unknown()) {
      errors.warnOnce("streaming-source:" + unknown, "spark-atlas-agent does not know streaming source " + unknown
          + "; what it reads is missing from the lineage (reported once per source type)");
    }
    boolean continuous = StreamingQueryReader.planBuiltAtStart(execution);
    if (continuous && !sources.patterns().isEmpty()) {
      errors.warnOnce("streaming-continuous-pattern", "spark-atlas-agent: a continuous streaming query subscribes "
          + "to Kafka by pattern; continuous queries report no progress, so the topics it reads are not known and "
          + "are missing from the lineage (reported once)");
    }
    readSink(run, state, continuous);
    emitIfChanged(state, lineage);
  }

  private void onProgress(Run run, Consumer<QueryLineage> lineage) {
    Object progress = run.pendingProgress.getAndSet(null);
    Object execution = run.execution;
    if (progress == null || execution == null) {
      return;
    }
    QueryState state = state(run.queryId);
    // A progress event is posted once the query's execution plan exists, so its sink can be read now.
    readSink(run, state, true);
    if (!state.patterns.isEmpty()) {
      for (String[] source : StreamingQueryReader.progressSources(progress)) {
        StreamingQueryReader.KafkaPattern pattern = patternOf(state, source[0]);
        if (pattern != null) {
          List<Dataset> topics = new ArrayList<>();
          for (String topic : StreamingQueryReader.topicsOfOffset(source[1])) {
            topics.add(pattern.topic(topic));
          }
          addAll(state, state.sources, topics);
        }
      }
    }
    emitIfChanged(state, lineage);
  }

  private void onTerminated(Run run, Consumer<QueryLineage> lineage) {
    try {
      onProgress(run, lineage);
    } finally {
      // The run stays known, without its StreamExecution, so that the same events arriving late through our other
      // listener are recognised as seen; ended runs are dropped first when the bound is reached.
      run.execution = null;
    }
  }

  private void onBatchWrite(QueryLineage write, Consumer<QueryLineage> lineage) {
    QueryState state = queries.get(write.streamingQueryId());
    if (state == null) {
      // A query whose start the agent did not see: its write is still lineage, with what it names itself.
      lineage.accept(write);
      return;
    }
    if (state.applicationId == null) {
      state.applicationId = write.applicationId();
      state.applicationName = write.applicationName();
      state.user = write.user();
    }
    addAll(state, state.batchInputs, write.inputs());
    addAll(state, state.batchOutputs, write.outputs());
    emitIfChanged(state, lineage);
  }

  private void readSink(Run run, QueryState state, boolean planBuilt) {
    if (run.sinkRead) {
      return;
    }
    StreamingQueryReader.Sink sink;
    try {
      sink = planBuilt ? StreamingQueryReader.sink(run.execution)
          : StreamingQueryReader.sinkWithoutPlan(run.execution);
    } catch (Throwable t) {
      // Read once per run, not again at every progress: a sink that cannot be read is one error, not thousands.
      run.sinkRead = true;
      errors.internalError("reading a streaming query's sink", t);
      return;
    }
    if (sink == null) {
      return;
    }
    run.sinkRead = true;
    addAll(state, state.sinkOutputs, sink.outputs());
    if (sink.unknown() != null) {
      errors.warnOnce("streaming-sink:" + sink.unknown(), "spark-atlas-agent does not know streaming sink "
          + sink.unknown() + "; what it writes is missing from the lineage (reported once per sink type)");
    }
    if ("column".equals(sink.unknownTopic())) {
      errors.warnOnce("streaming-kafka-topic-column", "spark-atlas-agent: a streaming query writes to Kafka with "
          + "the topic in each row's topic column; which topics it writes is not known, so they are missing from "
          + "the lineage (reported once)");
    } else if (sink.unknownTopic() != null) {
      errors.warnOnce("streaming-kafka-topic-continuous", "spark-atlas-agent: a continuous streaming query writes "
          + "to Kafka through a writer the agent cannot read; its topic is missing from the lineage (reported once)");
    }
  }

  private static StreamingQueryReader.KafkaPattern patternOf(QueryState state, String description) {
    for (StreamingQueryReader.KafkaPattern pattern : state.patterns) {
      if (pattern.describes(description)) {
        return pattern;
      }
    }
    return null;
  }

  private QueryState state(String queryId) {
    QueryState state = queries.get(queryId);
    if (state == null) {
      state = new QueryState(queryId);
      queries.put(queryId, state);
    }
    return state;
  }

  private void addAll(QueryState state, Set<Dataset> into, List<Dataset> datasets) {
    for (Dataset dataset : datasets) {
      if (into.size() >= MAX_DATASETS_PER_QUERY && !into.contains(dataset)) {
        errors.warnOnce("streaming-datasets:" + state.queryId, "spark-atlas-agent: streaming query "
            + state.queryId + " has read or written more than " + MAX_DATASETS_PER_QUERY + " datasets on one side; "
            + "further ones are left out of its lineage (reported once)");
        return;
      }
      into.add(dataset);
    }
  }

  /** Emits the query's lineage when it writes something and differs from what was emitted last. */
  private void emitIfChanged(QueryState state, Consumer<QueryLineage> lineage) {
    Set<Dataset> outputs = new LinkedHashSet<>(state.sinkOutputs);
    outputs.addAll(state.batchOutputs);
    if (outputs.isEmpty() || state.applicationId == null) {
      return;
    }
    Set<Dataset> inputs = new LinkedHashSet<>(state.sources);
    inputs.addAll(state.batchInputs);
    Set<String> signature = new LinkedHashSet<>();
    for (Dataset input : inputs) {
      signature.add("in:" + input.key());
    }
    for (Dataset output : outputs) {
      signature.add("out:" + output.key());
    }
    if (signature.equals(state.emitted)) {
      return;
    }
    state.emitted = signature;
    lineage.accept(new QueryLineage(state.applicationId, state.applicationName, -1L, OPERATION, state.user,
        System.currentTimeMillis(), new ArrayList<>(inputs), new ArrayList<>(outputs), null)
        .withStreamingQuery(state.queryId));
  }
}
