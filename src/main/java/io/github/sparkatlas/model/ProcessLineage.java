package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one spark_process has read and written so far, and whether the latest record changed it: a message
 * is news only when its inputs or outputs (names or details) are, never because of a newer execution id or plan
 * text alone. Owned by the agent thread only; bounded by {@link #MAX_DATASETS_PER_SIDE}.
 */
public class ProcessLineage {
  /** Beyond this many inputs (or outputs) new ones are not added: bounded memory and message size. */
  public static final int MAX_DATASETS_PER_SIDE = 5_000;

  private final ProcessKey key;
  private final boolean withoutSelfLoops;
  private String applicationId;
  private String applicationName;
  private String user;
  private long latestExecutionId = -1;
  private String latestOperation;
  private String latestPlanText;
  private final Map<String, Dataset> inputs = new LinkedHashMap<>();
  private final Map<String, Dataset> outputs = new LinkedHashMap<>();
  private long weight;
  private long datasetsNotAdded;

  /**
   * @param withoutSelfLoops whether what the process writes is left out of its inputs (application granularity:
   *                         no loop from a table to itself); at query granularity a table read and then overwritten
   *                         by one query is both its input and its output
   */
  public ProcessLineage(ProcessKey key, boolean withoutSelfLoops) {
    this.key = key;
    this.withoutSelfLoops = withoutSelfLoops;
    this.applicationId = key.applicationId();
  }

  /** Adds one record's datasets and describes the process by it; true when its inputs or outputs changed. */
  public boolean add(QueryLineage query) {
    boolean changed = addDatasets(query);
    describe(query);
    return changed;
  }

  /**
   * Adds one record's datasets; a dataset seen again keeps its place and takes the newer details. True when the
   * process's inputs or outputs changed: a dataset added or dropped, or one whose details (schema, location) differ.
   */
  public boolean addDatasets(QueryLineage query) {
    boolean changed = false;
    for (Dataset output : query.outputs()) {
      changed |= put(outputs, output);
      if (withoutSelfLoops && outputs.containsKey(output.key())) {
        Dataset wasInput = inputs.remove(output.key());
        if (wasInput != null) {
          weight -= DatasetDetails.weight(wasInput);
          changed = true;
        }
      }
    }
    for (Dataset input : query.inputs()) {
      if (!(withoutSelfLoops && outputs.containsKey(input.key()))) {
        changed |= put(inputs, input);
      }
    }
    return changed;
  }

  /** Takes the application, user, execution and plan text of the record that changed the process last. */
  public void describe(QueryLineage query) {
    applicationId = query.applicationId();
    applicationName = query.applicationName();
    user = query.user();
    latestExecutionId = query.executionId();
    latestOperation = query.operation();
    latestPlanText = query.planText();
  }

  private boolean put(Map<String, Dataset> side, Dataset dataset) {
    Dataset before = side.get(dataset.key());
    if (before == null && side.size() >= MAX_DATASETS_PER_SIDE) {
      datasetsNotAdded++;
      return false;
    }
    side.put(dataset.key(), dataset);
    if (before == null) {
      weight += DatasetDetails.weight(dataset);
      return true;
    }
    weight += DatasetDetails.weight(dataset) - DatasetDetails.weight(before);
    return before != dataset && DatasetDetails.fingerprint(before) != DatasetDetails.fingerprint(dataset);
  }

  /**
   * Takes a dataset out of both sides (a dropped table): no later message of this process names it.
   *
   * @return whether it was there
   */
  public boolean remove(String datasetKey) {
    boolean removed = false;
    for (Map<String, Dataset> side : Arrays.asList(inputs, outputs)) {
      Dataset before = side.remove(datasetKey);
      if (before != null) {
        weight -= DatasetDetails.weight(before);
        removed = true;
      }
    }
    return removed;
  }

  /**
   * Puts {@code replacement} in the place of the dataset keyed {@code datasetKey} on each side that holds it: a
   * renamed table under its new name, or a table with its definition after an ALTER, so that a later message of
   * this process does not send the old one back. A side that already holds the replacement's key keeps one entry.
   *
   * @return whether it was there
   */
  public boolean replace(String datasetKey, Dataset replacement) {
    boolean replaced = false;
    for (Map<String, Dataset> side : Arrays.asList(inputs, outputs)) {
      Dataset before = side.get(datasetKey);
      if (before == null) {
        continue;
      }
      Map<String, Dataset> rebuilt = new LinkedHashMap<>();
      for (Map.Entry<String, Dataset> entry : side.entrySet()) {
        if (entry.getKey().equals(datasetKey)) {
          rebuilt.put(replacement.key(), replacement);
        } else if (!entry.getKey().equals(replacement.key())) {
          rebuilt.put(entry.getKey(), entry.getValue());
        }
      }
      Dataset displaced = datasetKey.equals(replacement.key()) ? null : side.get(replacement.key());
      weight += DatasetDetails.weight(replacement) - DatasetDetails.weight(before)
          - (displaced == null ? 0 : DatasetDetails.weight(displaced));
      side.clear();
      side.putAll(rebuilt);
      replaced = true;
    }
    return replaced;
  }

  public ProcessKey key() {
    return key;
  }

  public String applicationId() {
    return applicationId;
  }

  public String applicationName() {
    return applicationName;
  }

  public String user() {
    return user;
  }

  public long latestExecutionId() {
    return latestExecutionId;
  }

  public String latestOperation() {
    return latestOperation;
  }

  public String latestPlanText() {
    return latestPlanText;
  }

  public List<Dataset> inputs() {
    return Collections.unmodifiableList(new ArrayList<>(inputs.values()));
  }

  public List<Dataset> outputs() {
    return Collections.unmodifiableList(new ArrayList<>(outputs.values()));
  }

  /** Inputs and outputs held. */
  public int datasets() {
    return inputs.size() + outputs.size();
  }

  /**
   * Size of the process's message in units of about one small entity (a path; a table counts its columns): what the
   * agent compares to decide whether a change is worth a message at once.
   */
  public long weight() {
    return weight;
  }

  public long datasetsNotAdded() {
    return datasetsNotAdded;
  }
}
