package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.reports.Periods.Unit;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Period keys of report firings: the unit from the cadence, the zone's calendar, and a late catch-up fire. */
class PeriodsTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String MONDAY_7 = "0 0 7 ? * MON";
    private static final String FIRST_OF_MONTH = "0 30 0 1 * ?";

    private static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    @ParameterizedTest(name = "{0} fires by {1}")
    @CsvSource(delimiter = '|', value = {
            "0 30 6 * * ?         | DAY",
            "0 30 2 * * ?         | DAY",
            "0 0 7 ? * MON-FRI    | DAY",
            "0 0 7 ? * MON        | WEEK",
            "0 0 23 ? * SUN       | WEEK",
            "0 0 7 1,15 * ?       | WEEK",
            "0 30 0 1 * ?         | MONTH",
            "0 0 18 L * ?         | MONTH",
            "0 0 6 ? * 2#1        | MONTH"})
    void theUnitIsTheCoarsestInWhichTheScheduleNeverFiresTwice(String cron, Unit unit) {
        // the window holds both 2026 clock changes: 02:30 on the autumn night must not count as two firings that day
        assertEquals(unit, Periods.cadence(cron, BERLIN, berlin("2026-11-23T12:00:00")));
    }

    @Test
    void weeklyFiringsAcrossTheYearBoundaryHaveIsoWeekKeys() {
        assertEquals("2026-W52", Periods.of(MONDAY_7, BERLIN, berlin("2026-12-21T07:00:00")));
        assertEquals("2026-W53", Periods.of(MONDAY_7, BERLIN, berlin("2026-12-28T07:00:00")), "2026 has 53 ISO weeks");
        assertEquals("2027-W01", Periods.of(MONDAY_7, BERLIN, berlin("2027-01-04T07:00:00")));
        // caught up on New Year's Day (service down since before Monday's firing): the week of that Monday's firing
        assertEquals("2026-W53", Periods.of(MONDAY_7, BERLIN, berlin("2027-01-01T10:00:00")));
    }

    @Test
    void monthlyFiringsFallInTheMonthOfTheSchedulesZone() {
        Instant newYear = berlin("2027-01-01T00:30:00");
        assertEquals(Instant.parse("2026-12-31T23:30:00Z"), newYear, "still December in UTC");
        assertEquals("2027-01", Periods.of(FIRST_OF_MONTH, BERLIN, newYear));
        assertEquals("2026-12", Periods.of(FIRST_OF_MONTH, BERLIN, berlin("2026-12-01T00:30:00")));
        // down across three firings, caught up on the 20th: one period, the one of the last missed firing
        assertEquals("2027-03", Periods.of(FIRST_OF_MONTH, BERLIN, berlin("2027-03-20T09:15:00")));
        // a run started by hand in the half hour before the January firing belongs to December's
        assertEquals("2026-12", Periods.of(FIRST_OF_MONTH, BERLIN, berlin("2027-01-01T00:10:00")));
    }

    @Test
    void firingsAcrossDaylightSavingChangesKeepTheirLocalCalendarDay() {
        String monday0030 = "0 30 0 ? * MON";
        // spring forward on Sunday 2026-03-29: Monday 00:30 CEST is Sunday 22:30 UTC
        Instant spring = berlin("2026-03-30T00:30:00");
        assertEquals(Instant.parse("2026-03-29T22:30:00Z"), spring);
        assertEquals("2026-W14", Periods.of(monday0030, BERLIN, spring));
        assertEquals("2026-W13", Periods.of(monday0030, BERLIN, berlin("2026-03-23T00:30:00")));
        // fall back on Sunday 2026-10-25: Monday 00:30 CET is Sunday 23:30 UTC
        Instant autumn = berlin("2026-10-26T00:30:00");
        assertEquals(Instant.parse("2026-10-25T23:30:00Z"), autumn);
        assertEquals("2026-W44", Periods.of(monday0030, BERLIN, autumn));
        // a daily report on both change days: one day each, none skipped or doubled
        String daily = "0 30 0 * * ?";
        assertEquals("2026-03-29", Periods.of(daily, BERLIN, Instant.parse("2026-03-28T23:30:00Z")));
        assertEquals("2026-03-30", Periods.of(daily, BERLIN, Instant.parse("2026-03-29T22:30:00Z")));
        assertEquals("2026-10-25", Periods.of(daily, BERLIN, Instant.parse("2026-10-24T22:30:00Z")));
        assertEquals("2026-10-26", Periods.of(daily, BERLIN, Instant.parse("2026-10-25T23:30:00Z")));
    }

    @Test
    void aLateCatchUpFireNeverTakesTheNextRegularFiringsPeriod() {
        String sunday23 = "0 0 23 ? * SUN";
        // missed Sunday 2026-11-29 23:00, caught up at start-up on Monday 01:00 (the next ISO week)
        String caughtUp = Periods.of(sunday23, BERLIN, berlin("2026-11-30T01:00:00"));
        String nextRegular = Periods.of(sunday23, BERLIN, berlin("2026-12-06T23:00:00"));
        assertEquals("2026-W48", caughtUp);
        assertEquals("2026-W49", nextRegular);
    }

    @Test
    void aScheduleFiringSeveralTimesADayNeedsAnExplicitUnitAndThenSharesOneRunADay() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Periods.of("0 0 * * * ?", BERLIN, berlin("2026-11-23T09:00:00")));
        assertTrue(e.getMessage().contains("more than once a day") && e.getMessage().contains("0 0 * * * ?"), e.getMessage());
        assertEquals("2026-11-23", Periods.of("0 0 * * * ?", BERLIN, berlin("2026-11-23T09:00:00"), Unit.DAY));
        assertEquals("2026-11-23", Periods.of("0 0 * * * ?", BERLIN, berlin("2026-11-23T17:00:00"), Unit.DAY));
        assertEquals("2026-11", Periods.of(MONDAY_7, BERLIN, berlin("2026-11-23T07:00:00"), Unit.MONTH));
    }

    @Test
    void aBadCronIsNamedWithTheSyntaxItShouldHave() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Periods.of("every monday", BERLIN, Instant.parse("2026-11-23T07:00:00Z")));
        assertTrue(e.getMessage().contains("'every monday'") && e.getMessage().contains("Quartz cron"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2026-11-23, DAY", "2026-W48, WEEK", "2026-W53, WEEK", "2026-W01, WEEK", "2026-11, MONTH",
            "2026-11-23T14, HOUR", "2026-11-23T14:05, MINUTE"})
    void periodKeysAreRecognised(String key, Unit unit) {
        assertEquals(unit, Periods.unitOf(key));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource({"2027-W53", "2026-W00", "2026-13", "2026-02-30", "26-11", "2026-11-23T24", "2026-11-23T14:60",
            "2026-11-23T14:05:00", "'2026-11 '", "''"})
    void otherPeriodKeysAreRefused(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Periods.unitOf(key));
        assertTrue(e.getMessage().contains("2026-W48"), e.getMessage());
    }

    @Test
    void unitsParseFromTheReportsPeriodKey() {
        assertEquals(Unit.WEEK, Periods.Unit.parse(" Week "));
        assertThrows(IllegalArgumentException.class, () -> Periods.Unit.parse("quarter"));
    }

    @Test
    void aRunsWindowRunsFromTheFiringBeforeToItsOwnFiring() {
        RunWindow caughtUp = Periods.window(MONDAY_7, BERLIN, berlin("2026-12-02T10:00:00"), null);
        assertEquals("2026-W49", caughtUp.period());
        assertEquals(berlin("2026-11-23T07:00:00"), caughtUp.start());
        assertEquals(berlin("2026-11-30T07:00:00"), caughtUp.end(), "a late fire covers the week up to its firing");
        RunWindow month = Periods.window(FIRST_OF_MONTH, BERLIN, berlin("2027-01-01T00:30:00"), null);
        assertEquals("2027-01", month.period());
        assertEquals(berlin("2026-12-01T00:30:00"), month.start());
        assertEquals(berlin("2027-01-01T00:30:00"), month.end());
    }

    @Test
    void aPeriodKeyGivesTheWindowOfItsFiringAndAKeyOfAnotherUnitIsRefused() {
        RunWindow week = Periods.window(MONDAY_7, BERLIN, "2026-W53", null);
        assertEquals("2026-W53", week.period());
        assertEquals(berlin("2026-12-21T07:00:00"), week.start());
        assertEquals(berlin("2026-12-28T07:00:00"), week.end());
        assertEquals(week, Periods.window(MONDAY_7, BERLIN, berlin("2026-12-28T07:00:00"), null));
        RunWindow firstWeek = Periods.window(MONDAY_7, BERLIN, "2027-W01", null);
        assertEquals(berlin("2027-01-04T07:00:00"), firstWeek.end());
        IllegalArgumentException wrongUnit = assertThrows(IllegalArgumentException.class,
                () -> Periods.window(MONDAY_7, BERLIN, "2026-12", null));
        assertTrue(wrongUnit.getMessage().contains("weeks (") && wrongUnit.getMessage().contains("not months like '2026-12'"),
                wrongUnit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Periods.window(MONDAY_7, BERLIN, "2026-W60", null));
    }

    @Test
    void theLatestFiringIsWhatAStartUpCatchesUp() {
        assertEquals(berlin("2026-11-30T07:00:00"), Periods.latestFiring(MONDAY_7, BERLIN, berlin("2026-12-02T10:00:00")).orElseThrow());
        assertTrue(Periods.latestFiring("0 0 7 1 1 ? 2099", BERLIN, berlin("2026-12-02T10:00:00")).isEmpty());
    }

    @Test
    void aScheduleFiringEveryMinuteHasARunPerMinuteWithItsOwnWindow() {
        String everyMinute = "0 * * * * ?";
        assertThrows(IllegalArgumentException.class, () -> Periods.of(everyMinute, BERLIN, berlin("2026-12-01T10:00:30")),
                "no unit follows from a cadence of more than once a day");
        RunWindow window = Periods.window(everyMinute, BERLIN, berlin("2026-12-01T10:05:30"), Unit.MINUTE);
        assertEquals("2026-12-01T10:05", window.period());
        assertEquals(berlin("2026-12-01T10:04:00"), window.start());
        assertEquals(berlin("2026-12-01T10:05:00"), window.end());
        assertEquals(window, Periods.window(everyMinute, BERLIN, "2026-12-01T10:05", Unit.MINUTE));
        assertEquals("2026-12-01T10", Periods.window("0 0/15 * * * ?", BERLIN, berlin("2026-12-01T10:50:00"), Unit.HOUR).period());
    }
}
