-- E-mail notices: each account's address and preference, the outbox of notable events
-- (written in the same transaction as the event itself), and the queue of messages that the
-- sender task drains with retries. Instants are BIGINT microseconds (UTC).

CREATE TABLE mail_settings (
    account_id   BIGINT  PRIMARY KEY REFERENCES accounts(id),
    address      TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('immediate','digest','none')),
    -- The end of the period the last daily digest covered.
    digest_since BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

-- One row per notable event, in the transaction that recorded it; expanded into messages
-- (one per concerned recipient who may see the body) by the sender task.
CREATE TABLE mail_events (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('meeting-scheduled','meeting-changed','draft-event','action-assigned')),
    subject_id  BIGINT  NOT NULL,
    seq         BIGINT,
    at          BIGINT  NOT NULL,
    expanded_at BIGINT
);
CREATE INDEX mail_events_pending ON mail_events(expanded_at, id);
CREATE INDEX mail_events_at ON mail_events(at);

CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT  REFERENCES mail_events(id),
    account_id      BIGINT  NOT NULL REFERENCES accounts(id),
    address         TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    sent_at         BIGINT,
    abandoned_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, abandoned_at, next_attempt_at);
