-- Push subscription keys (Web Push p256dh/auth) are sealed like refresh tokens: AES-256-GCM with the
-- token key, bound to the target's channel and address. keys_json then holds the sealed text, and this
-- column the fingerprint of the key that sealed it; NULL means keys_json is the plaintext JSON written
-- before this version, which the service seals at its next start (SQL cannot encrypt).
ALTER TABLE push_target ADD COLUMN keys_key_id VARCHAR(16);
