package io.throttlenet.examples;

import java.util.List;
import java.util.Locale;

/**
 * The main job's report: one self-contained XHTML page (inline SVG and CSS, no script, no
 * external asset, so it opens from disk and parses as XML) with, per phase side by side, the
 * requests and tokens the provider accepted in each second against its budget, and every 429 and
 * 503 marked where it happened; then the table the console prints.
 *
 * <p>The budget line is the provider's sustained rate (its limit per window, spread over the
 * window); a bucket that starts full lets the first seconds go above it, which is not an
 * overrun. Stateless.
 */
final class LlmReport {
  private static final int WIDTH = 480;
  private static final int HEIGHT = 200;
  private static final int LEFT = 56;
  private static final int RIGHT = 12;
  private static final int TOP = 16;
  private static final int BOTTOM = 44;

  private LlmReport() {}

  static String xhtml(List<LlmProviderDemo.Report> reports, SimulatedLlmProvider.Limits limits) {
    double windowSeconds = limits.window().toNanos() / 1e9;
    double requestRate = limits.requests() / windowSeconds;
    double tokenRate = limits.tokens() / windowSeconds;
    int seconds = 1;
    for (LlmProviderDemo.Report r : reports) {
      seconds = Math.max(seconds, (int) Math.ceil(r.seconds()));
    }
    double maxRequests = requestRate;
    double maxTokens = tokenRate;
    for (LlmProviderDemo.Report r : reports) {
      for (long v : perSecond(r, seconds, false)) {
        maxRequests = Math.max(maxRequests, v);
      }
      for (long v : perSecond(r, seconds, true)) {
        maxTokens = Math.max(maxTokens, v);
      }
    }
    StringBuilder h = new StringBuilder(16_384);
    h.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n")
        .append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"UTF-8\"/>\n<title>throttle-net: LLM provider budget</title>\n")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:4px 12px;text-align:right}")
        .append(
            "th:first-child,td:first-child{text-align:left}tr:nth-child(even){background:#f4f4f4}")
        .append(".phases{display:flex;gap:2em;flex-wrap:wrap}.legend span{margin-right:1.5em}")
        .append("</style>\n</head>\n<body>\n")
        .append("<h1>Requests and tokens per second against the provider's budget</h1>\n")
        .append("<p>A simulated LLM provider allows ")
        .append(limits.requests())
        .append(" requests and ")
        .append(String.format(Locale.ROOT, "%,d", limits.tokens()))
        .append(" tokens per ")
        .append(limits.window().toSeconds())
        .append(" s. Bars: what it accepted in each second; ")
        .append("dashed line: its sustained budget; red marks: 429 answers, orange: 503s.</p>\n")
        .append("<p class=\"legend\"><span style=\"color:#3b6fb6\">&#9632; accepted</span>")
        .append("<span style=\"color:#444\">- - budget</span>")
        .append("<span style=\"color:#d62728\">&#9650; 429</span>")
        .append("<span style=\"color:#ff7f0e\">&#9650; 503</span></p>\n")
        .append("<div class=\"phases\">\n");
    for (LlmProviderDemo.Report r : reports) {
      h.append("<section>\n<h2>").append(escape(r.label())).append("</h2>\n");
      chart(
          h,
          "requests per second",
          perSecond(r, seconds, false),
          requestRate,
          maxRequests,
          r,
          seconds);
      chart(h, "tokens per second", perSecond(r, seconds, true), tokenRate, maxTokens, r, seconds);
      h.append("</section>\n");
    }
    h.append("</div>\n");
    table(h, reports);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** Requests (or tokens) the provider accepted in each second of the phase. */
  private static long[] perSecond(LlmProviderDemo.Report r, int seconds, boolean tokens) {
    long[] bins = new long[seconds];
    for (SimulatedLlmProvider.Answer a : r.answers()) {
      if (a.status() == 200) {
        int i = (int) Math.min(seconds - 1, a.nanos() / 1_000_000_000L);
        bins[i] += tokens ? a.tokens() : 1;
      }
    }
    return bins;
  }

  private static void chart(
      StringBuilder h,
      String title,
      long[] bins,
      double budget,
      double max,
      LlmProviderDemo.Report r,
      int seconds) {
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    double step = niceStep(max / 4);
    int ticks = (int) Math.ceil(max * 1.05 / step);
    double top = ticks * step;
    double barW = plotW / seconds;
    h.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" role=\"img\" aria-label=\"%s, %s\">\n",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            escape(title),
            escape(r.label())));
    h.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"12\" font-size=\"12\">%s</text>\n",
            LEFT,
            escape(title)));
    // axes and y ticks
    h.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
            LEFT,
            TOP,
            LEFT,
            HEIGHT - BOTTOM));
    h.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
            LEFT,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM));
    for (int t = 0; t <= ticks; t++) {
      double v = step * t;
      double y = HEIGHT - BOTTOM - plotH * t / ticks;
      h.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%,.0f</text>\n",
              LEFT - 4,
              y + 3,
              v));
    }
    for (int s = 0; s < seconds; s++) {
      double height = plotH * bins[s] / top;
      h.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                  + " fill=\"#3b6fb6\"><title>second %d: %,d</title></rect>\n",
              LEFT + s * barW + 1,
              HEIGHT - BOTTOM - height,
              Math.max(1, barW - 2),
              height,
              s + 1,
              bins[s]));
      if (seconds <= 30 || s % 5 == 0) {
        h.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%d</text>\n",
                LEFT + (s + 0.5) * barW,
                HEIGHT - BOTTOM + 11,
                s + 1));
      }
    }
    double budgetY = HEIGHT - BOTTOM - plotH * budget / top;
    h.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\" stroke-dasharray=\"6"
                + " 4\"/>\n",
            LEFT,
            budgetY,
            WIDTH - RIGHT,
            budgetY));
    h.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\" fill=\"#444\">"
                + "budget %,.0f/s</text>\n",
            WIDTH - RIGHT,
            budgetY - 3,
            budget));
    // every 429 and 503 where it happened, on a strip under the axis
    double stripY = HEIGHT - BOTTOM + 24;
    for (SimulatedLlmProvider.Answer a : r.answers()) {
      if (a.status() == 429 || a.status() == 503) {
        double x = LEFT + Math.min(plotW, plotW * a.nanos() / (seconds * 1e9));
        h.append(
            String.format(
                Locale.ROOT,
                "<path d=\"M %.1f %.1f l -4 8 l 8 0 z\" fill=\"%s\""
                    + " fill-opacity=\"0.7\"><title>%d</title></path>\n",
                x,
                stripY,
                a.status() == 429 ? "#d62728" : "#ff7f0e",
                a.status()));
      }
    }
    h.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"9\">seconds</text>\n",
            WIDTH - RIGHT - 40,
            HEIGHT - 2));
    h.append("</svg>\n");
  }

  /** The 1, 2 or 5 times a power of ten nearest above {@code raw}: a tick step people read. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static void table(StringBuilder h, List<LlmProviderDemo.Report> reports) {
    h.append("<h2>Summary</h2>\n<table>\n<tr><th></th>");
    for (LlmProviderDemo.Report r : reports) {
      h.append("<th>").append(escape(r.label())).append("</th>");
    }
    h.append("</tr>\n");
    row(h, "calls ok / failed", reports, r -> r.ok() + " / " + r.failed());
    row(h, "429s received", reports, r -> Integer.toString(r.tooManyRequests()));
    row(h, "503s received (retried)", reports, r -> Integer.toString(r.unavailable()));
    row(
        h,
        "requests accepted / allowed",
        reports,
        r -> String.format(Locale.ROOT, "%,d / %,d", r.requests(), r.allowedRequests()));
    row(
        h,
        "tokens used / allowed in that time",
        reports,
        r -> String.format(Locale.ROOT, "%,d / %,d", r.tokens(), r.allowedTokens()));
    row(
        h,
        "share of the budget used",
        reports,
        r -> String.format(Locale.ROOT, "%.0f %%", 100 * r.budgetUsed()));
    row(
        h,
        "call latency p50 / p99",
        reports,
        r ->
            LlmProviderDemo.percentile(r.latenciesMillis(), 0.5)
                + " / "
                + LlmProviderDemo.percentile(r.latenciesMillis(), 0.99)
                + " ms");
    row(h, "wall time", reports, r -> String.format(Locale.ROOT, "%.1f s", r.seconds()));
    h.append("</table>\n");
  }

  private static void row(
      StringBuilder h,
      String name,
      List<LlmProviderDemo.Report> reports,
      java.util.function.Function<LlmProviderDemo.Report, String> cell) {
    h.append("<tr><td>").append(escape(name)).append("</td>");
    for (LlmProviderDemo.Report r : reports) {
      h.append("<td>").append(escape(cell.apply(r))).append("</td>");
    }
    h.append("</tr>\n");
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
