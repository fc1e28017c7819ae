package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.DatabaseQueryDataset;
import io.github.sparkatlas.lineage.JdbcUrl;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import io.github.sparkatlas.testsupport.RecordingSink;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** A JDBC read's query is parsed on the agent thread into the tables it names; one it cannot read is said once. */
class LineagePipelineJdbcQueryTest {
  private final ErrorReporterTest.RecordingLogger log = new ErrorReporterTest.RecordingLogger();
  private final ErrorReporter errors = new ErrorReporter(log, Redactor.defaults(), Long.MAX_VALUE, () -> { });
  private static final JdbcUrl POSTGRES = JdbcUrl.parse("jdbc:postgresql://pg:5432/shop");

  private LineagePipeline pipeline(RecordingSink sink) {
    return new LineagePipeline(1_000, () -> sink, new Naming("cl1"), Redactor.defaults(),
        new PlanTexts(Redactor.defaults(), 20_000, 1_000, errors), errors, true, 60_000);
  }

  private static QueryLineage read(long id, String query, String output) {
    return new QueryLineage("local-1", "app", id, "InsertIntoHadoopFsRelationCommand", "user", id,
        List.of(DatabaseQueryDataset.of(POSTGRES, query)), List.of(PathDataset.of(URI.create(output))), null);
  }

  @Test
  void theQuerysTablesAreSentAndAQueryNotUnderstoodIsSaidOnceWithoutItsText() {
    RecordingSink sink = new RecordingSink();
    LineagePipeline pipeline = pipeline(sink);
    assertTrue(pipeline.submit(read(1, "select * from sales.orders o join customers c on c.id = o.cid",
        "file:/out/joined")));
    assertTrue(pipeline.submit(read(2, "select id from t where x operator(pg_catalog.>) 1", "file:/out/a")));
    assertTrue(pipeline.submit(read(3, "select id from u where y operator(pg_catalog.<) 2", "file:/out/b")));
    assertTrue(pipeline.flush(10_000));
    pipeline.close(1_000);

    assertEquals(3, sink.accepted.size(), "a process per write");
    String joined = sink.accepted.get(0).body();
    assertTrue(joined.contains("\"postgresql://pg:5432/shop/sales.orders@cl1\""), joined);
    assertTrue(joined.contains("\"postgresql://pg:5432/shop/public.customers@cl1\""), joined);
    assertFalse(sink.accepted.get(1).body().contains("rdbms_table"), "nothing guessed");
    List<ErrorReporterTest.RecordingLogger.Line> warnings = log.at(Level.WARN);
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).message.contains("not parsed by JSqlParser"), warnings::toString);
    assertFalse(warnings.get(0).message.contains("operator("), "the query text is never logged");
  }
}
