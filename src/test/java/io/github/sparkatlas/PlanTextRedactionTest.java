package io.github.sparkatlas;

import io.github.sparkatlas.testsupport.RecordingSink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.capture.LineageCapture;
import io.github.sparkatlas.config.AgentConfigDef;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.redact.Redactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.CommandExecutionMode;
import org.apache.spark.sql.execution.QueryExecution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A secret in a plan never leaves in part because the plan text was cut at its length limit: the text is redacted
 * before it is cut. Each secret is planted in a real write's plan so that the cut falls at every position from 60
 * characters before it to 60 characters after its start, and the message the agent builds (capture on this thread,
 * rendering, redaction and cutting on the agent's) must not hold any 3 characters of it.
 */
class PlanTextRedactionTest {
  /** The limit of the pipeline's default settings, which this test's pipeline uses. */
  private static final int LIMIT = AgentConfigDef.PLAN_TEXT_MAX_LENGTH.defaultValue();
  private static final int AROUND = 60;
  private static final String PROBE = "QQPROBEQQ";

  private static Path root;
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() throws IOException {
    root = Paths.get(System.getProperty("build.dir", "target"), "unit-spark", UUID.randomUUID().toString())
        .toAbsolutePath();
    Files.createDirectories(root);
    spark = SparkSession.builder().master("local[1]").appName("plan-text-redaction-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", root.resolve("warehouse").toString())
        .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Keeps what the agent thread hands over. */
  /**
   * A write of one string literal, planned but not run ({@code SKIP}: its plan is what the agent would read after
   * it ran).
   */
  private static QueryExecution writeOf(String literal) throws Exception {
    // A directory of its own per write (names of one length, so the literal's position is the same): at query
    // granularity each is a process of its own, sent with its own plan text.
    String sql = "INSERT OVERWRITE DIRECTORY '" + root.resolve(String.format("out-%06d", literal.length()))
        + "' USING parquet SELECT '" + literal + "' AS v";
    QueryExecution qe = spark.sessionState().executePlan(spark.sessionState().sqlParser().parsePlan(sql),
        CommandExecutionMode.SKIP());
    qe.assertAnalyzed();
    return qe;
  }

  /** Where the literal's {@code planted} text starts in the plan's text. */
  private static int positionIn(QueryExecution qe, String planted) {
    return qe.analyzed().treeString(true, false, 25, false).indexOf(planted);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "jdbc:postgresql://etl_user:Pw9Xq7ZkLm3R@db.example.com:5432/sales | Pw9Xq7ZkLm3R",
      "s3a://AKIAIOSFODNN7ZZZZZZZ:wJ4lrXUtnFQMI/K7MDQNG/bPxRfiCYzQ@bucket/p | wJ4lrXUtnFQMI/K7MDQNG/bPxRfiCYzQ",
      "password=Hq7Zw2Xv9Kp3 | Hq7Zw2Xv9Kp3"})
  void noFragmentOfASecretIsLeftWhereverThePlanTextIsCut(String planted, String secret) throws Exception {
    int before = positionIn(writeOf(PROBE), PROBE);
    assertTrue(before > 0, "the literal is in the plan text");
    RecordingSink sink = new RecordingSink();
    ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG);
    LineagePipeline pipeline = new LineagePipeline(1_000, () -> sink, new Naming("test"), Redactor.defaults(),
        errors, true);
    LineageCapture capture = new LineageCapture(LIMIT, 60_000);
    TreeSet<Integer> positions = new TreeSet<>();
    List<Integer> submitted = new ArrayList<>();
    try {
      // Filler of dots, then a blank, so that nothing but the planted text looks like a key or a URI.
      for (int filler = LIMIT - AROUND - before - 1; filler <= LIMIT + AROUND - before + 1; filler++) {
        QueryExecution qe = writeOf(String.join("", Collections.nCopies(filler, ".")) + " " + planted);
        int position = positionIn(qe, planted);
        positions.add(position);
        QueryLineage lineage = capture.capture(qe, filler).lineage();
        assertTrue(lineage != null, "the write is captured");
        assertTrue(pipeline.submit(lineage));
        submitted.add(position);
      }
      assertTrue(pipeline.flush(60_000), "the agent thread handled every execution");
    } finally {
      pipeline.close(1_000);
    }
    for (int offset = LIMIT - AROUND; offset <= LIMIT + AROUND; offset++) {
      assertTrue(positions.contains(offset), "the secret was planted at " + offset + ": " + positions);
    }
    assertEquals(submitted.size(), sink.accepted.size(), "one message per execution");
    assertEquals(0, errors.count(), "no internal errors");
    for (int i = 0; i < sink.accepted.size(); i++) {
      String body = sink.accepted.get(i).body();
      for (int start = 0; start + 3 <= secret.length(); start++) {
        String fragment = secret.substring(start, start + 3);
        int at = body.indexOf(fragment);
        int plantedAt = submitted.get(i);
        assertTrue(at < 0, () -> "'" + fragment + "' of the secret planted at " + plantedAt + " (limit " + LIMIT
            + ") is in the message: ..." + body.substring(Math.max(0, at - 80), Math.min(body.length(), at + 40)));
      }
    }
  }
}
