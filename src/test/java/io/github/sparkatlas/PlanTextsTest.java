package io.github.sparkatlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rendering, redacting and cutting a plan text on the agent thread, with plans rendered from plain strings. */
class PlanTextsTest {
  private static final int LIMIT = 100;
  private static final String NOTE = "\n... (plan text cut at " + LIMIT + " characters)";

  private final ErrorReporter errors = new ErrorReporter(AtlasAgent.LOG);
  private final PlanTexts planTexts = new PlanTexts(Redactor.defaults(), LIMIT, 60_000, errors);

  /** A plan whose text is {@code text}, rendered as Spark's streaming treeString is: up to the length asked. */
  private static PlanTextSource plan(String text) {
    return (maxChars, deadline) -> text.length() <= maxChars ? PlanTextSource.Rendering.whole(text)
        : PlanTextSource.Rendering.cutShort(text.substring(0, maxChars));
  }

  private static String dots(int n) {
    return String.join("", Collections.nCopies(Math.max(0, n), "."));
  }

  private static void assertNoFragment(String secret, String text, String where) {
    for (int start = 0; start + 3 <= secret.length(); start++) {
      String fragment = secret.substring(start, start + 3);
      assertTrue(!text.contains(fragment), () -> "'" + fragment + "' of the secret " + where + " is in: " + text);
    }
  }

  private static String randomSecret(int length) {
    Random random = new Random(length);
    // Upper case and digits only: no 3 characters of it can occur in the lower-case text around it by chance.
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder secret = new StringBuilder();
    for (int i = 0; i < length; i++) {
      secret.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return secret.toString();
  }

  @Test
  void aPasswordAtEveryCutPositionAroundTheLimitAndTheRenderMarginLeavesNoFragment() {
    String[][] planted = {
        {"jdbc:postgresql://user:", "Pw9Xq7ZkLm3R", "@host/db"},
        {"s3a://AKIAIOSFODNN7ZZZZZZZ:", "wJ4lrXUtnFQMI/K7MDQNG/bPxRfiCYzQ", "@bucket/p"},
        {"Map(password -> ", "Hq7Zw2Xv9Kp3", ", user -> etl)"}};
    int margin = LIMIT + PlanTexts.REDACTION_MARGIN;
    for (String[] secret : planted) {
      for (int cut : new int[] {LIMIT, margin}) {
        for (int offset = cut - 60; offset <= cut + 60; offset++) {
          String text = dots(offset - 1) + " " + secret[0] + secret[1] + secret[2] + " " + dots(2 * margin);
          String kept = planTexts.text(plan(text));
          assertTrue(kept.endsWith(NOTE) && kept.length() <= LIMIT + NOTE.length(), kept);
          assertNoFragment(secret[1], kept, "planted at " + offset);
        }
      }
    }
  }

  @Test
  void aPasswordLongerThanTheRenderMarginThatStraddlesTheLimitLeavesNoFragment() {
    String password = randomSecret(PlanTexts.REDACTION_MARGIN + 500);
    for (int offset = LIMIT - 60; offset <= LIMIT + 60; offset++) {
      String text = dots(offset - 1) + " jdbc:postgresql://user:" + password + "@host/db " + dots(LIMIT);
      String kept = planTexts.text(plan(text));
      assertNoFragment(password, kept, "planted at " + offset);
    }
  }

  @Test
  void aPlanTextWithinTheLimitIsKeptWholeAndRedacted() {
    assertEquals("Relation jdbc:postgresql://u:" + Redactor.MASK + "@h/db",
        planTexts.text(plan("Relation jdbc:postgresql://u:secret@h/db")));
  }

  @Test
  void aLongerPlanTextIsCutAtTheLimitWithANote() {
    String text = planTexts.text(plan(dots(50_000)));
    assertEquals(dots(LIMIT) + NOTE, text);
  }

  @Test
  void aPlanTextThatRunsOutOfTimeIsLeftOutAndCounted() {
    QueryLineage rendered = planTexts.render(lineage().withPlanTextSource(
        (maxChars, deadline) -> PlanTextSource.Rendering.outOfTime()));
    assertNull(rendered.planText());
    assertNull(rendered.planTextSource(), "the plan is let go");
    assertEquals(1, planTexts.overBudget());
    assertEquals(List.of(PathDataset.of(URI.create("file:/out"))), rendered.outputs(), "the datasets are kept");
  }

  @Test
  void aPlanThatCannotBeRenderedCostsOnlyItsText() {
    QueryLineage rendered = planTexts.render(lineage().withPlanTextSource((maxChars, deadline) -> {
      throw new StackOverflowError();
    }));
    assertNull(rendered.planText());
    assertEquals(1, errors.count(), "an internal error");
    assertEquals(List.of(PathDataset.of(URI.create("file:/out"))), rendered.outputs(), "the datasets are kept");
  }

  private static QueryLineage lineage() {
    return new QueryLineage("app-1", "app", 1, "InsertIntoHadoopFsRelationCommand", "u", 0L,
        Collections.emptyList(), List.of(PathDataset.of(URI.create("file:/out"))), null);
  }
}
