package io.github.sparkatlas;

import io.github.sparkatlas.capture.CaptureWarmUp;
import io.github.sparkatlas.capture.CatalogEvents;
import io.github.sparkatlas.capture.ExecutionTracker;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.capture.SparkInternals;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.config.ConfigException;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.delivery.spool.SpoolSettings;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.model.DatabricksMounts;
import io.github.sparkatlas.model.KafkaNamespaces;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.NamingMode;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The one agent of this JVM, shared by every listener instance Spark creates (one per configuration setting):
 * configuration, capture and the pipeline live here once, so no event is reported twice.
 */
public final class AtlasAgent {
  static final Logger LOG = LoggerFactory.getLogger(AtlasAgent.class);
  private static final AtlasAgent DISABLED = new AtlasAgent(null, null, null, new ErrorReporter(LOG), null);
  private static AtlasAgent instance;

  private final AgentConfig config;
  private final LineageCapture capture;
  private final ExecutionTracker executions;
  private final StreamingLineage streaming;
  private final LineagePipeline pipeline;
  /** One reporter for the listener side and the agent thread, so the summary counts every internal error. */
  private final ErrorReporter errors;
  /**
   * Where the Kafka sink keeps what is not acknowledged yet (the configured directory, or the fallback once the
   * sink has refused it); null for the file sink.
   */
  private final AtomicReference<Path> spoolDir;
  /** Set once, when internal errors pile up: the agent stops capturing for the rest of the application. */
  private volatile boolean switchedOff;
  private volatile boolean applicationEnded;
  /** Events Spark dropped from the agent's listener queue, as read at application end. */
  private volatile long listenerEventsDropped;
  /** Counted down when application end has flushed and logged its summary. */
  private final CountDownLatch applicationEndDone = new CountDownLatch(1);
  /**
   * Whether the shutdown hook runs after Spark's has stopped the SparkContext; if not, it runs beside it and must
   * wait for application end itself.
   */
  private volatile boolean shutdownAfterSparkContext;
  private final LatencyRecorder startCallbacks = new LatencyRecorder();
  private final LatencyRecorder endCallbacks = new LatencyRecorder();
  /** SparkContexts known to have one of our SparkListeners; weak so a stopped context is not pinned. */
  private final Set<SparkContext> listenedContexts = Collections.newSetFromMap(new WeakHashMap<SparkContext, Boolean>());
  /** Sessions' StreamingQueryManagers known to have our StreamingQueryListener; weak, like the contexts. */
  private final Set<Object> streamingManagers = Collections.newSetFromMap(new WeakHashMap<Object, Boolean>());

  /**
   * Package-private, not private, for the fault-containment test only: it builds an agent on a sink of its own to
   * make application end fail, which no configuration can. Production code goes through {@link #get}.
   */
  AtlasAgent(AgentConfig config, LineageCapture capture, LineagePipeline pipeline, ErrorReporter errors,
      AtomicReference<Path> spoolDir) {
    this.config = config;
    this.spoolDir = spoolDir;
    this.errors = errors;
    this.capture = capture;
    this.pipeline = pipeline;
    this.streaming = pipeline == null ? null : new StreamingLineage(pipeline::submit, errors);
    this.executions = capture == null ? null : new ExecutionTracker(capture, this::submitCaptured,
        change -> pipeline.submit(change));
  }

  /** A write of a streaming query's foreachBatch function joins that query's lineage; any other goes as it is. */
  private void submitCaptured(io.github.sparkatlas.lineage.QueryLineage lineage) {
    if (lineage.streamingQueryId() != null) {
      streaming.batchWrite(lineage);
    } else {
      pipeline.submit(lineage);
    }
  }

  /**
   * The agent of this JVM, started on first use from the given Spark conf (or the system properties Spark
   * sets). Never throws: any start-up problem yields a disabled agent and one clear log line.
   */
  public static synchronized AtlasAgent get(SparkConf sparkConf) {
    if (instance == null) {
      instance = start(sparkConf);
    }
    return instance;
  }

  private static AtlasAgent start(SparkConf sparkConf) {
    // What a start-up error is masked with: the user's rules as soon as they are known.
    Redactor errorRedactor = Redactor.defaults();
    try {
      SparkConf conf = sparkConf != null ? sparkConf : new SparkConf();
      Map<String, String> entries = new HashMap<>();
      for (Tuple2<String, String> entry : conf.getAll()) {
        entries.put(entry._1(), entry._2());
      }
      errorRedactor = Redactor.forConfigErrors(entries, entries.get("spark.atlas.spark.redaction.regex"));
      AgentConfig config = ConfigLoader.forThisJvm().load(entries);
      if (!config.enabled()) {
        LOG.info("spark-atlas-agent is switched off ({}=false)", AgentConfigDef.ENABLED.name());
        return DISABLED;
      }
      Redactor redactor = Redactor.fromSparkConf(entries, config.get(AgentConfigDef.REDACTION_REGEX));
      errorRedactor = redactor;
      AtlasAgent[] self = new AtlasAgent[1];
      ErrorReporter errors = new ErrorReporter(LOG, redactor, config.get(AgentConfigDef.INTERNAL_ERRORS_MAX),
          () -> {
            if (self[0] != null) {
              self[0].switchedOff = true;
            }
          });
      Path configuredSpoolDir = AgentConfigDef.CLIENT_KAFKA.equals(config.clientType())
          ? config.spoolDir(entries.get("spark.local.dir"), System.getProperty("java.io.tmpdir"),
              System.getProperty("user.name"))
          : null;
      AtomicReference<Path> spoolDir = new AtomicReference<>(configuredSpoolDir);
      AtlasAgent agent = new AtlasAgent(config,
          new LineageCapture(config.get(AgentConfigDef.PLAN_TEXT_MAX_LENGTH),
              config.get(AgentConfigDef.CAPTURE_BUDGET_MS)),
          pipeline(config, redactor, spoolDir, errors), errors, spoolDir);
      self[0] = agent;
      warmUpCapture();
      LOG.info(redactor.redact(config.describe(AgentVersion.get()))
          + (configuredSpoolDir == null ? "" : ", spool=" + configuredSpoolDir));
      if (config.usesEmbeddedDefault()) {
        LOG.warn("spark-atlas-agent: no Kafka configured (atlas.kafka.bootstrap.servers), so lineage is written to "
            + "files in {} (offline mode); configure atlas.kafka.* to publish to Atlas or Purview",
            config.fileSinkDir());
      }
      agent.shutdownAfterSparkContext = AgentShutdownHook.register(agent::shutdown, AgentShutdownHook.SPARK_MANAGER);
      return agent;
    } catch (ConfigException | IllegalArgumentException e) {
      // A value put under the wrong key can be a password: the message quotes it, so it is masked too.
      LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: {}",
          safe(errorRedactor, e.getMessage()));
    } catch (Throwable t) {
      LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: could not start ({})",
          safe(errorRedactor, t.toString()));
    }
    return DISABLED;
  }

  /**
   * The first captures of an application would load the capture's classes and look up Spark's members on Spark's
   * listener thread; a short-lived thread of ours does it instead, while the application starts.
   */
  private static void warmUpCapture() {
    Thread warmUp = new Thread(CaptureWarmUp::run, "spark-atlas-agent-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  private static String safe(Redactor redactor, String text) {
    try {
      return redactor.redact(text);
    } catch (Throwable t) {
      // Without a working redactor, better no detail than a leaked one.
      return "(details withheld)";
    }
  }

  private static LineagePipeline pipeline(AgentConfig config, Redactor redactor, AtomicReference<Path> spoolDir,
      ErrorReporter errors) {
    return new LineagePipeline(config.get(AgentConfigDef.QUEUE_CAPACITY), () -> sink(config, redactor, spoolDir),
        new Naming(config.namespace(), KafkaNamespaces.of(config.kafkaNamespaces()),
            NamingMode.ofSetting(config.get(AgentConfigDef.NAMING_MODE)))
            .withMounts(DatabricksMounts.parse(config.get(AgentConfigDef.DATABRICKS_MOUNTS)))
            .withHiveTables(AgentConfigDef.HIVE_TABLE_TYPE_HIVE.equals(config.get(AgentConfigDef.HIVE_TABLE_TYPE))),
        redactor,
        new PlanTexts(redactor, config.get(AgentConfigDef.PLAN_TEXT_MAX_LENGTH),
            config.get(AgentConfigDef.CAPTURE_BUDGET_MS), errors),
        errors, AgentConfigDef.GRANULARITY_QUERY.equals(config.get(AgentConfigDef.PROCESS_GRANULARITY)),
        config.get(AgentConfigDef.PROCESS_UPDATE_INTERVAL_MS));
  }

  /** An encoder for the agent's settings: what the sinks and the replay command wrap notifications with. */
  public static NotificationEncoder encoder(AgentConfig config) {
    return NotificationEncoder.of(config);
  }

  private static Sink sink(AgentConfig config, Redactor redactor, AtomicReference<Path> spoolDir) {
    if (AgentConfigDef.CLIENT_KAFKA.equals(config.clientType())) {
      try {
        KafkaSink sink = KafkaSink.open(ProducerSettings.of(config.kafkaProperties(),
            config.get(AgentConfigDef.MESSAGE_MAX_LENGTH)), config.topic(), encoder(config), redactor,
            spoolSettings(config, spoolDir.get()));
        spoolDir.set(sink.spoolBase());
        return sink;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot use the spool directory " + spoolDir.get() + " (" + e.getMessage()
            + "); set " + AgentConfigDef.SPOOL_DIR.name() + " to a writable local directory", e);
      }
    }
    return new FileSink(config.fileSinkDir(), encoder(config), redactor);
  }

  private static SpoolSettings spoolSettings(AgentConfig config, Path spoolDir) {
    return new SpoolSettings(spoolDir, AgentConfig.spoolFallbackDir(System.getProperty("user.home")),
        config.get(AgentConfigDef.SPOOL_MAX_BYTES),
        TimeUnit.HOURS.toMillis(config.get(AgentConfigDef.SPOOL_RETENTION_HOURS)),
        config.get(AgentConfigDef.SPOOL_RETENTION_BYTES));
  }

  boolean enabled() {
    return pipeline != null && !switchedOff && !pipeline.sinkFailed();
  }

  /** A SQL execution started ({@code SparkListenerSQLExecutionStart}): remembered if it is nested. */
  void onExecutionStart(Object event) {
    if (!enabled()) {
      return;
    }
    long start = System.nanoTime();
    try {
      executions.onStart(event);
    } catch (Throwable t) {
      errors.internalError("reading a SQL execution start", t);
    } finally {
      startCallbacks.record(System.nanoTime() - start);
    }
  }

  /**
   * A SQL execution ended ({@code SparkListenerSQLExecutionEnd}, read by name: its fields are private[sql]).
   * Runs on Spark's listener thread: capture the small record, enqueue, return.
   */
  void onExecutionEnd(Object event) {
    if (!enabled()) {
      return;
    }
    long start = System.nanoTime();
    try {
      report(executions.onEnd(event));
    } catch (Throwable t) {
      errors.internalError("reading a SQL execution", t);
    } finally {
      endCallbacks.record(System.nanoTime() - start);
    }
  }

  /**
   * An event of the session catalog (a table or database created, altered, renamed or dropped), on the listener
   * thread: its names are read from the event's fields, nothing else; the definition, where one is sent, is read on
   * the agent thread.
   */
  void onCatalogEvent(Object event) {
    if (!enabled()) {
      return;
    }
    try {
      io.github.sparkatlas.lineage.CatalogChange change = CatalogEvents.read(event);
      if (change != null) {
        executions.onCatalogChange(change);
      }
    } catch (Throwable t) {
      errors.internalError("reading a catalog event", t);
    }
  }

  /**
   * A QueryExecutionListener callback. Lineage normally comes from the SparkListener (it sees every session and
   * knows the execution id); this one counts only where no SparkListener of ours could be attached.
   */
  void onQueryExecuted(Object queryExecution) {
    if (!enabled()) {
      return;
    }
    try {
      if (!hasOurListener(SparkInternals.sparkContextOf(queryExecution))) {
        LineageCapture.Result result = capture.capture(queryExecution, -1L);
        report(result);
        if (result.catalogChange() != null) {
          pipeline.submit(result.catalogChange());
        }
        if (result.lineage() != null) {
          pipeline.submit(result.lineage());
        }
      }
    } catch (Throwable t) {
      errors.internalError("reading a query execution", t);
    }
  }

  /** Says once what a capture could not do: each kind of gap is a WARN line the first time only. */
  private void report(LineageCapture.Result result) {
    for (String node : result.unknownNodes()) {
      errors.warnOnce("node:" + node, "spark-atlas-agent does not know plan node " + node
          + "; what it reads or writes is missing from the lineage (reported once per node type)");
    }
    for (Map.Entry<String, String> gap : result.gaps().entrySet()) {
      errors.warnOnce("gap:" + gap.getKey(), gap.getValue());
    }
    String command = result.uncapturedCommand();
    if (command != null) {
      errors.warnOnce("command:" + command, "spark-atlas-agent does not capture command " + command
          + " yet; what it creates, changes or drops is missing from the lineage (reported once per command type)");
    }
    if (result.overBudget()) {
      errors.warnOnce("capture-budget", "spark-atlas-agent: capturing a SQL execution took longer than "
          + AgentConfigDef.CAPTURE_BUDGET_MS.name() + "=" + config.get(AgentConfigDef.CAPTURE_BUDGET_MS)
          + " ms; the datasets found by then are kept, the rest of that execution's inputs (or a table's columns) "
          + "are left out (reported once, counted in the summary as partial captures)");
    }
    if (result.nodeLimitReached()) {
      errors.warnOnce("capture-node-limit", "spark-atlas-agent: a SQL execution's plan has more nodes than are "
          + "walked; the inputs found in the nodes walked are kept, the rest are left out (reported once, counted "
          + "in the summary as partial captures)");
    }
  }

  /**
   * A streaming query started: on the query's own thread (from our StreamingQueryListener) or on Spark's listener
   * thread (from our SparkListener, which sees the streaming events of every session). The first to come starts
   * following the query's run; the SparkListener also makes sure the session that started the query has our
   * StreamingQueryListener, so that its next queries are read on their own threads, before they can end.
   */
  void onStreamingQueryStarted(java.util.UUID queryId, java.util.UUID runId, boolean onQueryThread) {
    if (!enabled()) {
      return;
    }
    try {
      Object execution = streaming.started(queryId, runId);
      if (!onQueryThread && execution != null) {
        listenToStreamingQueries(io.github.sparkatlas.capture.StreamingQueryReader.queryManager(execution));
      }
    } catch (Throwable t) {
      errors.internalError("reading a streaming query start", t);
    }
  }

  void onStreamingQueryProgress(java.util.UUID queryId, java.util.UUID runId, Object progress) {
    if (!enabled()) {
      return;
    }
    try {
      streaming.progress(queryId, runId, progress);
    } catch (Throwable t) {
      errors.internalError("reading a streaming query progress", t);
    }
  }

  void onStreamingQueryTerminated(java.util.UUID runId) {
    if (!enabled()) {
      return;
    }
    try {
      streaming.terminated(runId);
    } catch (Throwable t) {
      errors.internalError("reading a streaming query end", t);
    }
  }

  /**
   * Adds our StreamingQueryListener to a session's StreamingQueryManager unless one is there: its listener list
   * is a copy-on-write list, read and added to without any lock Spark's threads hold.
   */
  private void listenToStreamingQueries(Object manager) {
    if (!(manager instanceof org.apache.spark.sql.streaming.StreamingQueryManager)) {
      return;
    }
    org.apache.spark.sql.streaming.StreamingQueryManager queries =
        (org.apache.spark.sql.streaming.StreamingQueryManager) manager;
    synchronized (streamingManagers) {
      if (streamingManagers.contains(queries)) {
        return;
      }
      streamingManagers.add(queries);
    }
    for (org.apache.spark.sql.streaming.StreamingQueryListener listener : queries.listListeners()) {
      if (listener instanceof SparkAtlasStreamingListener) {
        return;
      }
    }
    queries.addListener(new SparkAtlasStreamingListener(this));
  }

  /**
   * For a listener created from configuration: puts a listener of ours on the agent's own queue instead, when that
   * can be exact. Spark creates the listeners of spark.extraListeners before its listener bus starts; a queue added
   * then receives every event the shared queue receives, from the first, so the instance on the shared queue can
   * stay idle without an event being lost or handled twice. Listeners created later (spark.sql.queryExecutionListeners)
   * make sure the running context has a listener of ours ({@link #attachTo}).
   *
   * @return true when a listener of ours other than {@code created} receives the context's events, so that
   *         {@code created} stays idle
   */
  boolean listenInsteadOf(SparkAtlasListener created, SparkConf conf) {
    if (!enabled()) {
      return false;
    }
    try {
      SparkContext running = SparkInternals.activeContext();
      if (running != null) {
        return attachTo(running);
      }
      SparkContext starting;
      try {
        starting = SparkInternals.contextUnderConstruction(conf);
      } catch (IllegalStateException e) {
        AgentListenerQueue.sharedQueueOnly(errors, e);
        return false;
      }
      if (starting == null) {
        return false;
      }
      synchronized (listenedContexts) {
        if (hasOurListener(starting)) {
          return true;
        }
        if (!AgentListenerQueue.add(starting, new SparkAtlasListener(this, starting, created), errors)) {
          return false;
        }
        listenedContexts.add(starting);
        return true;
      }
    } catch (Throwable t) {
      errors.internalError("attaching the SparkListener", t);
      return false;
    }
  }

  /**
   * Makes sure the running SparkContext has one SparkListener of ours, so that configuring only
   * spark.sql.queryExecutionListeners or the streaming listener still sees every execution exactly once. It goes on
   * the agent's own queue, or on Spark's shared queue where there is none.
   *
   * @return whether the context has a listener of ours now
   */
  boolean attachTo(SparkContext context) {
    if (!enabled() || context == null) {
      return false;
    }
    try {
      synchronized (listenedContexts) {
        if (hasOurListener(context)) {
          return true;
        }
        if (!AgentListenerQueue.add(context, new SparkAtlasListener(this, context, null), errors)) {
          context.addSparkListener(new SparkAtlasListener(this));
        }
        listenedContexts.add(context);
        return true;
      }
    } catch (Throwable t) {
      errors.internalError("attaching the SparkListener", t);
      return false;
    }
  }

  private boolean hasOurListener(SparkContext context) {
    synchronized (listenedContexts) {
      if (listenedContexts.contains(context)) {
        return true;
      }
      if (SparkInternals.hasListener(context, SparkAtlasListener.class)) {
        listenedContexts.add(context);
        return true;
      }
      return false;
    }
  }

  /**
   * Application end: deliver what is pending, waiting no longer than the configured flush timeout (and not at
   * all once Kafka has refused). What is not acknowledged stays in the spool.
   */
  void onApplicationEnd() {
    onApplicationEnd(0);
  }

  /** @param listenerEventsDropped events Spark dropped from the agent's listener queue because it was full */
  void onApplicationEnd(long listenerEventsDropped) {
    this.listenerEventsDropped = listenerEventsDropped;
    try {
      endApplication();
    } finally {
      applicationEndDone.countDown();
    }
  }

  private void endApplication() {
    if (pipeline == null) {
      return;
    }
    applicationEnded = true;
    if (listenerEventsDropped > 0) {
      LOG.warn("spark-atlas-agent: Spark dropped {} events from the agent's listener queue, which was full; SQL "
          + "executions among them are not captured (raise {}, default spark.scheduler.listenerbus.eventqueue"
          + ".capacity)", listenerEventsDropped, AgentListenerQueue.CAPACITY_KEY);
    }
    long timeout = config.get(AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS);
    long started = System.nanoTime();
    boolean flushed = pipeline.flush(timeout);
    long waited = (System.nanoTime() - started) / 1_000_000;
    if (!flushed && pipeline.sinkFailed()) {
      // Its sink could not be created (said at ERROR then): nothing was captured, so nothing waits in a spool,
      // and pointing the user at one, maybe a directory that cannot exist, would only mislead.
    } else if (!flushed && spoolDir() != null && pipeline.deliveryRefused()) {
      LOG.warn("spark-atlas-agent: Kafka has not acknowledged all lineage at application end and refuses it (see "
          + "the ERROR above), so the driver does not wait for it (waited {} ms); the rest is kept in the spool {} "
          + "and sent by the next application on this machine once that is fixed, or with: java -jar <agent jar> "
          + "replay {}", waited, spoolDir(), spoolDir());
    } else if (!flushed && spoolDir() != null) {
      LOG.warn("spark-atlas-agent: Kafka has not acknowledged all lineage at application end (waited {} ms, at "
          + "most {}); the rest is kept in the spool {} and sent by the next application on this machine, or "
          + "with: java -jar <agent jar> replay {}", waited, AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS.name() + "="
          + timeout, spoolDir(), spoolDir());
    } else if (!flushed) {
      LOG.error("spark-atlas-agent could not write all lineage within {} ms at application end", timeout);
    }
    logSummary("application end");
  }

  private Path spoolDir() {
    return spoolDir == null ? null : spoolDir.get();
  }

  /**
   * JVM shutdown: deliver and close. Ordered after Spark's SparkContext stop, every execution Spark reported and
   * application end have been handled already; as a plain JVM hook it runs beside Spark's, so it first waits for
   * application end (which Spark's hook is about to post) to deliver what the last executions produced.
   */
  void shutdown() {
    try {
      long timeout = config.get(AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS);
      long started = System.nanoTime();
      if (!shutdownAfterSparkContext) {
        applicationEndDone.await(timeout, TimeUnit.MILLISECONDS);
      }
      long left = Math.max(0, timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      // After application end has waited once, the JVM's exit must not wait a second full round.
      pipeline.close(applicationEnded ? Math.min(left, 1_000) : left);
    } catch (Throwable t) {
      // The JVM is going down; nothing useful is left to do with an error here.
    }
  }

  /**
   * The one line a platform team reads: what was captured, where it went, and what, if anything, was given up.
   * "superseded" counts messages left unsent because a newer one of the same process, sent after them, holds them.
   * "dropped" lists each kind of loss separately (executions over a full queue, plan texts over the time budget or
   * shed by a full spool, whole messages dropped by a full spool); "partial captures" counts executions whose capture
   * stopped at the time budget or the node limit, "datasets over limit" the datasets left out of an application
   * at its limit per side.
   */
  private void logSummary(String when) {
    DeliveryStats delivery = pipeline.deliveryStats();
    LOG.info("spark-atlas-agent summary at {}: captured={}, messages={}, sent={}, spooled={}, replayed={}, "
        + "superseded={}, dropped executions={}, dropped after close={}, dropped plan texts={}, dropped messages={}, rejected={}, "
        + "failed attempts={}, internal errors={}, nested repeats skipped={}, partial captures={}, "
        + "datasets over limit={}, listener events dropped={}, listener thread per SQL execution end: {}, "
        + "per start: {}{}",
        when, pipeline.captured.get(), pipeline.messages.get(), delivery.sent(), delivery.spooled(),
        delivery.replayed(), delivery.superseded(), pipeline.dropped.get(), pipeline.droppedAfterClose.get(),
        pipeline.droppedPlanTexts() + delivery.droppedPlanTexts(), delivery.droppedMessages(),
        delivery.rejected(), delivery.failedAttempts(), errors.count(), executions.supersededNested(),
        executions.partialCaptures(), pipeline.datasetsOverLimit.get(), listenerEventsDropped,
        endCallbacks.describe(), startCallbacks.describe(), switchedOff ? " (switched off after internal errors)" : "");
  }
}
