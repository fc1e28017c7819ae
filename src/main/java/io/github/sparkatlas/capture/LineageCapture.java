package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;

/**
 * Turns a finished SQL execution ({@code QueryExecution}) into a {@link QueryLineage}: the only place where the
 * agent reads Spark's plans. Runs on Spark's listener thread, so it reads only what the plan already holds.
 */
public final class LineageCapture {
  private static final List<WriteExtractor> WRITES = Collections.unmodifiableList(Arrays.asList(
      new FileWrites(), new HiveWrites(), new CreateTableAsSelectWrites(), new DirectoryWrites(),
      new LoadDataWrites(), new ViewWrites(), new DataSourceOptionWrites(), new DataSourceV2Writes()));
  private static final List<InputExtractor> INPUTS = Collections.unmodifiableList(Arrays.asList(
      new FileRelationInputs(), new HiveRelationInputs(), new DataSourceV2Inputs(), new CachedRelationInputs(),
      new PhysicalScanInputs()));
  /** A write command sits at or near the root; this bounds the search for it. */
  private static final int MAX_WRITE_SEARCH = 64;

  private final Map<String, WriteExtractor> writes = new HashMap<>();
  private final int planTextMaxLength;
  private final long budgetNanos;

  /**
   * @param planTextMaxLength characters of plan text to keep
   * @param budgetMillis      time allowed per execution on the listener thread; beyond it the plan text is left out
   */
  public LineageCapture(int planTextMaxLength, long budgetMillis) {
    this.planTextMaxLength = planTextMaxLength;
    this.budgetNanos = budgetMillis * 1_000_000L;
    for (WriteExtractor extractor : WRITES) {
      for (String name : extractor.nodeNames()) {
        writes.put(name, extractor);
      }
    }
  }

  /** The outcome of reading one execution: its lineage (null when it wrote nothing) and what was not understood. */
  public static final class Result {
    private final QueryLineage lineage;
    private final Set<String> unknownNodes;
    private final boolean planTextDropped;

    Result(QueryLineage lineage, Set<String> unknownNodes) {
      this(lineage, unknownNodes, false);
    }

    Result(QueryLineage lineage, Set<String> unknownNodes, boolean planTextDropped) {
      this.lineage = lineage;
      this.unknownNodes = unknownNodes;
      this.planTextDropped = planTextDropped;
    }

    /** Whether the plan text was left out because the time budget ran out. */
    public boolean planTextDropped() {
      return planTextDropped;
    }

    public QueryLineage lineage() {
      return lineage;
    }

    /** Class names of plan nodes no extractor could read; their datasets are missing from the lineage. */
    public Set<String> unknownNodes() {
      return unknownNodes;
    }
  }

  /**
   * @param queryExecution a {@code QueryExecution} (typed loosely: its class moved in Spark 4)
   * @param executionId    the SQL execution id
   */
  public Result capture(Object queryExecution, long executionId) {
    long deadline = System.nanoTime() + budgetNanos;
    Object plan = Reflect.get(queryExecution, "analyzed");
    if ("CommandResult".equals(Reflect.simpleName(Reflect.get(queryExecution, "commandExecuted")))) {
      // The second event of an eagerly run command (spark.sql(...).collect()): captured when it ran.
      return new Result(null, Collections.<String>emptySet());
    }
    Object session = Reflect.get(queryExecution, "sparkSession");
    SparkContext spark = (SparkContext) Reflect.get(session, "sparkContext");
    CaptureContext context = new CaptureContext(
        Reflect.string(Reflect.get(Reflect.get(Reflect.get(session, "sessionState"), "catalog"),
            "getCurrentDatabase")),
        spark.hadoopConfiguration().get("fs.defaultFS"));
    Object writeNode = findWrite(plan);
    if (writeNode == null) {
      return new Result(null, context.unknownNodes());
    }
    Write write = writes.get(Reflect.simpleName(writeNode)).extract(writeNode, context);
    if (write == null) {
      return new Result(null, context.unknownNodes());
    }
    InputCollector collector = new InputCollector(INPUTS, context);
    for (Object query : write.queries) {
      collector.walk(query);
    }
    List<Dataset> inputs = new ArrayList<>(write.namedInputs);
    inputs.addAll(collector.collect());
    // The datasets are the point; the plan text is an extra that is dropped when the budget is spent.
    PlanText.Rendered text = System.nanoTime() - deadline > 0 ? new PlanText.Rendered(null, planTextMaxLength > 0)
        : PlanText.render(plan, planTextMaxLength, deadline);
    QueryLineage lineage = new QueryLineage(spark.applicationId(), spark.appName(), executionId,
        Reflect.simpleName(writeNode), spark.sparkUser(), System.currentTimeMillis(), inputs, write.outputs,
        text.text);
    return new Result(lineage, context.unknownNodes(), text.overBudget);
  }

  /** The write command of the plan, searched from the root down. */
  private Object findWrite(Object root) {
    Deque<Object> queue = new ArrayDeque<>();
    queue.add(root);
    for (int seen = 0; !queue.isEmpty() && seen < MAX_WRITE_SEARCH; seen++) {
      Object node = queue.poll();
      if (writes.containsKey(Reflect.simpleName(node))) {
        return node;
      }
      queue.addAll(Reflect.elements(Reflect.get(node, "children")));
    }
    return null;
  }
}
