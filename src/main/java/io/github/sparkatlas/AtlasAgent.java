package io.github.sparkatlas;

import io.github.sparkatlas.capture.ExecutionTracker;
import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.capture.SparkInternals;
import io.github.sparkatlas.config.AgentConfig;
import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.config.ConfigException;
import io.github.sparkatlas.config.ConfigLoader;
import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.delivery.Sink;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.model.Naming;
import java.net.InetAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
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
  private static final AtlasAgent DISABLED = new AtlasAgent(null, null, null, new ErrorReporter(LOG));
  private static AtlasAgent instance;

  private final AgentConfig config;
  private final LineageCapture capture;
  private final ExecutionTracker executions;
  private final LineagePipeline pipeline;
  /** One reporter for the listener side and the agent thread, so the summary counts every internal error. */
  private final ErrorReporter errors;
  /** SparkContexts known to have one of our SparkListeners; weak so a stopped context is not pinned. */
  private final Set<SparkContext> listenedContexts = Collections.newSetFromMap(new WeakHashMap<SparkContext, Boolean>());

  private AtlasAgent(AgentConfig config, LineageCapture capture, LineagePipeline pipeline, ErrorReporter errors) {
    this.config = config;
    this.errors = errors;
    this.capture = capture;
    this.pipeline = pipeline;
    this.executions = capture == null ? null : new ExecutionTracker(capture, pipeline::submit);
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
    try {
      SparkConf conf = sparkConf != null ? sparkConf : new SparkConf();
      Map<String, String> entries = new HashMap<>();
      for (Tuple2<String, String> entry : conf.getAll()) {
        entries.put(entry._1(), entry._2());
      }
      AgentConfig config = ConfigLoader.forThisJvm().load(entries);
      if (!config.enabled()) {
        LOG.info("spark-atlas-agent is switched off ({}=false)", AgentConfigDef.ENABLED.name());
        return DISABLED;
      }
      ErrorReporter errors = new ErrorReporter(LOG);
      AtlasAgent agent = new AtlasAgent(config,
          new LineageCapture(config.get(AgentConfigDef.PLAN_TEXT_MAX_LENGTH)), pipeline(config, errors), errors);
      LOG.info(config.describe(AgentVersion.get()));
      if (config.usesEmbeddedDefault()) {
        LOG.warn("spark-atlas-agent: no Kafka configured (atlas.kafka.bootstrap.servers), so lineage is written to "
            + "files in {} (offline mode); configure atlas.kafka.* to publish to Atlas or Purview",
            config.fileSinkDir());
      }
      Runtime.getRuntime().addShutdownHook(new Thread(agent::shutdown, "spark-atlas-agent-shutdown"));
      return agent;
    } catch (ConfigException e) {
      LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: {}", e.getMessage());
    } catch (Throwable t) {
      LOG.error("spark-atlas-agent disabled, the Spark job runs without lineage: could not start ({})",
          t.toString());
    }
    return DISABLED;
  }

  private static LineagePipeline pipeline(AgentConfig config, ErrorReporter errors) {
    int maxLength = config.get(AgentConfigDef.MESSAGE_MAX_LENGTH);
    boolean compress = config.get(AgentConfigDef.COMPRESSION_ENABLED);
    return new LineagePipeline(config.get(AgentConfigDef.QUEUE_CAPACITY), () -> sink(config),
        new Naming(config.namespace()),
        () -> new NotificationEncoder(maxLength, compress, localAddress(), AgentVersion.NAME, AgentVersion.get()),
        errors);
  }

  private static Sink sink(AgentConfig config) {
    if (AgentConfigDef.CLIENT_KAFKA.equals(config.clientType())) {
      return new KafkaSink(ProducerSettings.of(config.kafkaProperties(), config.get(AgentConfigDef.MESSAGE_MAX_LENGTH)),
          config.topic());
    }
    return new FileSink(config.fileSinkDir());
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (Exception e) {
      return "unknown";
    }
  }

  boolean enabled() {
    return pipeline != null;
  }

  /** A SQL execution started ({@code SparkListenerSQLExecutionStart}): remembered if it is nested. */
  void onExecutionStart(Object event) {
    if (!enabled()) {
      return;
    }
    try {
      executions.onStart(event);
    } catch (Throwable t) {
      errors.internalError("reading a SQL execution start", t);
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
    try {
      warnUnknown(executions.onEnd(event));
    } catch (Throwable t) {
      errors.internalError("reading a SQL execution", t);
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
        warnUnknown(result.unknownNodes());
        if (result.lineage() != null) {
          pipeline.submit(result.lineage());
        }
      }
    } catch (Throwable t) {
      errors.internalError("reading a query execution", t);
    }
  }

  private void warnUnknown(Set<String> unknownNodes) {
    for (String node : unknownNodes) {
      errors.warnOnce("node:" + node, "spark-atlas-agent does not know plan node " + node
          + "; what it reads or writes is missing from the lineage (reported once per node type)");
    }
  }

  /**
   * Makes sure the running SparkContext has one SparkListener of ours, so that configuring only
   * spark.sql.queryExecutionListeners or the streaming listener still sees every execution exactly once.
   */
  void attachTo(SparkContext context) {
    if (!enabled() || context == null) {
      return;
    }
    try {
      synchronized (listenedContexts) {
        if (hasOurListener(context)) {
          return;
        }
        context.addSparkListener(new SparkAtlasListener(this));
        listenedContexts.add(context);
      }
    } catch (Throwable t) {
      errors.internalError("attaching the SparkListener", t);
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

  /** Application end: deliver what is pending, waiting no longer than the configured flush timeout. */
  void onApplicationEnd() {
    if (!enabled()) {
      return;
    }
    long timeout = config.get(AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS);
    boolean flushed = pipeline.flush(timeout);
    if (!flushed) {
      LOG.error("spark-atlas-agent could not deliver all lineage within {} ms at application end ({}): the "
          + "destination is unreachable or too slow; undelivered messages are lost in this version",
          timeout, AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS.name());
    }
    logSummary(flushed ? "application end" : "application end (flush timed out after " + timeout + " ms)");
  }

  private void shutdown() {
    try {
      pipeline.close(config.get(AgentConfigDef.SHUTDOWN_FLUSH_TIMEOUT_MS));
    } catch (Throwable t) {
      // The JVM is going down; nothing useful is left to do with an error here.
    }
  }

  private void logSummary(String when) {
    Sink sink = pipeline.sink();
    LOG.info("spark-atlas-agent summary at {}: captured={}, messages={}, nested repeats skipped={}, dropped={}, "
        + "records delivered={}, records failed={}, internal errors={}", when, pipeline.captured.get(),
        pipeline.messages.get(), executions.supersededNested(), pipeline.dropped.get(), sink == null ? 0 : sink.delivered(),
        sink == null ? 0 : sink.failed(), errors.count());
  }
}
