package io.github.sparkatlas.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Text cut short at its end (a plan text rendered up to a limit) may end inside a secret whose confirming context,
 * the '@' after a URI password or the rest of an access key id, was cut off: {@link Redactor#redactCutShort} masks
 * such a secret to the end, and leaves text that ends on anything else as {@link Redactor#redact} does.
 */
class RedactorCutShortTest {
  private static final String MASK = Redactor.MASK;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "url jdbc:postgresql://etl:Pw9Xq7Zk | url jdbc:postgresql://etl:",
      "url jdbc:postgresql://etl:Pw9@Xq7Zk | url jdbc:postgresql://etl:",
      "s3a://AKIAIOSFODNN7ZZZZZZZ:wJ4lrXUtn/K7MDQ | s3a://" + MASK + ":",
      "s3a://key:wJ4lrXUtn/K7MDQNG/bPx | s3a://key:",
      "url jdbc:oracle:thin:scott/tig | url jdbc:oracle:thin:scott/",
      "key id AKIAIOSFOD | 'key id '",
      "options password=Hq7Zw | options password="})
  void aSecretThatRunsToTheEndIsMaskedToTheEnd(String cut, String kept) {
    assertEquals(kept + MASK, Redactor.defaults().redactCutShort(cut));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "plain text to the end",
      "path hdfs://nn:8020/data/day=1",
      "read http://host:8080/a/b",
      "url jdbc:postgresql://db.example.com:5432/sales",
      "url jdbc:postgresql://etl@db.example.com/sa",
      "a Filter (id#12 > 3)"})
  void textEndingOnNoSecretIsRedactedAsUsual(String cut) {
    assertEquals(Redactor.defaults().redact(cut), Redactor.defaults().redactCutShort(cut));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "url jdbc:postgresql://etl:Pw9Xq7Zk@db/x and more",
      "s3a://key:wJ4lrXUtn/K7MDQNG/bPx@bucket/p more"})
  void aWholeSecretIsMaskedAsUsual(String text) {
    assertEquals(Redactor.defaults().redact(text), Redactor.defaults().redactCutShort(text));
    assertFalse(Redactor.defaults().redactCutShort(text).endsWith(MASK));
  }

  @org.junit.jupiter.api.Test
  void theStartOfAConfiguredPatternsMatchIsMaskedToTheEnd() {
    Redactor redactor = Redactor.of(null, "tkn-[0-9]{8}", null);
    assertEquals("id " + MASK, redactor.redactCutShort("id tkn-1234"));
    assertEquals("id " + MASK + " then x", redactor.redactCutShort("id tkn-12345678 then x"));
    assertEquals("id tkx-1234", redactor.redactCutShort("id tkx-1234"));
  }
}
