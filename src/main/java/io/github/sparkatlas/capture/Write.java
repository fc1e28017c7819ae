package io.github.sparkatlas.capture;

import io.github.sparkatlas.lineage.Dataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a write node says: what it writes, the query plans it reads from, and inputs it names itself. */
final class Write {
  final List<Dataset> outputs;
  final List<Object> queries;
  final List<Dataset> namedInputs;

  private Write(List<Dataset> outputs, List<Object> queries, List<Dataset> namedInputs) {
    this.outputs = Collections.unmodifiableList(outputs);
    this.queries = Collections.unmodifiableList(queries);
    this.namedInputs = Collections.unmodifiableList(namedInputs);
  }

  /** Writes {@code output} with the rows of {@code query} (which may be null). */
  static Write of(Dataset output, Object query) {
    List<Object> queries = new ArrayList<>();
    if (query != null) {
      queries.add(query);
    }
    return new Write(Collections.singletonList(output), queries, Collections.<Dataset>emptyList());
  }

  /** Writes {@code output} with what the plans in {@code queries} read. */
  static Write ofAll(Dataset output, List<Object> queries) {
    return new Write(Collections.singletonList(output), new ArrayList<>(queries), Collections.<Dataset>emptyList());
  }

  /** Writes {@code output} from a dataset named by the command itself (LOAD DATA's path). */
  static Write copy(Dataset input, Dataset output) {
    return new Write(Collections.singletonList(output), Collections.emptyList(), Collections.singletonList(input));
  }
}
