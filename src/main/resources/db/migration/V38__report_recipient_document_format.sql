-- The format of a recipient's own document (perRecipient reports: csv, html, pdf; digests: json), so that retention
-- (io.mailroute.reports.ReportRetention) finds its file: the run's document_format is NULL when every recipient has a
-- document of their own. Rows written before this column have NULL here; retention then tries each format.
ALTER TABLE report_recipient ADD COLUMN document_format VARCHAR(8);
