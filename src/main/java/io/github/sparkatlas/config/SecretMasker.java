package io.github.sparkatlas.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in configuration values before they are logged. Whole values of secret-looking keys are
 * masked; in a JAAS config only the password is, so the line still shows which login module and user were used.
 */
public final class SecretMasker {
  public static final String MASK = "*****";

  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i)(^|.*[._])sas([._].*|$)|.*(password|passwd|secret|token|credential|private|access\\.key|account\\.key"
          + "|apikey|api\\.key).*");
  private static final Pattern JAAS_SECRET = Pattern.compile(
      "(?i)(\\b(?:password|secret|token|key)\\s*=\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;]+)");

  private SecretMasker() {
  }

  public static String maskValue(String key, String value) {
    if (value == null) {
      return null;
    }
    String lowerKey = key.toLowerCase(Locale.ROOT);
    if (lowerKey.endsWith("jaas.config")) {
      return maskJaas(value);
    }
    if (SECRET_KEY.matcher(lowerKey).matches()) {
      return MASK;
    }
    return value;
  }

  /** Replaces the value of every password=, secret=, token= or key= option in a JAAS configuration. */
  public static String maskJaas(String jaas) {
    Matcher matcher = JAAS_SECRET.matcher(jaas);
    StringBuffer out = new StringBuffer();
    while (matcher.find()) {
      matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(1) + "\"" + MASK + "\""));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
