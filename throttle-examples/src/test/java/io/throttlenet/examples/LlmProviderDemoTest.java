package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The main job's claim, on loopback and in real time: through the client, callers exceed neither
 * of the provider's budgets (no 429) even though they ask for well over its burst; without the
 * limiter, the same load collects 429s. Both phases ask for about twice the provider's burst, so
 * neither result can come from the burst alone. What could break the first claim is timing: we
 * charge a call when we grant it, the provider when it arrives, so calls delayed and then bunched
 * could exceed the provider's window. With 80% of the budget the margin covers delays of up to
 * 0.2 × 10 s / 0.8 = 2.5 s between grant and arrival, far beyond a loaded machine's stalls; and
 * header sync holds the limiter to what the provider says is left. Then the report: written,
 * well-formed XHTML with a chart per phase and the table.
 */
class LlmProviderDemoTest {

  @Test
  void theClientAvoids429s_goingWithoutTheLimiterCollectsThem_andTheReportIsWellFormed(
      @TempDir Path dir) throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    LlmProviderDemo.Report throttled = LlmProviderDemo.run("throttled", true, 0.8, 50, 12, out);
    assertThat(throttled.tooManyRequests()).isZero();
    assertThat(throttled.ok()).isEqualTo(50);
    assertThat(throttled.tokens())
        .isGreaterThan(LlmProviderDemo.LIMITS.tokens()); // beyond the burst
    assertThat(throttled.budgetUsed()).isBetween(0.3, 1.0);

    LlmProviderDemo.Report unthrottled =
        LlmProviderDemo.run("unthrottled", false, 0.8, 50, 12, out);
    assertThat(unthrottled.tooManyRequests()).isPositive();

    LlmProviderDemo.printTable(List.of(throttled, unthrottled), out);
    assertThat(sink.toString(StandardCharsets.UTF_8))
        .contains("429s received", "tokens used / allowed", "share of the budget used");

    Path file =
        LlmProviderDemo.writeReport(
            List.of(throttled, unthrottled), dir.resolve("sub/report.html"));
    assertThat(file).exists();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document doc = f.newDocumentBuilder().parse(file.toFile()); // throws unless well-formed
    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("html");
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength())
        .isEqualTo(4);
    assertThat(doc.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "table").getLength())
        .isEqualTo(1);
    String html = Files.readString(file);
    // no external assets: nothing links anywhere but the namespace names
    assertThat(
            html.replace("http://www.w3.org/1999/xhtml", "")
                .replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http:", "https:", "src=");
    assertThat(html).contains("<title>429</title>"); // the unthrottled phase's 429s are marked
  }
}
