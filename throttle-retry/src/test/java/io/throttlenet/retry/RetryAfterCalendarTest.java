package io.throttlenet.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The calendar arithmetic of {@link RetryAfter}, against java.time as the reference. */
class RetryAfterCalendarTest {
  private static final DateTimeFormatter IMF =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);
  private static final DateTimeFormatter RFC850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.ENGLISH);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

  private static final long YEAR_1900 = Instant.parse("1900-01-01T00:00:00Z").getEpochSecond();
  private static final long YEAR_9999_END = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  /** What a date {@code at} means relative to {@code now}: the time until it, or zero if past. */
  private static Duration expected(Instant at, Instant now) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static String format(DateTimeFormatter f, Instant at) {
    return f.format(ZonedDateTime.ofInstant(at, ZoneOffset.UTC));
  }

  @Test
  void imfAndAsctimeDates_matchJavaTime_forAnyDateAndNow() {
    qt().withExamples(3_000)
        .forAll(
            longs().between(YEAR_1900, YEAR_9999_END),
            longs().between(YEAR_1900, YEAR_9999_END),
            integers().between(0, 999_999_999))
        .checkAssert(
            (date, nowSecond, nowNano) -> {
              Instant at = Instant.ofEpochSecond(date);
              Instant now = Instant.ofEpochSecond(nowSecond, nowNano);
              assertThat(RetryAfter.parse(format(IMF, at), now)).contains(expected(at, now));
              assertThat(RetryAfter.parse(format(ASCTIME, at), now)).contains(expected(at, now));
            });
  }

  @Test
  void rfc850Dates_withinFiftyYearsOfNow_matchJavaTime() {
    long fortyNineYears = Duration.ofDays(49 * 365).getSeconds();
    qt().withExamples(2_000)
        .forAll(
            longs().between(YEAR_1900 + fortyNineYears, YEAR_9999_END - fortyNineYears),
            longs().between(-fortyNineYears, fortyNineYears),
            integers().between(0, 999_999_999))
        .checkAssert(
            (nowSecond, offset, nowNano) -> {
              Instant now = Instant.ofEpochSecond(nowSecond, nowNano);
              Instant at = Instant.ofEpochSecond(nowSecond + offset);
              assertThat(RetryAfter.parse(format(RFC850, at), now)).contains(expected(at, now));
            });
  }

  @Test
  void fieldsAtTheirLargestValidValue_areAccepted() {
    Instant now = Instant.parse("1994-11-06T00:00:00Z");
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 23:59:59 GMT", now))
        .contains(Duration.ofSeconds(86_399));
    assertThat(RetryAfter.parse("Sun, 01 Nov 1994 00:00:00 GMT", Instant.parse("1994-10-31T23:59:00Z")))
        .contains(Duration.ofSeconds(60));
    assertThat(RetryAfter.parse("Wed, 30 Nov 1994 00:00:00 GMT", now)).contains(Duration.ofDays(24));
  }

  @Test
  void leapSecond60_isAcceptedAsTheNextSecond() {
    Instant now = Instant.parse("2016-12-31T23:59:50Z");
    assertThat(RetryAfter.parse("Sat, 31 Dec 2016 23:59:60 GMT", now)).contains(Duration.ofSeconds(10));
    assertThat(RetryAfter.parse("Sat, 31 Dec 2016 23:59:61 GMT", now)).isEmpty();
  }

  @Test
  void yearsZeroAnd9999_areTheEdgesOfTheRange() {
    assertThat(RetryAfter.parse("Sat, 01 Jan 0000 00:00:10 GMT", Instant.parse("0000-01-01T00:00:00Z")))
        .contains(Duration.ofSeconds(10));
    assertThat(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", Instant.parse("9999-12-31T23:59:49Z")))
        .contains(Duration.ofSeconds(10));
  }

  @Test
  void aDateInTheSameSecondAsNow_isZero_notNegative() {
    Instant now = Instant.parse("1994-11-06T08:49:37.500Z");
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:38 GMT", now)).contains(Duration.ofMillis(500));
  }

  @Test
  void rfc850Year_exactlyFiftyYearsBack_meansFiftyYearsAhead() {
    Instant now = Instant.parse("2060-01-01T00:00:00Z");
    // "10": 2010 is exactly 50 years back, so it is read as 2110, exactly 50 years ahead
    assertThat(RetryAfter.parse("Wednesday, 01-Jan-10 00:00:00 GMT", now))
        .contains(Duration.between(now, Instant.parse("2110-01-01T00:00:00Z")));
  }

  @Test
  void secondsAtTheLongLimit_saturate() {
    assertThat(RetryAfter.parse("9223372036854775807", Instant.EPOCH)).contains(RetryAfter.MAX);
    assertThat(RetryAfter.parse("9999999999999999999", Instant.EPOCH)).contains(RetryAfter.MAX);
    assertThat(RetryAfter.parse("9223372036854775806", Instant.EPOCH))
        .contains(Duration.ofSeconds(Long.MAX_VALUE - 1));
  }
}
