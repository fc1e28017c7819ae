package io.github.sparkatlas.lineage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What one successful Spark SQL execution read and wrote: the small immutable record the capture hands to the
 * agent thread. Its only link to Spark is an optional {@link PlanTextSource}, which holds the execution's plan
 * until the agent thread has rendered its text: the bounded queue between the two threads bounds how many plans
 * are held that way.
 */
public final class QueryLineage {
  private final String applicationId;
  private final String applicationName;
  private final long executionId;
  private final String operation;
  private final String user;
  private final long timeMillis;
  private final List<Dataset> inputs;
  private final List<Dataset> outputs;
  private final String planText;
  private final PlanTextSource planTextSource;
  private final String streamingQueryId;

  public QueryLineage(String applicationId, String applicationName, long executionId, String operation,
      String user, long timeMillis, List<? extends Dataset> inputs, List<? extends Dataset> outputs,
      String planText) {
    this(applicationId, applicationName, executionId, operation, user, timeMillis, inputs, outputs, planText, null,
        null);
  }

  private QueryLineage(String applicationId, String applicationName, long executionId, String operation,
      String user, long timeMillis, List<? extends Dataset> inputs, List<? extends Dataset> outputs,
      String planText, PlanTextSource planTextSource, String streamingQueryId) {
    this.applicationId = applicationId;
    this.applicationName = applicationName;
    this.executionId = executionId;
    this.operation = operation;
    this.user = user;
    this.timeMillis = timeMillis;
    // Everything read, even the table the query overwrites: whether that is drawn (per query) or left out as a loop
    // from a table to itself (per application) is for the model to decide.
    this.inputs = Collections.unmodifiableList(distinct(inputs));
    this.outputs = Collections.unmodifiableList(distinct(outputs));
    this.planText = planText;
    this.planTextSource = planTextSource;
    this.streamingQueryId = streamingQueryId;
  }

  /** The same record, with a plan text still to be rendered (on the agent thread) in place of any text. */
  public QueryLineage withPlanTextSource(PlanTextSource source) {
    return new QueryLineage(applicationId, applicationName, executionId, operation, user, timeMillis, inputs,
        outputs, null, source, streamingQueryId);
  }

  /** The same record with its plan text as given (null: none), and no longer holding a source to render it. */
  public QueryLineage withPlanText(String text) {
    return new QueryLineage(applicationId, applicationName, executionId, operation, user, timeMillis, inputs,
        outputs, text, null, streamingQueryId);
  }

  /**
   * The same record as part of a streaming query: the query's own sources and sink, or a write made inside its
   * {@code foreachBatch} function (whose input is the micro-batch, so the query's sources are its real inputs).
   *
   * @param queryId the streaming query's id ({@code StreamingQuery.id}, kept across restarts from a checkpoint)
   */
  public QueryLineage withStreamingQuery(String queryId) {
    return new QueryLineage(applicationId, applicationName, executionId, operation, user, timeMillis, inputs,
        outputs, planText, planTextSource, queryId);
  }

  /** The same record reading {@code replaced} instead (a JDBC query's tables in place of the query). */
  public QueryLineage withInputs(List<? extends Dataset> replaced) {
    return new QueryLineage(applicationId, applicationName, executionId, operation, user, timeMillis, replaced,
        outputs, planText, planTextSource, streamingQueryId);
  }

  /**
   * The same record with its free text (plan text, application name) passed through {@code redact}: the agent
   * thread masks secrets before the record is stored, sent or logged.
   */
  public QueryLineage withRedactedText(java.util.function.UnaryOperator<String> redact) {
    String name = applicationName == null ? null : redact.apply(applicationName);
    String plan = planText == null ? null : redact.apply(planText);
    if (name == applicationName && plan == planText) {
      return this;
    }
    return new QueryLineage(applicationId, name, executionId, operation, user, timeMillis, inputs, outputs, plan,
        planTextSource, streamingQueryId);
  }

  private static List<Dataset> distinct(List<? extends Dataset> datasets) {
    return new ArrayList<>(new LinkedHashSet<>(datasets));
  }

  public String applicationId() {
    return applicationId;
  }

  public String applicationName() {
    return applicationName;
  }

  public long executionId() {
    return executionId;
  }

  /** The plan node that wrote, e.g. {@code InsertIntoHadoopFsRelationCommand}. */
  public String operation() {
    return operation;
  }

  public String user() {
    return user;
  }

  public long timeMillis() {
    return timeMillis;
  }

  public List<Dataset> inputs() {
    return inputs;
  }

  public List<Dataset> outputs() {
    return outputs;
  }

  /** The analyzed plan as text, already capped; null when not captured or not rendered yet. */
  public String planText() {
    return planText;
  }

  /** What renders the plan text on the agent thread; null once rendered, or when plan text is not captured. */
  public PlanTextSource planTextSource() {
    return planTextSource;
  }

  /** The streaming query this record belongs to; null for a batch execution. */
  public String streamingQueryId() {
    return streamingQueryId;
  }

  @Override
  public String toString() {
    return operation + "#" + executionId + " " + inputs + " -> " + outputs;
  }
}
