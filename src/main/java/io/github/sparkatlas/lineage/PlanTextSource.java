package io.github.sparkatlas.lineage;

/**
 * The plan text of one execution, rendered on demand. The capture hands this over instead of the text so that
 * rendering, most of what reading a plan costs, happens on the agent's own thread rather than on Spark's listener
 * thread. An implementation holds the execution's plan (immutable) and may be called from any thread; it is the
 * only part of a {@link QueryLineage} that refers to Spark, and the agent lets go of it once the text is rendered.
 */
public interface PlanTextSource {
  /**
   * Renders at most {@code maxChars} characters of the plan text, giving up once {@code deadlineNanos}
   * ({@link System#nanoTime()}) has passed.
   */
  Rendering render(int maxChars, long deadlineNanos);

  /** What rendering gave: the text, whether it is the whole plan text, and whether time ran out first. */
  final class Rendering {
    private final String text;
    private final boolean complete;
    private final boolean overBudget;

    private Rendering(String text, boolean complete, boolean overBudget) {
      this.text = text;
      this.complete = complete;
      this.overBudget = overBudget;
    }

    /** The whole plan text. */
    public static Rendering whole(String text) {
      return new Rendering(text, true, false);
    }

    /** The first {@code text.length()} characters of a longer plan text. */
    public static Rendering cutShort(String text) {
      return new Rendering(text, false, false);
    }

    /** Nothing: the deadline passed before the text was rendered. */
    public static Rendering outOfTime() {
      return new Rendering(null, false, true);
    }

    /** The text rendered, or null when over budget. */
    public String text() {
      return text;
    }

    /** Whether {@link #text()} is the whole plan text; when not, more followed where it ends. */
    public boolean complete() {
      return complete;
    }

    public boolean overBudget() {
      return overBudget;
    }
  }
}
