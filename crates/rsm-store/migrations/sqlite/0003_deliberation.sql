-- Deliberation: meetings, agenda items, documents with language versions and
-- content-addressed blobs, draft decisions and their append-only events, adopted decision
-- numbers, action items and the interventions recorded for journals.
-- Instants are BIGINT microseconds (UTC); each meeting keeps its IANA zone.

CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY,
    body_id          TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    starts_at        BIGINT  NOT NULL,
    ends_at          BIGINT  NOT NULL,
    zone             TEXT    NOT NULL,
    venue            TEXT,
    link             TEXT,
    chair            TEXT    NOT NULL,
    chair_override   TEXT,
    override_reason  TEXT,
    delegations      TEXT    NOT NULL,
    timetable        TEXT    NOT NULL,
    opened_at        BIGINT,
    closed_at        BIGINT,
    revision         BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    created_by       TEXT    NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_body ON meetings(body_id, starts_at);

CREATE TABLE agenda_items (
    id         INTEGER PRIMARY KEY,
    meeting_id BIGINT  NOT NULL REFERENCES meetings(id),
    parent_id  BIGINT  REFERENCES agenda_items(id),
    position   BIGINT  NOT NULL,
    basket     TEXT,
    title      TEXT    NOT NULL,
    minutes    BIGINT,
    proposer   TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('proposed','accepted')),
    symbols    TEXT    NOT NULL,
    revision   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, parent_id, position);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    symbol       TEXT    NOT NULL UNIQUE,
    body_id      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    distribution TEXT    NOT NULL CHECK (distribution IN ('public','limited','restricted')),
    created_at   BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL
);

CREATE TABLE document_versions (
    document_id BIGINT  NOT NULL REFERENCES documents(id),
    language    TEXT    NOT NULL CHECK (language IN ('en','zh','ja','ko','ru')),
    original    BIGINT  NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('original','in-translation','issued')),
    digest      TEXT,
    issued_at   BIGINT,
    log_index   BIGINT,
    revision    BIGINT  NOT NULL,
    PRIMARY KEY (document_id, language)
);
-- An issued version never changes, except that its log index is filled in once.
CREATE TRIGGER document_versions_issued_fixed BEFORE UPDATE ON document_versions
WHEN OLD.status = 'issued' AND (NEW.status <> OLD.status OR NEW.digest <> OLD.digest
    OR NEW.issued_at <> OLD.issued_at OR OLD.log_index IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'an issued version never changes'); END;
CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
BEGIN SELECT RAISE(ABORT, 'document versions are never deleted'); END;

-- Content-addressed: the key is the SHA-256 (hex) of the bytes, stored once.
CREATE TABLE blobs (
    digest     TEXT    PRIMARY KEY,
    bytes      BLOB    NOT NULL,
    size       BIGINT  NOT NULL,
    stored_at  BIGINT  NOT NULL
);
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;

CREATE TABLE drafts (
    id             INTEGER PRIMARY KEY,
    body_id        TEXT    NOT NULL,
    meeting_id     BIGINT  REFERENCES meetings(id),
    item_id        BIGINT  REFERENCES agenda_items(id),
    title          TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('substantive','agenda','participation')),
    participation  TEXT,
    text           TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE TRIGGER drafts_no_update BEFORE UPDATE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts change only by their events'); END;
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
BEGIN SELECT RAISE(ABORT, 'drafts change only by their events'); END;

CREATE TABLE decision_events (
    draft_id       BIGINT  NOT NULL REFERENCES drafts(id),
    seq            BIGINT  NOT NULL,
    at             BIGINT  NOT NULL,
    kind           TEXT    NOT NULL,
    party          TEXT,
    author         TEXT,
    base           BIGINT,
    text           TEXT,
    position       TEXT,
    until          BIGINT,
    statement_kind TEXT,
    recorded_by    TEXT    NOT NULL,
    PRIMARY KEY (draft_id, seq)
);
CREATE TRIGGER decision_events_no_update BEFORE UPDATE ON decision_events
BEGIN SELECT RAISE(ABORT, 'decision events are append-only'); END;
CREATE TRIGGER decision_events_no_delete BEFORE DELETE ON decision_events
BEGIN SELECT RAISE(ABORT, 'decision events are append-only'); END;

CREATE TABLE adopted_decisions (
    draft_id    BIGINT  NOT NULL PRIMARY KEY REFERENCES drafts(id),
    symbol      TEXT    NOT NULL UNIQUE,
    adopted_at  BIGINT  NOT NULL,
    digest      TEXT    NOT NULL,
    recorded_at BIGINT  NOT NULL
);
CREATE TRIGGER adopted_decisions_no_update BEFORE UPDATE ON adopted_decisions
BEGIN SELECT RAISE(ABORT, 'adopted decisions are append-only'); END;
CREATE TRIGGER adopted_decisions_no_delete BEFORE DELETE ON adopted_decisions
BEGIN SELECT RAISE(ABORT, 'adopted decisions are append-only'); END;

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY,
    body_id     TEXT    NOT NULL,
    meeting_id  BIGINT  REFERENCES meetings(id),
    title       TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    due         TEXT    NOT NULL,
    decision    TEXT,
    done_at     BIGINT,
    revision    BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL
);

CREATE TABLE interventions (
    id          INTEGER PRIMARY KEY,
    meeting_id  BIGINT  NOT NULL REFERENCES meetings(id),
    item_id     BIGINT  NOT NULL REFERENCES agenda_items(id),
    speaker     TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    recorded_by TEXT    NOT NULL
);
CREATE TRIGGER interventions_no_update BEFORE UPDATE ON interventions
BEGIN SELECT RAISE(ABORT, 'interventions are append-only'); END;
CREATE TRIGGER interventions_no_delete BEFORE DELETE ON interventions
BEGIN SELECT RAISE(ABORT, 'interventions are append-only'); END;
