package io.github.sparkatlas;

import io.github.sparkatlas.lineage.PlanTextSource;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.redact.Redactor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a captured execution's plan into the plan text that is sent, on the agent's thread: rendered within the
 * time budget, redacted, and only then cut to its length limit, so that a cut can never fall inside a secret that
 * the redactor would have recognised whole ({@code scheme://user:password@host} cut before its '@').
 *
 * <p>The text is rendered {@value #REDACTION_MARGIN} characters past the limit, so a secret that straddles the limit
 * is seen whole, with what follows it, before the cut. A secret that runs on past even that margin is masked up to
 * the end of what was rendered ({@link Redactor#redactCutShort}).
 */
final class PlanTexts {
  /** Characters rendered past the limit: more than any secret the redactor recognises is long. */
  static final int REDACTION_MARGIN = 4_096;

  private final Redactor redactor;
  private final int maxLength;
  private final long budgetNanos;
  private final ErrorReporter errors;
  private final AtomicLong overBudget = new AtomicLong();

  /**
   * @param maxLength    characters of plan text kept (0: none)
   * @param budgetMillis time allowed to render one plan's text
   */
  PlanTexts(Redactor redactor, int maxLength, long budgetMillis, ErrorReporter errors) {
    this.redactor = redactor;
    this.maxLength = maxLength;
    this.budgetNanos = budgetMillis * 1_000_000L;
    this.errors = errors;
  }

  /** The lineage with its plan text rendered, redacted and cut, and its plan let go; unchanged if it has none. */
  QueryLineage render(QueryLineage lineage) {
    PlanTextSource source = lineage.planTextSource();
    if (source == null) {
      return lineage;
    }
    String text = null;
    try {
      text = text(source);
    } catch (Throwable t) {
      // The datasets are the point: a plan that cannot be rendered costs its text only.
      errors.internalError("rendering a plan text", t);
    }
    return lineage.withPlanText(text);
  }

  /** The redacted plan text, cut to the limit with a note saying so; null when there is none or no time for it. */
  String text(PlanTextSource source) {
    if (maxLength <= 0) {
      return null;
    }
    int renderLength = (int) Math.min(Integer.MAX_VALUE - 64, (long) maxLength + REDACTION_MARGIN);
    PlanTextSource.Rendering rendering = source.render(renderLength, System.nanoTime() + budgetNanos);
    if (rendering.overBudget()) {
      overBudget.incrementAndGet();
      errors.warnOnce("plan-text-budget", "spark-atlas-agent: rendering a plan text took longer than "
          + "atlas.spark.capture.budget.ms; it is left out of that execution's lineage, the datasets are kept "
          + "(reported once, counted in the summary as dropped plan texts)");
      return null;
    }
    String redacted = rendering.complete() ? redactor.redact(rendering.text())
        : redactor.redactCutShort(rendering.text());
    if (rendering.complete() && redacted.length() <= maxLength) {
      return redacted;
    }
    return redacted.substring(0, Math.min(maxLength, redacted.length())) + "\n... (plan text cut at " + maxLength
        + " characters)";
  }

  /** Plan texts left out because rendering them ran out of time. */
  long overBudget() {
    return overBudget.get();
  }
}
