-- Mail parsing (issue 10): what a message said that has no column yet.
-- The From header's further addresses (a second address with or without a comma, a second From header),
-- as a JSON array of {address, name}; the first one stays in from_address.
ALTER TABLE mail_message ADD COLUMN from_others TEXT;
-- Why an attachment's transfer encoding could not be undone (an empty or truncated x-uuencode part);
-- NULL when it was decoded. Such an attachment's bytes (sha256) are the part as sent, still encoded.
ALTER TABLE attachment ADD COLUMN undecodable_reason VARCHAR(2000);
