package io.github.sparkatlas.lineage;

import java.net.URI;
import java.util.Objects;

/** A directory or file root read or written by path, with its fully qualified URI (scheme always present). */
public final class PathDataset extends Dataset {
  private final URI uri;

  private PathDataset(URI uri) {
    this.uri = uri;
  }

  /**
   * @param uri a fully qualified URI; a trailing slash is dropped so that one directory has one name, and an
   *            empty authority is written as Hadoop writes it ({@code file:/x}, not {@code file:///x}), the
   *            form Atlas's own hooks use for the same path
   */
  public static PathDataset of(URI uri) {
    Objects.requireNonNull(uri.getScheme(), "a dataset path must be qualified: " + uri);
    uri = withoutCredentials(uri);
    String text = uri.toString();
    String emptyAuthority = uri.getScheme() + ":///";
    if (uri.getRawAuthority() == null && text.startsWith(emptyAuthority)) {
      text = uri.getScheme() + ":/" + text.substring(emptyAuthority.length());
    }
    String path = uri.getRawPath();
    boolean plain = uri.getRawQuery() == null && uri.getRawFragment() == null;
    while (plain && path != null && path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
      text = text.substring(0, text.length() - 1);
    }
    return new PathDataset(URI.create(text));
  }

  /**
   * A dataset is named after the place, never after the credentials used to reach it: a password in the user
   * info ({@code s3a://KEY:SECRET@bucket/x}) and the query ({@code ?sv=...&sig=...}, a SAS token) are dropped.
   * A user info without a password stays: in {@code abfss://container@account...} it is the container.
   */
  private static URI withoutCredentials(URI uri) {
    String userInfo = uri.getRawUserInfo();
    boolean secretUser = userInfo != null && userInfo.indexOf(':') >= 0;
    if (uri.isOpaque() || !secretUser && uri.getRawQuery() == null && uri.getRawFragment() == null) {
      return uri;
    }
    String authority = uri.getRawAuthority();
    if (secretUser && authority != null) {
      authority = authority.substring(authority.lastIndexOf('@') + 1);
    }
    StringBuilder text = new StringBuilder(uri.getScheme()).append(':');
    if (authority != null) {
      text.append("//").append(authority);
    }
    text.append(uri.getRawPath() == null ? "" : uri.getRawPath());
    return URI.create(text.toString());
  }

  public URI uri() {
    return uri;
  }

  public String scheme() {
    return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String key() {
    return "path:" + uri;
  }
}
