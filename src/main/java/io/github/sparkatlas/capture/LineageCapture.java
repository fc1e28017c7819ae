package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.CatalogChange;
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
 * agent reads Spark's plans. Runs on Spark's listener thread, so it reads only what the plan already holds, and in
 * this order: an execution that writes nothing is recognised first and costs a look at the top of its plan; only a
 * write has its names completed (current database, default file system, read without locks) and its inputs walked,
 * within the time budget. The plan text is not rendered here: the record carries a {@link PlanText} that the agent
 * thread renders.
 */
public final class LineageCapture {
  private static final List<WriteExtractor> WRITES = Collections.unmodifiableList(Arrays.asList(
      new FileWrites(), new HiveWrites(), new CreateTableAsSelectWrites(), new DirectoryWrites(),
      new LoadDataWrites(), new ViewWrites(), new DataSourceOptionWrites(), new DataSourceV2Writes(),
      new RowLevelWrites(), new TableDeletes(), new JdbcWrites(), new DeltaRowLevelWrites(),
      new DeltaCommandWrites()));
  private static final List<InputExtractor> INPUTS = Collections.unmodifiableList(Arrays.asList(
      new FileRelationInputs(), new HiveRelationInputs(), new DataSourceV2Inputs(), new CachedRelationInputs(),
      new PhysicalScanInputs(), new KafkaInputs()));
  /** A write command sits at or near the root; this bounds the search for it. */
  private static final int MAX_WRITE_SEARCH = 64;

  private final Map<String, WriteExtractor> writes = new HashMap<>();
  private final boolean planText;
  private final long budgetNanos;

  /**
   * @param planTextMaxLength characters of plan text to keep; 0 hands over no plan to render
   * @param budgetMillis      time allowed per execution on the listener thread; beyond it the capture stops and
   *                          keeps what it found
   */
  public LineageCapture(int planTextMaxLength, long budgetMillis) {
    this.planText = planTextMaxLength > 0;
    this.budgetNanos = budgetMillis * 1_000_000L;
    for (WriteExtractor extractor : WRITES) {
      for (String name : extractor.nodeNames()) {
        writes.put(name, extractor);
      }
    }
  }

  /** The outcome of reading one execution: its lineage (null when it wrote nothing) and what was not understood. */
  public static final class Result {
    static final Result NOTHING = new Result(null, Collections.<String>emptySet(), null, false, false);

    private final QueryLineage lineage;
    private final Set<String> unknownNodes;
    private final String uncapturedCommand;
    private final boolean overBudget;
    private final boolean nodeLimitReached;
    private final Map<String, String> gaps;
    private final CatalogChange catalogChange;

    Result(QueryLineage lineage, Set<String> unknownNodes, String uncapturedCommand, boolean overBudget,
        boolean nodeLimitReached) {
      this(lineage, unknownNodes, uncapturedCommand, overBudget, nodeLimitReached,
          Collections.<String, String>emptyMap());
    }

    Result(QueryLineage lineage, Set<String> unknownNodes, String uncapturedCommand, boolean overBudget,
        boolean nodeLimitReached, Map<String, String> gaps) {
      this(lineage, unknownNodes, uncapturedCommand, overBudget, nodeLimitReached, gaps, null);
    }

    private Result(QueryLineage lineage, Set<String> unknownNodes, String uncapturedCommand, boolean overBudget,
        boolean nodeLimitReached, Map<String, String> gaps, CatalogChange catalogChange) {
      this.catalogChange = catalogChange;
      this.gaps = gaps;
      this.lineage = lineage;
      this.unknownNodes = unknownNodes;
      this.uncapturedCommand = uncapturedCommand;
      this.overBudget = overBudget;
      this.nodeLimitReached = nodeLimitReached;
    }

    public QueryLineage lineage() {
      return lineage;
    }

    /** A change to a DSv2 catalog's tables or namespaces the execution made, or null. */
    public CatalogChange catalogChange() {
      return catalogChange;
    }

    Result withCatalogChange(CatalogChange change) {
      return new Result(lineage, unknownNodes, uncapturedCommand, overBudget, nodeLimitReached, gaps, change);
    }

    /** Class names of plan nodes no extractor could read; their datasets are missing from the lineage. */
    public Set<String> unknownNodes() {
      return unknownNodes;
    }

    /**
     * Class name of the command at the plan's root when the agent does not capture it (a CREATE TABLE, a DROP, a
     * MERGE, ...) and it is not one of those that write no dataset (SET, SHOW, ...); else null.
     */
    public String uncapturedCommand() {
      return uncapturedCommand;
    }

    /** Whether the time budget ran out: the lineage holds what was found by then. */
    public boolean overBudget() {
      return overBudget;
    }

    /**
     * What the plan does not say and the lineage leaves out (by a key to report each kind once): the topics of a
     * Kafka pattern read, or of a Kafka write that takes them from a column.
     */
    public Map<String, String> gaps() {
      return gaps;
    }

    /** Whether the plan had more nodes than are walked: the lineage holds the inputs of the nodes walked. */
    public boolean nodeLimitReached() {
      return nodeLimitReached;
    }
  }

  /**
   * @param queryExecution a {@code QueryExecution} (typed loosely: its class moved in Spark 4)
   * @param executionId    the SQL execution id
   */
  public Result capture(Object queryExecution, long executionId) {
    if (StreamingQueryReader.microBatchQueryId(queryExecution) != null) {
      // A micro-batch: its lineage is its streaming query's, read from the query itself.
      return Result.NOTHING;
    }
    long deadline = System.nanoTime() + budgetNanos;
    Object plan = Reflect.get(queryExecution, "analyzed");
    if ("CommandResult".equals(Reflect.simpleName(Reflect.get(queryExecution, "commandExecuted")))) {
      // The second event of an eagerly run command (spark.sql(...).collect()): captured when it ran.
      return Result.NOTHING;
    }
    // Commands sit at the root of a logical plan, never inside a query: a plain query (a collect, a count) is
    // recognised by its root alone.
    boolean command = Commands.isCommand(plan);
    Object writeNode = command || writes.containsKey(Reflect.simpleName(plan)) ? findWrite(plan) : null;
    if (writeNode == null && command) {
      CatalogChange change = catalogChange(plan, queryExecution, deadline);
      if (change != null) {
        return Result.NOTHING.withCatalogChange(change);
      }
    }
    if (writeNode == null) {
      return command && Commands.isUncaptured(plan)
          ? new Result(null, Collections.<String>emptySet(), plan.getClass().getName(), false, false)
          : Result.NOTHING;
    }
    Object session = Reflect.get(queryExecution, "sparkSession");
    SparkContext spark = (SparkContext) Reflect.get(session, "sparkContext");
    CaptureContext context = new CaptureContext(SessionDefaults.of(session, spark), deadline, queryExecution);
    Write write = writes.get(Reflect.simpleName(writeNode)).extract(writeNode, context);
    if (write == null) {
      return new Result(null, context.unknownNodes(), null, context.overBudget(), false, context.gaps());
    }
    InputCollector collector = new InputCollector(INPUTS, context);
    for (Object query : write.queries) {
      collector.walk(query);
    }
    List<Dataset> inputs = new ArrayList<>(write.namedInputs);
    inputs.addAll(collector.collect());
    QueryLineage lineage = new QueryLineage(spark.applicationId(), spark.appName(), executionId,
        Reflect.simpleName(writeNode), spark.sparkUser(), System.currentTimeMillis(), inputs, write.outputs, null);
    if (planText && plan != null) {
      lineage = lineage.withPlanTextSource(new PlanText(plan));
    }
    return new Result(lineage, context.unknownNodes(), null, context.overBudget(), context.nodeLimitReached(),
        context.gaps());
  }

  /** A DDL command on a DSv2 catalog other than the session catalog (whose events report its own changes). */
  private static CatalogChange catalogChange(Object command, Object queryExecution, long deadline) {
    String name = Reflect.simpleName(command);
    boolean table = V2TableCommands.reads(name);
    if (!table && !V2NamespaceCommands.reads(name)) {
      return null;
    }
    SparkContext spark = SparkInternals.sparkContextOf(queryExecution);
    return table ? V2TableCommands.read(command, spark.applicationId(), spark.sparkUser(),
        new CaptureContext(SessionDefaults.NONE, deadline))
        : V2NamespaceCommands.read(command, spark.applicationId(), spark.sparkUser());
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

  /** The write extractors, whose Spark commands the warm-up prepares. */
  static List<WriteExtractor> writeExtractors() {
    return WRITES;
  }

  /** The input extractors of batch plans, which also read the batch relations a streaming query joins. */
  static List<InputExtractor> inputExtractors() {
    return INPUTS;
  }
}
