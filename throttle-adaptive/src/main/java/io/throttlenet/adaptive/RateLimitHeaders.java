package io.throttlenet.adaptive;

import io.throttlenet.adaptive.internal.BuiltInFormats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads the rate-limit signals in an HTTP response into a {@link RateLimitStatus}. Never throws
 * for anything a server may send: unreadable values are left out, field by field, and the valid
 * fields of the same response are kept.
 *
 * <h2>Built-in formats</h2>
 *
 * <table>
 *   <caption>Formats, the fields they read and the dimensions they report</caption>
 *   <tr><th>constant</th><th>fields</th><th>dimensions</th></tr>
 *   <tr><td>{@link #RETRY_AFTER_MS}</td><td>{@code retry-after-ms}, {@code x-ms-retry-after-ms}
 *       (milliseconds, maybe fractional: OpenAI, Azure)</td><td>retry hint</td></tr>
 *   <tr><td>{@link #GOOGLE_RETRY_INFO}</td><td>body: {@code google.rpc.RetryInfo} {@code
 *       retryDelay} ({@code "1.5s"})</td><td>retry hint</td></tr>
 *   <tr><td>{@link #RETRY_AFTER}</td><td>{@code Retry-After}: delay-seconds or an HTTP-date
 *       (IMF-fixdate, RFC 850, asctime)</td><td>retry hint</td></tr>
 *   <tr><td>{@link #OPENAI} (also Groq, Azure OpenAI)</td><td>{@code
 *       x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, resets as Go durations ({@code
 *       6m0s}, {@code 1.5s}, {@code 20ms}, {@code 500us})</td><td>{@code requests}, {@code
 *       tokens}</td></tr>
 *   <tr><td>{@link #ANTHROPIC}</td><td>{@code
 *       anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}},
 *       resets as RFC 3339 instants</td><td>{@code requests}, {@code tokens}, {@code
 *       input_tokens}, {@code output_tokens}</td></tr>
 *   <tr><td>{@link #IETF_RATELIMIT} (also Cloudflare's API)</td><td>{@code RateLimit-Policy:
 *       "burst";q=100;w=60} (limit, window in seconds) and {@code RateLimit: "burst";r=50;t=30}
 *       (remaining, seconds until reset), RFC 9651 lists of any number of policies</td><td>the
 *       policy name</td></tr>
 *   <tr><td>{@link #IETF_RATELIMIT_LEGACY}</td><td>{@code RateLimit-Limit}, {@code
 *       RateLimit-Remaining}, {@code RateLimit-Reset} (seconds until reset)</td><td>{@code
 *       default}</td></tr>
 *   <tr><td>{@link #X}</td><td>{@code x-rate-limit-{limit,remaining,reset}}, reset in epoch
 *       seconds</td><td>{@code requests}</td></tr>
 *   <tr><td>{@link #SHOPIFY}</td><td>{@code X-Shopify-Shop-Api-Call-Limit: 32/40}
 *       (used/limit)</td><td>{@code requests}</td></tr>
 *   <tr><td>{@link #SHOPIFY_GRAPHQL}</td><td>body: {@code
 *       extensions.cost.throttleStatus.{maximumAvailable,currentlyAvailable,restoreRate}}; reset =
 *       time to refill; a {@code THROTTLED} error also gives a retry hint</td><td>{@code
 *       cost}</td></tr>
 *   <tr><td>{@link #X_RATELIMIT}</td><td>{@code X-RateLimit-{Limit,Remaining,Reset,Used}} as
 *       GitHub, Discord, Reddit and many unnamed APIs send them: see "Ambiguities"</td><td>see
 *       below</td></tr>
 *   <tr><td>{@link #GITHUB}</td><td>{@code x-ratelimit-{limit,remaining,used,reset}}, reset in
 *       epoch seconds, {@code x-ratelimit-resource}</td><td>the resource ({@code core} if
 *       absent)</td></tr>
 *   <tr><td>{@link #DISCORD}</td><td>{@code X-RateLimit-{Limit,Remaining,Reset,Reset-After}},
 *       {@code retry_after} (seconds) in a 429 body</td><td>{@code requests}</td></tr>
 *   <tr><td>{@link #REDDIT}</td><td>{@code X-Ratelimit-{Remaining,Reset}} (remaining maybe
 *       fractional, reset in seconds)</td><td>{@code requests}</td></tr>
 * </table>
 *
 * <p>Slack documents only {@code Retry-After} on its 429s, Stripe only the 429 status (its SDKs
 * back off on their own), and Cloudflare's API the IETF fields plus {@code Retry-After}: the
 * formats above cover them, and nothing more is documented to read.
 *
 * <h2>The default parser and precedence</h2>
 *
 * <p>{@link #parse} and {@link #defaults()} try, in this order: {@code RETRY_AFTER_MS}, {@code
 * GOOGLE_RETRY_INFO}, {@code RETRY_AFTER}, {@code OPENAI}, {@code ANTHROPIC}, {@code
 * IETF_RATELIMIT}, {@code IETF_RATELIMIT_LEGACY}, {@code X}, {@code SHOPIFY}, {@code
 * SHOPIFY_GRAPHQL}, {@code X_RATELIMIT}: more precise before less precise, provider-specific
 * before generic. {@code GITHUB}, {@code DISCORD} and {@code REDDIT} read the same header names
 * with different meanings, so the default parser holds {@code X_RATELIMIT}, which decides between
 * them per response, in their place; pass one of them to {@link #of} when you know the provider.
 *
 * <ul>
 *   <li><b>Limits, remaining, resets:</b> the first format (in precedence order) to report a value
 *       of a dimension wins; formats fill in what earlier ones left out.
 *   <li><b>Retry hints:</b> the largest wins, with one exception: a hint less than one second
 *       longer than one from a format of higher precedence is taken as that hint rounded to whole
 *       seconds ({@code retry-after-ms: 1500} with {@code Retry-After: 2}), and the precise one is
 *       kept.
 *   <li><b>A field sent several times</b> (several lines, or comma-separated values): each value is
 *       read on its own, invalid ones are dropped, and the most cautious valid one wins: the
 *       smallest limit and remaining, the longest retry hint, the latest reset.
 * </ul>
 *
 * <h2>Ambiguities and how they are decided</h2>
 *
 * <ul>
 *   <li><b>{@code X-RateLimit-*}</b> ({@link #X_RATELIMIT}): with {@code x-ratelimit-resource}
 *       present the response is GitHub's (dimension = the resource, reset in epoch seconds); with
 *       one of Discord's own fields ({@code X-RateLimit-Bucket}, {@code -Reset-After}, {@code
 *       -Global}, {@code -Scope}) it is Discord's ({@code requests}, {@code Reset-After}
 *       preferred); otherwise it is read generically as {@code requests}: a reset value of at least
 *       10<sup>9</sup> (2001-09-09 as epoch seconds, 31 years as a delay) is epoch seconds, a
 *       smaller one seconds until the reset; a fractional remaining (Reddit) rounds down; with
 *       limit and used but no remaining, remaining = limit - used.
 *   <li><b>Absolute times</b> (HTTP-dates, epoch seconds, RFC 3339) become {@code max(0, T -
 *       receivedAt)}; when the response has a valid {@code Date} header, the larger of {@code T -
 *       receivedAt} and {@code T - Date}, so a client clock running ahead cannot shorten a wait.
 *   <li><b>Numbers:</b> digits with an optional fraction; leading zeros carry no value ({@code
 *       00000000000000000001} is 1). A sign, an exponent, {@code NaN}, words, inner spaces make a
 *       value invalid (so a negative limit or remaining is ignored, not clamped). A fractional
 *       count rounds down. A count too large for a {@code long} saturates at {@link
 *       Long#MAX_VALUE}; a delay saturates at {@link #MAX_DELAY}, never wraps.
 *   <li><b>Durations</b> are whole milliseconds: a sub-millisecond remainder rounds up ({@code
 *       500us} is 1 ms). A Go-duration reset without a unit is read as seconds.
 *   <li><b>Bodies</b> are read only by the body formats and only when they contain the format's
 *       marker; a small JSON reader (linear time, bounded nesting) gives up on invalid JSON. JSON
 *       numbers follow the number rules above (an exponent is not read).
 * </ul>
 *
 * <p>Thread-safe and stateless: parsers and formats are immutable and shared.
 */
public final class RateLimitHeaders {

  /** The longest delay any built-in format reports (about 292 years, the most nanoseconds fit). */
  public static final Duration MAX_DELAY = Duration.ofMillis(Long.MAX_VALUE / 1_000_000L);

  /** {@code retry-after-ms} and {@code x-ms-retry-after-ms}: milliseconds, maybe fractional. */
  public static final HeaderFormat RETRY_AFTER_MS = BuiltInFormats.RETRY_AFTER_MS;

  /**
   * {@code Retry-After} (RFC 9110, 10.2.3): delay-seconds (a decimal fraction, as Shopify sends,
   * is accepted) or an HTTP-date in any of its three forms; a date already past gives zero.
   */
  public static final HeaderFormat RETRY_AFTER = BuiltInFormats.RETRY_AFTER;

  /** Google's {@code google.rpc.RetryInfo} detail in a JSON error body. */
  public static final HeaderFormat GOOGLE_RETRY_INFO = BuiltInFormats.GOOGLE_RETRY_INFO;

  /** OpenAI, Groq and Azure OpenAI: {@code requests} and {@code tokens}. */
  public static final HeaderFormat OPENAI = BuiltInFormats.OPENAI;

  /** Anthropic: {@code requests}, {@code tokens}, {@code input_tokens}, {@code output_tokens}. */
  public static final HeaderFormat ANTHROPIC = BuiltInFormats.ANTHROPIC;

  /** The IETF {@code RateLimit} and {@code RateLimit-Policy} fields: one dimension per policy. */
  public static final HeaderFormat IETF_RATELIMIT = BuiltInFormats.IETF;

  /** The earlier drafts' {@code RateLimit-Limit/-Remaining/-Reset}: dimension {@code default}. */
  public static final HeaderFormat IETF_RATELIMIT_LEGACY = BuiltInFormats.IETF_LEGACY;

  /** X (Twitter): {@code x-rate-limit-*}, reset in epoch seconds; dimension {@code requests}. */
  public static final HeaderFormat X = BuiltInFormats.X;

  /** Shopify REST: {@code X-Shopify-Shop-Api-Call-Limit}; dimension {@code requests}. */
  public static final HeaderFormat SHOPIFY = BuiltInFormats.SHOPIFY;

  /** Shopify GraphQL: the query cost in the body; dimension {@code cost}. */
  public static final HeaderFormat SHOPIFY_GRAPHQL = BuiltInFormats.SHOPIFY_GRAPHQL;

  /**
   * The shared {@code X-RateLimit-*} names, deciding per response between GitHub, Discord and the
   * generic reading (see the class comment).
   */
  public static final HeaderFormat X_RATELIMIT = BuiltInFormats.X_RATELIMIT;

  /**
   * GitHub: dimension from {@code x-ratelimit-resource} ({@code core} if absent), reset in epoch
   * seconds, remaining = limit - used if only those are sent. Reads any {@code x-ratelimit-*}
   * response as GitHub's; not in the default parser (see the class comment).
   */
  public static final HeaderFormat GITHUB = BuiltInFormats.GITHUB;

  /**
   * Discord: {@code requests} from {@code X-RateLimit-*} (reset-after in seconds preferred to
   * reset in epoch seconds) and {@code retry_after} (seconds) from a 429 body. Not in the default
   * parser (see the class comment), which reads Discord responses through {@link #X_RATELIMIT}.
   */
  public static final HeaderFormat DISCORD = BuiltInFormats.DISCORD;

  /**
   * Reddit: {@code X-Ratelimit-Remaining} (fractional, rounded down) and {@code X-Ratelimit-Reset}
   * (seconds until reset); dimension {@code requests}. Not in the default parser, whose generic
   * {@link #X_RATELIMIT} reading gives the same for Reddit's values.
   */
  public static final HeaderFormat REDDIT = BuiltInFormats.REDDIT;

  private static final Parser DEFAULTS = new Parser(BuiltInFormats.DEFAULTS);

  private RateLimitHeaders() {}

  /** Parses with every built-in format; see the class comment for precedence. */
  public static RateLimitStatus parse(Map<String, List<String>> headers, Instant receivedAt) {
    return DEFAULTS.parse(headers, null, receivedAt);
  }

  /** Parses headers and (for formats that put signals there) the body, which may be null. */
  public static RateLimitStatus parse(
      Map<String, List<String>> headers, String body, Instant receivedAt) {
    return DEFAULTS.parse(headers, body, receivedAt);
  }

  /**
   * A parser that tries only {@code formats}, in the order given (earlier ones take precedence).
   *
   * @throws NullPointerException if {@code formats} or one of them is null
   */
  public static Parser of(HeaderFormat... formats) {
    Objects.requireNonNull(formats, "formats");
    for (int i = 0; i < formats.length; i++) {
      if (formats[i] == null) {
        throw new NullPointerException("formats[" + i + "] is null");
      }
    }
    return new Parser(List.of(formats));
  }

  /** The parser {@link #parse} uses: every built-in format. */
  public static Parser defaults() {
    return DEFAULTS;
  }

  /**
   * Parses with a fixed list of formats, merging what they find by the rules of the class
   * comment. Immutable and thread-safe.
   */
  public static final class Parser {
    private static final Duration ROUNDING = Duration.ofSeconds(1);

    private final List<HeaderFormat> formats;

    private Parser(List<HeaderFormat> formats) {
      this.formats = formats;
    }

    /** The formats tried, in order of precedence. */
    public List<HeaderFormat> formats() {
      return formats;
    }

    /**
     * Parses {@code headers} (names case-insensitive).
     *
     * @throws NullPointerException if {@code headers} or {@code receivedAt} is null
     */
    public RateLimitStatus parse(Map<String, List<String>> headers, Instant receivedAt) {
      return parse(headers, null, receivedAt);
    }

    /**
     * Parses {@code headers} (names case-insensitive) and {@code body} (may be null). A format
     * that throws (a user format breaking its contract) contributes nothing; the others still do.
     *
     * @throws NullPointerException if {@code headers} or {@code receivedAt} is null
     */
    public RateLimitStatus parse(
        Map<String, List<String>> headers, String body, Instant receivedAt) {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(receivedAt, "receivedAt");
      Map<String, List<String>> byName = caseInsensitive(headers);
      RateLimitStatus.Builder status = RateLimitStatus.builder(receivedAt);
      Duration retry = null;
      for (HeaderFormat f : formats) {
        RateLimitStatus found;
        try {
          RateLimitStatus.Builder own = RateLimitStatus.builder(receivedAt);
          f.read(byName, body, own);
          found = own.build();
        } catch (RuntimeException e) {
          continue; // A user format broke its contract; what the others found still stands.
        }
        for (RateLimitStatus.Dimension d : found.dimensions()) {
          status.dimension(d);
        }
        if (found.retryAfter().isPresent()) {
          Duration hint = found.retryAfter().get();
          if (retry == null || hint.minus(retry).compareTo(ROUNDING) >= 0) {
            retry = hint; // the largest wins, unless it is only a rounding of a precise one
          }
        }
      }
      if (retry != null) {
        status.retryAfter(retry);
      }
      return status.build();
    }

    private static Map<String, List<String>> caseInsensitive(Map<String, List<String>> headers) {
      Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getValue() != null) {
          byName.merge(
              e.getKey(),
              e.getValue(),
              (a, b) -> {
                List<String> both = new ArrayList<>(a);
                both.addAll(b);
                return both;
              });
        }
      }
      return byName;
    }
  }
}
