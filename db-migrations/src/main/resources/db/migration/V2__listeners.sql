-- Listeners: a random identifier (UUID) chosen by the client, no personal data. Their likes and skips
-- personalise their playlists; their history (settled moods, tracks shown/liked/skipped) is kept only with
-- their consent and for a bounded time. DELETE /api/v1/listeners/{id} removes every row below about one
-- listener in one transaction.

CREATE TABLE listener (
    id                 uuid PRIMARY KEY,
    -- history is opt-in: nothing goes into listener_event unless this is true
    history_consent    boolean     NOT NULL DEFAULT false,
    consent_changed_at timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Which listener gave a feedback event (null: a request without X-Listener-Id, as before).
ALTER TABLE feedback ADD COLUMN listener_id uuid REFERENCES listener (id);
CREATE INDEX feedback_listener ON feedback (listener_id) WHERE listener_id IS NOT NULL;

-- Running totals per (listener, emotion, track): what the personal ranking reads, one query per playlist
-- request (the primary key serves WHERE listener_id = ? AND emotion = ?).
CREATE TABLE listener_feedback_tally (
    listener_id uuid        NOT NULL REFERENCES listener (id),
    emotion     varchar(16) NOT NULL
        CHECK (emotion IN ('angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise')),
    track_id    bigint      NOT NULL REFERENCES track (id),
    likes       integer     NOT NULL DEFAULT 0,
    skips       integer     NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (listener_id, emotion, track_id)
);

-- History, only with consent: a settled mood, a playlist shown (its track ids), a like or a skip.
CREATE TABLE listener_event (
    id          bigserial PRIMARY KEY,
    listener_id uuid        NOT NULL REFERENCES listener (id),
    kind        varchar(8)  NOT NULL CHECK (kind IN ('mood', 'shown', 'like', 'skip')),
    emotion     varchar(16) NOT NULL
        CHECK (emotion IN ('angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise')),
    track_ids   bigint[]    NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- a listener's history, newest first
CREATE INDEX listener_event_listener_time ON listener_event (listener_id, created_at DESC);
-- the retention job deletes by age
CREATE INDEX listener_event_time ON listener_event (created_at);
