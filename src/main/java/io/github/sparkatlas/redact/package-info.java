/**
 * Masking of secrets in free text (query plans, paths and URIs, exception messages) before the agent stores, sends
 * or logs it. Kept free of Spark classes so it can run anywhere, including on strings captured long after the query.
 */
package io.github.sparkatlas.redact;
