-- Operational alerts, one row per condition (kind + subject), so that a condition that keeps
-- happening raises one alert per window, then a reminder, then a resolved note.
CREATE TABLE alert (
    condition_key    VARCHAR(256) PRIMARY KEY,
    kind             VARCHAR(64)  NOT NULL,
    subject          VARCHAR(190) NOT NULL,
    state            VARCHAR(16)  NOT NULL,              -- OPEN, RESOLVED
    occurrences      INTEGER      NOT NULL,
    first_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    last_event_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_notified_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_summary     VARCHAR(2000)
);
