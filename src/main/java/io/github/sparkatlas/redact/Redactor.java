package io.github.sparkatlas.redact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Masks secrets in text before the agent stores, sends or logs it: plan strings (which render data source options,
 * JDBC URLs and literals), paths and URIs, exception messages.
 *
 * <p>This is the agent's one masker: plan text, dataset names, configuration values, exception messages and log
 * lines all go through it, with the same rules and the same {@link #MASK}.
 *
 * <p>Built-in rules always apply, on top of whatever Spark's own redaction settings add:
 * <ul>
 *   <li>the password of a URI's user info ({@code scheme://user:password@host}), and of Oracle's
 *       {@code jdbc:oracle:thin:user/password@...};</li>
 *   <li>the value of a {@code key=value}, {@code key -> value}, {@code key: value} or JSON {@code "key":"value"} pair
 *       whose key names a secret (see {@link #isSecretKey}); this covers URL query parameters such as Azure SAS
 *       {@code sig=}, JDBC and Event Hubs connection strings, JAAS configurations and Spark's {@code Map(...)}
 *       rendering of options;</li>
 *   <li>AWS access key ids ({@code AKIA...} / {@code ASIA...}) anywhere;</li>
 *   <li>every match of {@code spark.sql.redaction.string.regex} (or {@code spark.redaction.string.regex}) and of the
 *       agent's {@code atlas.spark.redaction.regex}.</li>
 * </ul>
 *
 * <p>The built-in rules are hand-written scans or regexes without nested quantifiers, so their cost stays linear in
 * the text even for megabyte plans; configured regexes are compiled once, up front. Instances are immutable and safe
 * to share between threads.
 */
public final class Redactor {
  /** What a secret is replaced with; the same text Spark uses. */
  public static final String MASK = "*********(redacted)";

  /** Spark's default for {@code spark.redaction.regex}, used when that setting is absent. */
  static final String SPARK_DEFAULT_KEY_REGEX = "(?i)secret|password|token|access[.]?key";

  /*
   * Key names are judged per token (split on punctuation and camelCase) because short words such as "sig", "sas" or
   * "pwd" would otherwise hit benign keys by substring. Only long words that do not occur inside ordinary
   * identifiers are matched as substrings, so "dbPassword" and "ssl.keystore.passwd" are still caught. "private"
   * is an exception, kept from the configuration masker this class replaced: a value too many for a column named
   * "is_private" is masked rather than a private key missed.
   */
  private static final String[] SECRET_FRAGMENTS = {
      "password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "accesskey", "private",
      "signature"};
  private static final Set<String> SECRET_TOKENS = setOf("pwd", "sig", "sas", "auth", "authorization");
  /** "key" is a secret only after one of these ("access.key", "AccountKey"); alone it is a primary or sort key. */
  private static final Set<String> KEY_QUALIFIERS = setOf("api", "access", "secret", "private", "account");
  /** Like {@link #KEY_QUALIFIERS}, but only as the key's last two tokens: "encryption.keySizeBits" is benign. */
  private static final Set<String> TERMINAL_KEY_QUALIFIERS = setOf("encryption", "keystore");
  /**
   * A key ending in one of these describes a secret rather than holding it ("fs.s3a.aws.credentials.provider",
   * "fs.azure.account.auth.type", "SharedAccessKeyName"); masking those would hide useful, harmless settings.
   */
  private static final Set<String> DESCRIPTIVE_SUFFIXES = setOf(
      "provider", "providers", "class", "type", "algorithm", "mechanism", "enabled", "file", "path", "location",
      "name", "manager", "url", "uri", "endpoint");

  private static final Pattern ORACLE_USER_PASSWORD = Pattern.compile(
      "(?i)jdbc:oracle:[a-z0-9]+:[^\\s/@:;\"'<>]*/([^\\s/@;\"'<>]+)@");
  private static final Pattern AWS_ACCESS_KEY_ID = Pattern.compile("(?:AKIA|ASIA)[A-Z0-9]{16}");
  /**
   * One {@code name=value} option of a JAAS configuration. The lookbehind makes each run of name characters a
   * candidate once, so the scan stays linear; an unterminated quote runs to the end.
   */
  private static final Pattern JAAS_OPTION = Pattern.compile(
      "(?<![A-Za-z0-9_.$-])([A-Za-z0-9_.$-]++)(\\s*+=\\s*+)(\"(?:[^\"\\\\]|\\\\.)*+\"?|[^\\s;\"]++)");

  /** How far past the first '/' a URI password may run: AWS secrets contain '/', paths rarely contain '@'. */
  private static final int MAX_PASSWORD_WITH_SLASH = 256;
  /**
   * Each rule leaves its own output alone, but a user-supplied pattern can match text another rule just produced;
   * re-running until nothing changes makes redact idempotent for any sane configuration.
   */
  private static final int MAX_PASSES = 3;

  private static final Redactor DEFAULTS = new Redactor(Pattern.compile(SPARK_DEFAULT_KEY_REGEX),
      Collections.<Pattern>emptyList());

  private final Pattern sparkKeyPattern;
  private final List<Pattern> textPatterns;

  private Redactor(Pattern sparkKeyPattern, List<Pattern> textPatterns) {
    this.sparkKeyPattern = sparkKeyPattern;
    this.textPatterns = textPatterns;
  }

  /** Built-in rules only, with Spark's default key regex as when {@code spark.redaction.regex} is not set. */
  public static Redactor defaults() {
    return DEFAULTS;
  }

  /**
   * @param sparkKeyRegex    value of spark.redaction.regex (null/empty: Spark's default
   *                         "(?i)secret|password|token|access[.]?key"); a key/option NAME matching it (find(), not
   *                         matches()) has its VALUE masked wherever a key=value / key -> value / key: value /
   *                         "key":"value" pair appears in text.
   * @param sparkStringRegex value of spark.sql.redaction.string.regex, else spark.redaction.string.regex
   *                         (null/empty: none); every match anywhere in text is replaced by MASK.
   * @param extraRegex       the agent's own atlas.spark.redaction.regex (null/empty: none); every match is replaced
   *                         by MASK.
   * @throws IllegalArgumentException with a message naming which setting holds an invalid regex
   */
  public static Redactor of(String sparkKeyRegex, String sparkStringRegex, String extraRegex) {
    Pattern keyPattern = compile(isUnset(sparkKeyRegex) ? SPARK_DEFAULT_KEY_REGEX : sparkKeyRegex,
        "spark.redaction.regex");
    List<Pattern> textPatterns = new ArrayList<>(2);
    if (!isUnset(sparkStringRegex)) {
      textPatterns.add(compile(sparkStringRegex,
          "spark.sql.redaction.string.regex (or spark.redaction.string.regex)"));
    }
    if (!isUnset(extraRegex)) {
      textPatterns.add(compile(extraRegex, "atlas.spark.redaction.regex"));
    }
    return new Redactor(keyPattern, Collections.unmodifiableList(textPatterns));
  }

  /**
   * The redactor for an application's settings: Spark's own redaction settings count too, since whatever a
   * platform team declared secret in {@code spark.redaction.regex} must not leave the driver through us either.
   *
   * @param sparkConf  the application's Spark conf (only the redaction settings are read)
   * @param agentRegex the agent's atlas.spark.redaction.regex, or null
   * @throws IllegalArgumentException naming the setting that holds an invalid regex
   */
  public static Redactor fromSparkConf(Map<String, String> sparkConf, String agentRegex) {
    return of(sparkConf.get("spark.redaction.regex"), stringRegex(sparkConf), agentRegex);
  }

  /**
   * Like {@link #fromSparkConf}, for reporting a configuration that failed: a setting holding an invalid regex is
   * left out instead of failing (the error being reported names it), every valid one still applies.
   */
  public static Redactor forConfigErrors(Map<String, String> sparkConf, String agentRegex) {
    Pattern keyPattern;
    try {
      keyPattern = compile(isUnset(sparkConf.get("spark.redaction.regex")) ? SPARK_DEFAULT_KEY_REGEX
          : sparkConf.get("spark.redaction.regex"), "spark.redaction.regex");
    } catch (IllegalArgumentException e) {
      keyPattern = DEFAULTS.sparkKeyPattern;
    }
    List<Pattern> textPatterns = new ArrayList<>(2);
    for (String regex : new String[] {stringRegex(sparkConf), agentRegex}) {
      try {
        if (!isUnset(regex)) {
          textPatterns.add(compile(regex, "a redaction setting"));
        }
      } catch (IllegalArgumentException e) {
        // Named by the error that is being reported.
      }
    }
    return new Redactor(keyPattern, Collections.unmodifiableList(textPatterns));
  }

  private static String stringRegex(Map<String, String> sparkConf) {
    String stringRegex = sparkConf.get("spark.sql.redaction.string.regex");
    return stringRegex != null ? stringRegex : sparkConf.get("spark.redaction.string.regex");
  }

  /**
   * Null-safe; returns the same String instance when nothing matched. Idempotent:
   * redact(redact(x)).equals(redact(x)).
   */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String current = text;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      String next = redactOnce(current);
      if (next == current) {
        return current;
      }
      current = next;
    }
    return current;
  }

  /**
   * Like {@link #redact}, for text that was cut short at its end and went on past it (a plan text rendered up to a
   * limit): a secret that may run on past the end is masked up to the end, although what would confirm it was cut
   * off. Covered: a URI's user-info password whose '@' or end of authority is missing, an Oracle
   * {@code user/password} whose '@' is missing, the start of an AWS access key id, and the start of a match of a
   * configured regex (found with {@link Matcher#hitEnd()}). Secret values of key/value pairs and quoted values are
   * masked to the end of the text by {@link #redact} already.
   */
  public String redactCutShort(String text) {
    String redacted = redact(text);
    if (redacted == null || redacted.isEmpty()) {
      return redacted;
    }
    int open = openSecretStart(redacted);
    return open < 0 ? redacted : redacted.substring(0, open) + MASK;
  }

  /** True if a configuration/option key names a secret (built-in names or sparkKeyRegex). */
  public boolean isSecretKey(String key) {
    if (key == null || key.isEmpty()) {
      return false;
    }
    return isBuiltInSecretKey(key) || sparkKeyPattern.matcher(key).find();
  }

  /**
   * A configuration value as it may be shown: the whole value masked if isSecretKey(key); a JAAS configuration
   * (a key ending in {@code jaas.config}) with the value of every secret option masked, so the login module and
   * user name stay visible; else redact(value).
   */
  public String redactValue(String key, String value) {
    if (value == null) {
      return null;
    }
    if (isSecretKey(key)) {
      // An empty secret hides nothing, and showing it as empty helps diagnose a missing setting.
      return value.isEmpty() ? value : MASK;
    }
    if (key != null && key.toLowerCase(Locale.ROOT).endsWith("jaas.config")) {
      return redact(maskJaasOptions(value));
    }
    return redact(value);
  }

  /**
   * Masks the value of every secret option of a JAAS configuration, quoted so the line still reads as JAAS. In
   * JAAS an unquoted value runs to the next blank or ';' (so further than in free text, where ',' ends it too),
   * and a bare {@code key=} option holds a key, not a column name as it would in a plan.
   */
  private String maskJaasOptions(String jaas) {
    Matcher matcher = JAAS_OPTION.matcher(jaas);
    StringBuilder out = null;
    int copied = 0;
    while (matcher.find()) {
      String name = matcher.group(1);
      if (!isSecretKey(name) && !"key".equalsIgnoreCase(name)) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(jaas.length() + 32);
      }
      out.append(jaas, copied, matcher.start(3)).append('"').append(MASK).append('"');
      copied = matcher.end(3);
    }
    return out == null ? jaas : out.append(jaas, copied, jaas.length()).toString();
  }

  private String redactOnce(String text) {
    String result = text;
    // The user's patterns go first: they are often wider (a whole URL) and should not be cut short by a mask.
    for (Pattern pattern : textPatterns) {
      result = maskMatches(pattern, result);
    }
    result = maskUriPasswords(result);
    result = maskOraclePasswords(result);
    result = maskSecretValues(result);
    if (result.contains("AKIA") || result.contains("ASIA")) {
      result = maskMatches(AWS_ACCESS_KEY_ID, result);
    }
    return result;
  }

  static boolean isBuiltInSecretKey(String key) {
    List<String> tokens = tokens(key);
    int count = tokens.size();
    if (count == 0) {
      return false;
    }
    String last = tokens.get(count - 1);
    if (count > 1 && DESCRIPTIVE_SUFFIXES.contains(last)) {
      return false;
    }
    String lower = key.toLowerCase(Locale.ROOT);
    for (String fragment : SECRET_FRAGMENTS) {
      if (lower.contains(fragment)) {
        return true;
      }
    }
    for (int i = 0; i < count; i++) {
      String token = tokens.get(i);
      if (SECRET_TOKENS.contains(token)) {
        return true;
      }
      if (i + 1 < count && KEY_QUALIFIERS.contains(token) && "key".equals(tokens.get(i + 1))) {
        return true;
      }
    }
    return count > 1 && "key".equals(last) && TERMINAL_KEY_QUALIFIERS.contains(tokens.get(count - 2));
  }

  /** Lower-case words of a key: split on anything but letters and digits, and at camelCase humps. */
  static List<String> tokens(String key) {
    List<String> tokens = new ArrayList<>();
    int length = key.length();
    int start = -1;
    for (int i = 0; i < length; i++) {
      char c = key.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        if (start >= 0) {
          tokens.add(key.substring(start, i).toLowerCase(Locale.ROOT));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      } else if (startsCamelHump(key, i)) {
        tokens.add(key.substring(start, i).toLowerCase(Locale.ROOT));
        start = i;
      }
    }
    if (start >= 0) {
      tokens.add(key.substring(start).toLowerCase(Locale.ROOT));
    }
    return tokens;
  }

  /** "accessKey" splits before 'K'; "SASToken" before 'T', so an acronym stays one word. */
  private static boolean startsCamelHump(String key, int i) {
    char c = key.charAt(i);
    if (!Character.isUpperCase(c)) {
      return false;
    }
    char previous = key.charAt(i - 1);
    if (Character.isLowerCase(previous) || Character.isDigit(previous)) {
      return true;
    }
    return Character.isUpperCase(previous) && i + 1 < key.length() && Character.isLowerCase(key.charAt(i + 1));
  }

  /**
   * Masks the value of every pair whose key names a secret. Scanned by hand: a regex anchored on the key would be
   * tried at every character of a megabyte plan, while separators are rare. The key is found by walking back from
   * each separator, so each run of key characters is read at most twice.
   */
  private String maskSecretValues(String text) {
    Splicer splicer = new Splicer(text);
    int length = text.length();
    int i = 0;
    while (i < length) {
      int separatorEnd = separatorEnd(text, i);
      if (separatorEnd < 0) {
        i++;
        continue;
      }
      int valueStart = separatorEnd;
      while (valueStart < length && isBlank(text.charAt(valueStart))) {
        valueStart++;
      }
      boolean bareColon = text.charAt(i) == ':' && valueStart == separatorEnd;
      String key = keyBefore(text, i, bareColon);
      // A benign pair's value is not consumed: it may itself hold pairs, e.g. a connection string in quotes.
      int next = separatorEnd;
      if (key != null && isSecretKey(key)) {
        int[] span = secretValueSpan(text, valueStart);
        if (span != null) {
          splicer.mask(span[0], span[1]);
          next = Math.max(next, span[2]);
        }
      }
      i = next;
    }
    return splicer.result();
  }

  /** End of the separator ("=", "=>", "->" or ":") at {@code i}, or -1 if there is none. */
  private static int separatorEnd(String text, int i) {
    char c = text.charAt(i);
    if (c != '=' && c != '-' && c != ':') {
      return -1;
    }
    boolean arrow = c != ':' && i + 1 < text.length() && text.charAt(i + 1) == '>';
    if (c == '-') {
      return arrow ? i + 2 : -1;
    }
    return arrow ? i + 2 : i + 1;
  }

  /**
   * The key just before the separator at {@code separator}, or null. Blanks, a closing quote (escaped or not, as in
   * JSON inside a JSON string) and Spark's "#exprId" suffix may come between them. A bare colon with neither a quoted
   * key nor a blank after it is no separator: "jdbc:postgresql", "file:/tmp", "12:30".
   */
  static String keyBefore(String text, int separator, boolean bareColon) {
    int end = separator;
    while (end > 0 && isBlank(text.charAt(end - 1))) {
      end--;
    }
    boolean quoted = end > 0 && (text.charAt(end - 1) == '"' || text.charAt(end - 1) == '\'');
    if (quoted) {
      end--;
      if (end > 0 && text.charAt(end - 1) == '\\') {
        end--;
      }
    } else if (bareColon) {
      return null;
    }
    end = withoutExpressionId(text, end);
    int start = end;
    while (start > 0 && isKeyChar(text.charAt(start - 1))) {
      start--;
    }
    return start < end ? text.substring(start, end) : null;
  }

  /** In a plan, "password#12 = x" compares the column password with a literal; the key is the column name. */
  private static int withoutExpressionId(String text, int end) {
    int i = end;
    if (i > 0 && text.charAt(i - 1) == 'L') {
      i--;
    }
    int digitsEnd = i;
    while (i > 0 && text.charAt(i - 1) >= '0' && text.charAt(i - 1) <= '9') {
      i--;
    }
    return i < digitsEnd && i > 0 && text.charAt(i - 1) == '#' ? i - 1 : end;
  }

  private static boolean isKeyChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * Where the value starting at {@code start} lies: {content start, content end, where scanning resumes}, or null
   * when there is nothing to mask. Quotes are kept around the mask so the text stays well-formed.
   */
  static int[] secretValueSpan(String text, int start) {
    int length = text.length();
    if (start >= length) {
      return null;
    }
    char c = text.charAt(start);
    if (c == '"' || c == '\'') {
      int end = closingQuote(text, start + 1, c);
      return end < length && text.charAt(end) == c ? span(start + 1, end, end + 1) : span(start + 1, end, end);
    }
    if (c == '\\' && start + 1 < length && (text.charAt(start + 1) == '"' || text.charAt(start + 1) == '\'')) {
      // JSON inside a JSON string: {\"password\":\"x\"}
      char quote = text.charAt(start + 1);
      int end = start + 2;
      while (end < length && !isLineBreak(text.charAt(end))
          && !(text.charAt(end) == '\\' && end + 1 < length && text.charAt(end + 1) == quote)) {
        end++;
      }
      return span(start + 2, end, end < length && text.charAt(end) == '\\' ? end + 2 : end);
    }
    if (c == '{' || c == '[') {
      // A nested structure: the scan goes on inside it and masks the secret pairs there.
      return null;
    }
    int end = unquotedEnd(text, start);
    if (end == start || text.regionMatches(start, "null", 0, 4) && end - start == 4) {
      return null;
    }
    if (isAuthScheme(text, start, end)) {
      // "Authorization: Bearer xyz": the scheme is harmless, the credential after it is the secret.
      int credential = end;
      while (credential < length && (text.charAt(credential) == ' ' || text.charAt(credential) == '\t')) {
        credential++;
      }
      int credentialEnd = unquotedEnd(text, credential);
      if (credential > end && credentialEnd > credential) {
        return span(credential, credentialEnd, credentialEnd);
      }
    }
    return span(start, end, end);
  }

  private static int closingQuote(String text, int from, char quote) {
    int length = text.length();
    int i = from;
    while (i < length) {
      char c = text.charAt(i);
      if (c == quote || isLineBreak(c)) {
        // An unterminated quote (say, truncated text) is masked to the end of its line rather than leaked.
        return i;
      }
      i += c == '\\' && i + 1 < length && !isLineBreak(text.charAt(i + 1)) ? 2 : 1;
    }
    return length;
  }

  private static int unquotedEnd(String text, int start) {
    if (text.startsWith(MASK, start)) {
      // Already masked (by Spark or an earlier pass): stopping right after it keeps a second redaction a no-op.
      return start + MASK.length();
    }
    int length = text.length();
    int i = start;
    int openParentheses = 0;
    while (i < length) {
      char c = text.charAt(i);
      if (c == '(') {
        openParentheses++;
      } else if (c == ')' && openParentheses > 0) {
        // "password -> Some(x))": the value's own parentheses, not the end of the enclosing Map(...).
        openParentheses--;
      } else if (endsUnquotedValue(c)) {
        break;
      }
      i++;
    }
    return i;
  }

  private static boolean endsUnquotedValue(char c) {
    switch (c) {
      case ',':
      case ';':
      case '&':
      case ')':
      case ']':
      case '}':
      case '"':
      case '\'':
        return true;
      default:
        return Character.isWhitespace(c);
    }
  }

  private static boolean isAuthScheme(String text, int start, int end) {
    int length = end - start;
    return length == 6 && text.regionMatches(true, start, "bearer", 0, 6)
        || length == 5 && text.regionMatches(true, start, "basic", 0, 5);
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r';
  }

  private static int[] span(int start, int end, int resume) {
    return new int[] {start, end, resume};
  }

  /**
   * Masks the password of {@code scheme://user:password@host}. Scanned by hand rather than by regex so a password
   * can run up to the last '@' of the authority (unencoded '@' in passwords is common) without backtracking.
   */
  static String maskUriPasswords(String text) {
    int separator = text.indexOf("://");
    if (separator < 0) {
      return text;
    }
    Splicer splicer = new Splicer(text);
    int length = text.length();
    while (separator >= 0) {
      int next = separator + 3;
      int colon = next;
      while (colon < length && !endsUserName(text.charAt(colon))) {
        colon++;
      }
      if (colon < length && text.charAt(colon) == ':') {
        int at = passwordEnd(text, colon + 1);
        if (at > colon + 1) {
          splicer.mask(colon + 1, at);
          next = at;
        }
      }
      separator = text.indexOf("://", next);
    }
    return splicer.result();
  }

  /** Index of the '@' ending the password that starts at {@code start}, or -1 if this is no user info. */
  private static int passwordEnd(String text, int start) {
    int length = text.length();
    int i = start;
    int lastAt = -1;
    while (i < length && !endsAuthority(text.charAt(i))) {
      if (text.charAt(i) == '@') {
        lastAt = i;
      }
      i++;
    }
    if (lastAt >= 0) {
      return lastAt;
    }
    // s3a://AKIA...:wJalr/K7MD...@bucket: AWS secrets contain '/', but host:8080/path@x is a port, not a password.
    if (i < length && text.charAt(i) == '/' && i > start && !allDigits(text, start, i)) {
      int limit = Math.min(length, start + MAX_PASSWORD_WITH_SLASH);
      for (int j = i; j < limit; j++) {
        char c = text.charAt(j);
        if (c == '@') {
          return j;
        }
        if (c != '/' && endsAuthority(c) || c == ',') {
          break;
        }
      }
    }
    return -1;
  }

  private static boolean endsUserName(char c) {
    return c == ':' || c == '@' || endsAuthority(c) || c == '[' || c == ']';
  }

  private static boolean endsAuthority(char c) {
    switch (c) {
      case '/':
      case '?':
      case '#':
      case ';':
      case '"':
      case '\'':
      case '<':
      case '>':
      case '\\':
      case '{':
      case '}':
        return true;
      default:
        return Character.isWhitespace(c);
    }
  }

  private static boolean allDigits(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String maskOraclePasswords(String text) {
    Matcher matcher = ORACLE_USER_PASSWORD.matcher(text);
    Splicer splicer = new Splicer(text);
    while (matcher.find()) {
      splicer.mask(matcher.start(1), matcher.end(1));
    }
    return splicer.result();
  }

  private static String maskMatches(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    Splicer splicer = new Splicer(text);
    while (matcher.find()) {
      // An empty match masks nothing; one inside an earlier mask would make the output grow on every call.
      if (matcher.end() > matcher.start() && !insideMask(text, matcher.start(), matcher.end())) {
        splicer.mask(matcher.start(), matcher.end());
      }
    }
    return splicer.result();
  }

  private static boolean insideMask(String text, int start, int end) {
    for (int maskStart = Math.max(0, end - MASK.length()); maskStart <= start; maskStart++) {
      if (text.startsWith(MASK, maskStart)) {
        return true;
      }
    }
    return false;
  }

  private static Pattern compile(String regex, String setting) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      // Not e.getMessage(): it quotes the pattern, and a pattern may spell out the very secrets it is meant to hide.
      throw new IllegalArgumentException(setting + " is not a valid regular expression: " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
    }
  }

  /** Blank counts as unset: a regex of spaces would mask every space in every plan. */
  private static boolean isUnset(String regex) {
    return regex == null || regex.trim().isEmpty();
  }

  private static Set<String> setOf(String... values) {
    return Collections.unmodifiableSet(new HashSet<>(Arrays.asList(values)));
  }

  // ------------------------------------------------------------------------------ text cut short (redactCutShort)

  /** An Oracle thin URL whose password reaches the end of the text: its '@' was cut off. */
  private static final Pattern ORACLE_OPEN_PASSWORD = Pattern.compile(
      "(?i)jdbc:oracle:[a-z0-9]+:[^\\s/@:;\"'<>]*/([^\\s@;\"'<>]+)\\z");
  /** The first characters of an access key id at the end of the text. */
  private static final Pattern OPEN_ACCESS_KEY_ID = Pattern.compile("(?:AKIA|ASIA)[A-Z0-9]{0,15}\\z");

  /** Where the earliest secret that may run on past the end of the (already redacted) text starts, or -1. */
  private int openSecretStart(String text) {
    int start = earliest(openUriPassword(text), openGroup(ORACLE_OPEN_PASSWORD, text, 1));
    if (text.contains("AKIA") || text.contains("ASIA")) {
      start = earliest(start, openGroup(OPEN_ACCESS_KEY_ID, text, 0));
    }
    for (Pattern pattern : textPatterns) {
      start = earliest(start, openMatch(pattern, text));
    }
    return start;
  }

  private static int earliest(int a, int b) {
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }

  private static int openGroup(Pattern pattern, String text, int group) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.start(group) : -1;
  }

  /**
   * The password of the last {@code scheme://user:...} when its authority reaches the end of the text: the '@' that
   * ends it (or a later one, as passwords may hold '@') may have been cut off. Also the AWS form whose secret holds
   * '/', when the text ends before the '@' that would tell it from a path.
   */
  private static int openUriPassword(String text) {
    int separator = text.lastIndexOf("://");
    if (separator < 0) {
      return -1;
    }
    int length = text.length();
    int colon = separator + 3;
    while (colon < length && !endsUserName(text.charAt(colon))) {
      colon++;
    }
    if (colon >= length || text.charAt(colon) != ':') {
      return -1;
    }
    int password = colon + 1;
    int end = password;
    boolean at = false;
    while (end < length && !endsAuthority(text.charAt(end))) {
      at |= text.charAt(end) == '@';
      end++;
    }
    if (end == length) {
      return password < length ? password : -1;
    }
    if (at || text.charAt(end) != '/' || end == password || allDigits(text, password, end)) {
      return -1;
    }
    int limit = Math.min(length, password + MAX_PASSWORD_WITH_SLASH);
    for (int i = end; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '@' || c != '/' && endsAuthority(c) || c == ',') {
        return -1;
      }
    }
    return limit == length ? password : -1;
  }

  /**
   * Where a match of {@code pattern} may have begun and been cut off by the end of the text. Only searched for when
   * a search for the pattern reached the end of the text, which for most patterns and texts it does not.
   */
  private static int openMatch(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      if (matcher.end() == text.length()) {
        // Masked by redact() already, and whatever it would have gone on with is cut off.
        return -1;
      }
    }
    if (!matcher.hitEnd()) {
      return -1;
    }
    int length = text.length();
    for (int start = 0; start < length; start++) {
      matcher.region(start, length);
      if (!matcher.lookingAt() && matcher.hitEnd()) {
        return start;
      }
    }
    return -1;
  }

  /** Builds the redacted copy lazily, so untouched text comes back as the very same instance. */
  private static final class Splicer {
    private final String text;
    private StringBuilder out;
    private int copied;

    Splicer(String text) {
      this.text = text;
    }

    /** Replaces text[start, end) by MASK, unless it is empty or already the mask. Spans must come in order. */
    void mask(int start, int end) {
      if (end <= start || start < copied
          || end - start == MASK.length() && text.startsWith(MASK, start)) {
        return;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 32);
      }
      out.append(text, copied, start).append(MASK);
      copied = end;
    }

    String result() {
      return out == null ? text : out.append(text, copied, text.length()).toString();
    }
  }
}
